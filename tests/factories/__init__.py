"""factory-boy factories for every model the tests build (`from tests.factories import
InstitutionFactory`). Test support sits above every floor, like the root conftest, so this
package lives outside `tuoyu`; one module per app."""

from tests.factories.accounts import (
    PASSWORD,
    ApiTokenFactory,
    DepartmentFactory,
    DepartmentUserFactory,
    InstitutionUserFactory,
    SystemUserFactory,
    TownshipUserFactory,
    UserFactory,
)
from tests.factories.filings import (
    COMPLIANT_STANDARDS,
    FilingApplicationFactory,
    SubjectReviewFactory,
)
from tests.factories.institutions import (
    LEGAL_FORMS,
    AffordableDesignationFactory,
    CareClassFactory,
    ChainAgreementFactory,
    InstitutionFactory,
    RegistrationEventFactory,
)
from tests.factories.regions import (
    DISTRICT,
    DONGXIAO,
    DUOHU,
    CityFactory,
    DistrictFactory,
    ProvinceFactory,
    RegionFactory,
    RegionYearStatisticFactory,
    TownshipFactory,
    VillageFactory,
    jindong_tree,
)

__all__ = [
    "COMPLIANT_STANDARDS",
    "DISTRICT",
    "DONGXIAO",
    "DUOHU",
    "LEGAL_FORMS",
    "PASSWORD",
    "AffordableDesignationFactory",
    "ApiTokenFactory",
    "CareClassFactory",
    "ChainAgreementFactory",
    "CityFactory",
    "DepartmentFactory",
    "DepartmentUserFactory",
    "DistrictFactory",
    "FilingApplicationFactory",
    "InstitutionFactory",
    "InstitutionUserFactory",
    "ProvinceFactory",
    "RegionFactory",
    "RegionYearStatisticFactory",
    "RegistrationEventFactory",
    "SubjectReviewFactory",
    "SystemUserFactory",
    "TownshipFactory",
    "TownshipUserFactory",
    "UserFactory",
    "VillageFactory",
    "jindong_tree",
]
