"""CDC EARS C1–C3 on constructed series with known answers, and the daily job per township
and symptom."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import ChildFactory, HealthCheckFactory
from tuoyu.children import ears
from tuoyu.children.jobs import SPAN_DAYS, township_symptom_series
from tuoyu.core import clock


def test_c1_known_answer():
    # baseline 2,4,2,4,2,4,2: mean 20/7, sample sd 1.0690; today 8 → (8 − 2.857) / 1.069
    s = ears.c1([2, 4, 2, 4, 2, 4, 2, 8])
    assert s.statistic == pytest.approx((8 - 20 / 7) / 1.0690449676, abs=1e-6)
    assert s.flagged  # 4.81 > 3


def test_c2_uses_a_two_day_guard_band():
    # the two days before today are high; C2's baseline (t−9 … t−3) does not see them
    series = [1, 1, 1, 1, 1, 1, 1, 9, 9, 9]
    s2 = ears.c2(series)
    assert s2.statistic == pytest.approx((9 - 1) / ears.MIN_SD)  # flat baseline: sd floored
    s1 = ears.c1(series)
    assert s1.statistic < s2.statistic  # C1's baseline includes two of the high days


def test_c3_sums_three_days_of_c2_above_one():
    series = [2, 3, 2, 3, 2, 3, 2, 3, 2, 5, 5, 5]
    expected = sum(max(0.0, ears.c2(series, t).statistic - 1) for t in (9, 10, 11))
    assert ears.c3(series).statistic == pytest.approx(expected)


def test_quiet_week_one_case_no_signal_three_cases_signal():
    assert not any(s.flagged for s in ears.ears([0] * 11 + [1]))
    assert ears.c1([0] * 11 + [2]).flagged  # 2 / 0.5 = 4 > 3
    assert ears.ears([0] * 5) == []  # too short for a baseline


@pytest.mark.django_db
def test_job_series_per_township_and_symptom(district):
    today = clock.today()
    child = ChildFactory()
    other = ChildFactory(care_class=child.care_class)
    for c in (child, other):
        HealthCheckFactory(child=c, date=today, symptoms=",fever,")
    HealthCheckFactory(child=child, date=today - dt.timedelta(days=3), symptoms=",cough,fever,")
    series = township_symptom_series(today)
    fever = series[(child.institution.township_id, "fever")]
    assert len(fever) == SPAN_DAYS and fever[-1] == 2 and fever[-4] == 1
    assert series[(child.institution.township_id, "cough")][-4] == 1
