"""P-HC-2 growth against the WHO 2006 Child Growth Standards: z-scores by LMS match values
built from WHO's published LMS parameters within 0.01; flags at the WHO cut-offs; every
result names its reference; examinations store both; the due schedule (4-2-2)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import ChildFactory, ExaminationFactory
from tuoyu.children import growth
from tuoyu.children.selectors import exam_due_on, exams_overdue
from tuoyu.children.services.examinations import examination_record
from tuoyu.children.tests.conftest import months_ago
from tuoyu.core import clock

BIRTH = dt.date(2024, 1, 1)

# WHO Child Growth Standards (2006), published LMS parameters (WHO tables "…_z_exp" /
# igrowup): (indicator, sex, L, M, S) at birth, and weight-for-length at 45.0 cm.
WHO_LMS = [
    ("wfa", "male", 0.3487, 3.3464, 0.14602),
    ("wfa", "female", 0.3809, 3.2322, 0.14171),
    ("lhfa", "male", 1.0, 49.8842, 0.03795),
    ("lhfa", "female", 1.0, 49.1477, 0.0379),
    ("wfl", "male", -0.3521, 2.441, 0.09182),
    ("wfl", "female", -0.3833, 2.4607, 0.09029),
]


def value_at(z, L, M, S):
    return M * (1 + L * S * z) ** (1 / L)


@pytest.mark.parametrize("indicator,gender,L,M,S", WHO_LMS)
@pytest.mark.parametrize("z", [-3, -2, -1, 0, 1, 2, 3])
def test_zscores_match_who_published_lms(indicator, gender, L, M, S, z):
    x = value_at(z, L, M, S)
    if indicator == "wfa":
        r = growth.judge(
            gender=gender, birth_date=BIRTH, measured_on=BIRTH, weight_kg=x, height_cm=None
        )
        got = r.waz
    elif indicator == "lhfa":
        r = growth.judge(
            gender=gender, birth_date=BIRTH, measured_on=BIRTH, weight_kg=None, height_cm=x
        )
        got = r.haz
    else:
        r = growth.judge(
            gender=gender, birth_date=BIRTH, measured_on=BIRTH, weight_kg=x, height_cm=45.0
        )
        got = r.whz
    assert got == pytest.approx(z, abs=0.01)
    assert r.reference.startswith("WHO Child Growth Standards 2006")


def test_flags_at_who_cut_offs():
    assert growth.flags_for(-2.01, -2.5, -2.2) == ("underweight", "stunting", "wasting")
    assert growth.flags_for(-2.0, 0, 2.0) == ()  # the cut-off itself is not below −2
    assert growth.flags_for(0, 0, 2.01) == ("overweight",)


@pytest.mark.django_db
def test_examination_stores_zscores_flags_and_reference(make_user):
    child = ChildFactory(birth_date=months_ago(18), gender="male")
    user = make_user("bj", institution=child.institution)
    exam = examination_record(
        acting_user=user,
        child=child,
        kind="periodic",
        examined_on=clock.today(),
        weight_kg="7.5",  # well below −2 SD at 18 months
        height_cm="81.0",
    )
    assert exam.waz < -2 and "underweight" in exam.growth_flags
    assert exam.growth_reference.startswith("WHO Child Growth Standards 2006")


@pytest.mark.django_db
def test_exam_schedule_4_2_2():
    """P-HC-2: under 1 every 3 months; from 1, every 6 months; first at enrolment."""
    infant = ChildFactory.build(birth_date=dt.date(2024, 1, 10), enrolled_on=dt.date(2024, 8, 1))
    assert exam_due_on(infant, None, dt.date(2024, 8, 1)) == dt.date(2024, 8, 1)
    assert exam_due_on(infant, dt.date(2024, 8, 1), dt.date(2024, 8, 1)) == dt.date(2024, 11, 1)
    assert exam_due_on(infant, dt.date(2025, 2, 1), dt.date(2025, 2, 1)) == dt.date(2025, 8, 1)


@pytest.mark.django_db
def test_overdue_list(health_user):
    late = ChildFactory(birth_date=months_ago(20))
    ExaminationFactory(child=late, examined_on=clock.today() - dt.timedelta(days=200))
    fine = ChildFactory(birth_date=months_ago(20), care_class=late.care_class)
    ExaminationFactory(child=fine, examined_on=clock.today() - dt.timedelta(days=20))
    overdue = [c.pk for c, _ in exams_overdue(acting_user=health_user, on=clock.today())]
    assert late.pk in overdue and fine.pk not in overdue
