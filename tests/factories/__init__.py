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
from tests.factories.children import ChildFactory, ExaminationFactory, HealthCheckFactory
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
from tests.factories.supervision import (
    ComplaintFactory,
    CreditEventFactory,
    InspectionFactory,
    RectificationOrderFactory,
)
from tests.factories.workforce import (
    BanFactory,
    CertificateFactory,
    PersonFactory,
    StaffMemberFactory,
    TrainingFactory,
    id_number_for,
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
    "BanFactory",
    "CareClassFactory",
    "CertificateFactory",
    "ChainAgreementFactory",
    "ChildFactory",
    "CityFactory",
    "ComplaintFactory",
    "CreditEventFactory",
    "DepartmentFactory",
    "DepartmentUserFactory",
    "DistrictFactory",
    "ExaminationFactory",
    "FilingApplicationFactory",
    "HealthCheckFactory",
    "InspectionFactory",
    "InstitutionFactory",
    "InstitutionUserFactory",
    "PersonFactory",
    "ProvinceFactory",
    "RectificationOrderFactory",
    "RegionFactory",
    "RegionYearStatisticFactory",
    "RegistrationEventFactory",
    "StaffMemberFactory",
    "SubjectReviewFactory",
    "SystemUserFactory",
    "TownshipFactory",
    "TownshipUserFactory",
    "TrainingFactory",
    "UserFactory",
    "VillageFactory",
    "id_number_for",
    "jindong_tree",
]
