"""The children in care are counted where other apps need them, through
`institutions.public_facts` (apps of one floor never import each other): the public listing's
vacancies (API-CONTRACT §6) and the caregiver ratios of workforce (P-STD-1)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.factories import CareClassFactory, ChildFactory, StaffMemberFactory
from tuoyu.workforce import compliance

pytestmark = pytest.mark.django_db


@pytest.fixture
def toddlers(make_filed):
    institution = make_filed(name="多湖童乐托育有限公司", classes=[])
    care_class = CareClassFactory(
        institution=institution, filed=True, class_type="toddler_small", capacity=15
    )
    StaffMemberFactory(institution=institution, role="caregiver", care_class=care_class)
    return institution, care_class


def _ratio_gaps(institution):
    gaps = compliance.compliance_gaps([institution.pk], timezone.localdate())[institution.pk]
    return [g for g in gaps if g.code == "caregiver_ratio"]


def test_p_std_1_ratio_follows_the_children_enrolled(toddlers):
    institution, care_class = toddlers
    # no child recorded on the platform: judged on the filed 15 (1:5 → 3 caregivers)
    (gap,) = _ratio_gaps(institution)
    assert "核定 15 人" in gap.message
    # four children in care: one caregiver suffices (1:5)
    for _ in range(4):
        ChildFactory(care_class=care_class)
    assert _ratio_gaps(institution) == []
    # six: two are needed
    for _ in range(2):
        ChildFactory(care_class=care_class)
    (gap,) = _ratio_gaps(institution)
    assert "在托 6 人" in gap.message


def test_public_vacancies_count_the_children_in_care(client, toddlers):
    institution, care_class = toddlers
    for _ in range(4):
        ChildFactory(care_class=care_class)
    ChildFactory(care_class=care_class, status="withdrawn", left_on=timezone.localdate())
    body = client.get("/api/v1/public/institutions", {"q": "童乐"}).json()
    (row,) = [r for r in body["results"] if r["uscc"] == institution.uscc]
    assert row["classes"] == [{"class_type": "toddler_small", "capacity": 15, "vacancies": 11}]
