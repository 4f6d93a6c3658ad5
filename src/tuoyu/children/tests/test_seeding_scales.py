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
    ctx.rng = ctx.rng_for("children")  # as seeding.run does: deterministic
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
    seeds 52 school weeks (`--history-weeks 52`), spread over the year the children in care
    have been there (the history thins towards its start: they were enrolled at their
    class's age)."""
    ctx = seeding.SeedContext(
        scale=seeding.SCALES["district"],
        seed=1,
        district_code="330703",
        today=TODAY,
        history_weeks=52,
    )
    ctx.rng = ctx.rng_for("children")  # as seeding.run does: deterministic
    children_seeding.generate(ctx)

    days = HealthCheck.objects.values_list("date", flat=True)
    assert min(days) < TODAY - dt.timedelta(days=180) and max(days) == TODAY
    assert len({d.month for d in days}) >= 6


def test_the_seasons_illness_peaks_in_winter_and_hfmd_keeps_its_season():
    """The generator's illness by month (`SEASONS`), on 20,000 checks a month: respiratory
    illness in winter about twice the summer's; hand-foot-mouth disease only from April to
    July."""
    import random

    child = {"id": 1, "institution_id": 1, "care_class_id": 1}
    rng = random.Random(7)

    def month(m):
        day = dt.date(2026, m, 15)
        return [_row(rng, child, day) for _ in range(20_000)]

    def sick(rows):
        return sum(r.attendance == "absent_sick" for r in rows) / len(rows)

    january, august = month(1), month(8)
    assert sick(january) > 1.8 * sick(august)
    for m in range(1, 13):
        rows = january if m == 1 else august if m == 8 else month(m)
        hfmd = any("hand_foot_mouth_signs" in r.symptoms for r in rows)
        assert hfmd == (m in (4, 5, 6, 7)), m


def _row(rng, child, day):
    return children_seeding._check_row(rng, child, day, "morning", None, batch_id=1)


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
