"""Staffing compliance per institution, class and day (P-STD-1, P-STD-2, P-HC-5), the
district list in a constant number of queries, double posts, and policy data deciding."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from django.test import override_settings

from tuoyu import policy
from tuoyu.workforce import selectors

pytestmark = pytest.mark.django_db
DAY = dt.date(2024, 6, 3)
HEALTH = {
    "kind": "health_certificate",
    "valid_from": dt.date(2024, 1, 2),
    "valid_until": dt.date(2024, 12, 31),
}


def _full_roster(user, inst, add_staff, base=100, caregivers=3):
    cls = inst.classes.first()
    for i in range(caregivers):
        add_staff(user, inst, base + i, care_class_id=cls.pk, certificates=[HEALTH])
    add_staff(
        user,
        inst,
        base + 10,
        role="principal",
        education="bachelor",
        experience_years=5,
        head_training=True,
        certificates=[HEALTH],
    )
    add_staff(
        user,
        inst,
        base + 11,
        role="health_worker",
        certificates=[
            HEALTH,
            {"kind": "health_worker_training", "valid_from": dt.date(2023, 1, 1)},
        ],
    )
    add_staff(
        user,
        inst,
        base + 12,
        role="security",
        certificates=[HEALTH, {"kind": "security_guard", "valid_from": dt.date(2023, 1, 1)}],
    )


def _codes(user, inst, day=DAY):
    return [g.code for g in selectors.institution_gaps(acting_user=user, institution=inst, day=day)]


def test_a_complete_roster_has_no_gaps(filed, filed_user, add_staff):
    _full_roster(filed_user, filed, add_staff)
    assert _codes(filed_user, filed) == []


def test_empty_roster_lists_every_rule(filed, filed_user):
    assert _codes(filed_user, filed) == [
        "caregiver_ratio",
        "head_missing",
        "health_worker_missing",
        "security_guard_missing",
    ]


def test_ratio_names_the_class_and_people(filed, filed_user, add_staff):
    """P-STD-1: 托小班 of 15 at 1:5 needs 3 caregivers; with 2 the class is short."""
    _full_roster(filed_user, filed, add_staff, caregivers=2)
    (gap,) = selectors.institution_gaps(acting_user=filed_user, institution=filed, day=DAY)
    assert (gap.rule, gap.code, gap.care_class) == (
        "P-STD-1",
        "caregiver_ratio",
        filed.classes.first().name,
    )
    assert len(gap.people) == 2


def test_expired_health_certificate_makes_the_person_non_compliant_that_day(
    filed, filed_user, add_staff
):
    """P-HC-5: valid until 2024-12-31, so on 2025-01-01 every person lacks one."""
    _full_roster(filed_user, filed, add_staff)
    assert "health_certificate_invalid" not in _codes(filed_user, filed, dt.date(2024, 12, 31))
    gaps = selectors.institution_gaps(
        acting_user=filed_user, institution=filed, day=dt.date(2025, 1, 1)
    )
    hc = [g for g in gaps if g.code == "health_certificate_invalid"]
    assert hc and hc[0].rule == "P-HC-5" and len(hc[0].people) == 6


def test_head_qualification(filed, filed_user, add_staff):
    _full_roster(filed_user, filed, add_staff)
    add_staff(
        filed_user, filed, 300, role="principal", education="senior_middle", experience_years=1
    )
    gaps = selectors.institution_gaps(acting_user=filed_user, institution=filed, day=DAY)
    head = [g for g in gaps if g.code == "head_qualification"]
    assert head and head[0].people == ("员工300",)


def test_policy_data_changes_the_verdict(filed, filed_user, add_staff, tmp_path):
    """P-STD-1 is data: the same roster passes at 1:5 and fails when a district sets 1:4
    for 托小班 instead of 1:5 (4 caregivers needed for 15)."""
    _full_roster(filed_user, filed, add_staff)
    assert _codes(filed_user, filed) == []
    target = tmp_path / "policy"
    shutil.copytree(policy.DEFAULT_DIR, target)
    base = target / "2020-10-31_V2020-36.yaml"
    text = base.read_text(encoding="utf-8")
    start = text.index("toddler_small:")
    at = text.index("children_per_caregiver", start)
    end = text.index("\n", at)
    line = text[at:end]
    new = line.replace("value: 5", "value: 4")
    assert new != line, line
    base.write_text(text[:at] + new + text[end:], encoding="utf-8")
    with override_settings(TUOYU_POLICY_DIR=str(target)):
        assert _codes(filed_user, filed) == ["caregiver_ratio"]
    assert _codes(filed_user, filed) == []


def test_district_gaps_constant_queries(
    make_filed,
    make_user,
    add_staff,
    health_user,
    township_user,
    django_assert_max_num_queries,
    district,
):
    for i in range(4):
        inst = make_filed(name=f"测试托育{i}", township=district["duohu" if i % 2 else "dongxiao"])
        user = make_user(f"jg{i}", institution=inst)
        add_staff(user, inst, 500 + i * 20)
    with django_assert_max_num_queries(6):
        rows = selectors.district_gaps(acting_user=health_user, day=DAY)
    assert len(rows) == 4
    assert len(selectors.district_gaps(acting_user=township_user, day=DAY)) == 2
    for i in range(4, 8):
        inst = make_filed(name=f"测试托育{i}")
        add_staff(make_user(f"jg{i}", institution=inst), inst, 500 + i * 20)
    with django_assert_max_num_queries(6):
        assert len(selectors.district_gaps(acting_user=health_user, day=DAY)) == 8


def test_double_posts_flagged_to_health_bureau(
    filed, filed_user, add_staff, make_filed, make_user, health_user, township_user
):
    other = make_filed(name="东孝春苗托育有限公司")
    other_user = make_user("chunmiao", institution=other)
    add_staff(filed_user, filed, 900, role="health_worker")
    add_staff(other_user, other, 900, role="health_worker")
    add_staff(other_user, other, 901, role="caregiver")
    add_staff(filed_user, filed, 901, role="caregiver")  # caregivers may work at two places
    rows = selectors.double_posts(acting_user=health_user)
    assert len(rows) == 1 and {s.institution for s in rows[0]["posts"]} == {filed, other}
    assert selectors.double_posts(acting_user=township_user) == []
