"""The children seed at the larger scales ([children] #12 "the province seed adds … children
and checks", [scale] #10 point 1): children in every filed class and one school day of
morning and noon checks, streamed, with no planted cluster (those are the district's)."""

from __future__ import annotations

import datetime as dt

import pytest

from tuoyu.children import seeding as children_seeding
from tuoyu.children.models import Child, HealthCheck, HealthCheckBatch
from tuoyu.core import seeding

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)  # a Tuesday


@pytest.mark.parametrize("scale", ["city", "province"])
def test_larger_scales_seed_children_and_one_school_day_of_checks(scale, large_class, small_class):
    ctx = seeding.SeedContext(
        scale=seeding.SCALES[scale], seed=1, district_code="330703", today=TODAY
    )
    children_seeding.generate(ctx)

    children = Child.objects.count()
    assert children > 0
    checks = HealthCheck.objects.all()
    assert set(checks.values_list("date", flat=True)) == {TODAY}
    assert set(checks.values_list("session", flat=True)) == {"morning", "noon"}
    enrolled_by_today = Child.objects.filter(enrolled_on__lte=TODAY).count()
    assert checks.count() == 2 * enrolled_by_today
    # One batch per institution; ordinary illness only: nobody is sent home.
    assert HealthCheckBatch.objects.count() == 1
    assert not checks.filter(action="sent_home").exists()
    assert ctx.streamed["children.healthcheck"] == checks.count()


def test_the_demo_year_of_checks_follows_the_seasons(large_class, small_class):
    """[children] #12 "a year of daily checks with realistic seasonal illness": `make demo`
    seeds 52 school weeks (`--history-weeks 52`); respiratory illness peaks in winter,
    hand-foot-mouth disease only in its season (April to July) outside a planted cluster."""
    ctx = seeding.SeedContext(
        scale=seeding.SCALES["district"],
        seed=1,
        district_code="330703",
        today=TODAY,
        history_weeks=52,
    )
    children_seeding.generate(ctx)

    checks = HealthCheck.objects.all()
    # A year back: the children in care now were enrolled at their class's age, so the
    # history thins out towards its start; it still covers most of the year's months.
    assert len({d.month for d in checks.values_list("date", flat=True)}) >= 9

    def sick_share(months):
        of_months = checks.filter(date__month__in=months)
        return of_months.filter(attendance="absent_sick").count() / of_months.count()

    assert sick_share([11, 12, 1, 2]) > 1.25 * sick_share([6, 7, 8])
    hfmd = checks.filter(symptoms__contains=",hand_foot_mouth_signs,")
    planted = {d for d in hfmd.values_list("date", flat=True) if d.month in (11, 12)}
    assert {d.month for d in hfmd.values_list("date", flat=True)} - {4, 5, 6, 7} == {
        d.month for d in planted
    }


def test_a_long_history_plants_a_third_cluster():
    days = [TODAY - dt.timedelta(days=n) for n in range(40, 0, -1)]
    by_class = {
        c: [{"id": c * 10 + n} for n in range(4)]
        for c in (1, 2, 3)  # three classes of four children
    }
    planted = children_seeding._plant(by_class, days)
    third = {k: v for k, v in planted.items() if k[0] // 10 == 3}
    assert len(third) == 3 and {k[1] for k in third} == {days[-30]}
    assert all(v == ["vomiting", "diarrhea"] for v in third.values())
    assert not any(k[0] // 10 == 3 for k in children_seeding._plant(by_class, days[-20:]))
