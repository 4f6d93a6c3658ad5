"""The test factories build what the platform itself would store."""

from __future__ import annotations

import pytest

from tests.factories import (
    LEGAL_FORMS,
    AffordableDesignationFactory,
    ApiTokenFactory,
    CareClassFactory,
    ChainAgreementFactory,
    DepartmentFactory,
    DepartmentUserFactory,
    FilingApplicationFactory,
    InstitutionFactory,
    InstitutionUserFactory,
    RegistrationEventFactory,
    SubjectReviewFactory,
    SystemUserFactory,
    TownshipFactory,
    TownshipUserFactory,
    VillageFactory,
    jindong_tree,
)
from tuoyu.accounts.services import api_token_authenticate
from tuoyu.core.identifiers import validate_uscc
from tuoyu.institutions.registration_rules import authority_for
from tuoyu.regions.models import Region

pytestmark = pytest.mark.django_db


def test_regions_are_the_jindong_tree_and_shared_by_code():
    village = VillageFactory(code="330703002201")
    assert [r.code for r in (village, village.parent, village.parent.parent)] == [
        "330703002201",
        "330703002",
        "330703",
    ]
    assert (village.name, village.parent.name) == ("东孝村委会", "东孝街道")
    assert village.parent.parent.parent.parent.name == "浙江省"
    tree = jindong_tree()
    assert tree["dongxiao"] == village.parent and tree["duohu"].name == "多湖街道"
    assert Region.objects.count() == 7  # province, city, district, 2 townships, 2 villages
    assert TownshipFactory(code="330703101").name == "孝顺镇"
    with pytest.raises(ValueError):
        TownshipFactory(code="330703999")


@pytest.mark.parametrize("legal_form", sorted(LEGAL_FORMS))
def test_institutions_are_consistent_with_p_reg_10(legal_form):
    inst = InstitutionFactory(legal_form=legal_form)
    assert validate_uscc(inst.uscc) == inst.uscc
    assert inst.uscc[2:8] == "330703"
    assert authority_for(inst.legal_form, inst.for_profit) == inst.registration_authority
    assert inst.township.code == "330703001" and inst.filing_status == "not_filed"
    assert InstitutionFactory(legal_form=legal_form).uscc != inst.uscc


def test_departments_are_the_shipped_ones_and_users_have_one_scope_each():
    fire = DepartmentFactory(code="fire_rescue")
    assert fire.name == "区消防救援大队" and fire.review_subjects == ["fire"]
    assert DepartmentFactory(code="fire_rescue") == fire
    users = [
        DepartmentUserFactory(department=fire),
        TownshipUserFactory(),
        InstitutionUserFactory(),
        SystemUserFactory(),
    ]
    assert [u.scope_kind for u in users] == ["department", "township", "institution", "system"]
    assert all(u.check_password("pass-word-2020") for u in users)
    token = ApiTokenFactory(user=users[0])
    assert api_token_authenticate(token.raw) == users[0]


def test_owned_rows_belong_to_their_institution():
    care_class = CareClassFactory(filed=True)
    assert care_class.status == "filed" and care_class.capacity == 15
    designation = AffordableDesignationFactory()
    assert designation.institution.filing_status == "filed"
    agreement = ChainAgreementFactory()
    assert list(agreement.townships.all()) == [agreement.head.township]
    event = RegistrationEventFactory()
    assert event.uscc == event.institution.uscc and event.payload["uscc"] == event.uscc
    assert event.authority == "market_regulation" and event.event_id.startswith("SAMR-")
    review = SubjectReviewFactory()
    assert review.institution == review.application.institution
    assert review.application.status == "in_review" and review.round == 1
    assert FilingApplicationFactory().status == "draft"
