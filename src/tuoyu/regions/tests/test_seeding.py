"""`tuoyu seed`'s regions part: deterministic, plausible, district = sum of townships."""

from __future__ import annotations

import io
import random

import pytest

from tuoyu.regions import seeding
from tuoyu.regions.models import STAT_FIELDS, Region, RegionYearStatistic

from .conftest import DISTRICT, JINDONG_TOWNSHIPS

pytestmark = pytest.mark.django_db


def ctx(seed: int = 7, year: int = 2025):
    import datetime as dt

    from tuoyu.core.seeding import SCALES, SeedContext

    ctx = SeedContext(
        scale=SCALES["district"],
        seed=seed,
        district_code=DISTRICT,
        today=dt.date(year, 6, 30),
        stdout=io.StringIO(),
    )
    ctx.rng = random.Random(seed)
    return ctx


def state():
    return list(
        RegionYearStatistic.objects.order_by("region__code", "year").values_list(
            "region__code", "year", "imported_at", *STAT_FIELDS
        )
    )


def test_seed_loads_the_tree_and_six_years_of_statistics():
    seeding.generate(ctx())

    assert Region.objects.filter(level="township").count() == 11
    assert Region.objects.filter(level="village").count() == 361
    stats = RegionYearStatistic.objects.select_related("region")
    assert stats.count() == 12 * 6  # 11 townships + the district, 2020..2025
    for stat in stats.filter(region__level="township"):
        assert 19_000 <= stat.resident_population <= 135_000
        assert 0.015 <= stat.children_under_3 / stat.resident_population <= 0.035
        assert 0.9 <= stat.hm_children_managed / stat.hm_children_due <= 0.99
        assert stat.hm_children_systematic <= stat.hm_children_managed
        assert stat.births * 3 == pytest.approx(stat.children_under_3, rel=0.15)


def test_district_row_is_the_sum_of_its_townships():
    seeding.generate(ctx())
    for year in range(2020, 2026):
        district = RegionYearStatistic.objects.get(region__code=DISTRICT, year=year)
        townships = RegionYearStatistic.objects.filter(
            region__code__in=JINDONG_TOWNSHIPS, year=year
        )
        for field in STAT_FIELDS:
            assert getattr(district, field) == sum(getattr(t, field) for t in townships)


def test_same_seed_same_data_and_a_rerun_changes_nothing():
    seeding.generate(ctx(seed=7))
    first = state()
    again = ctx(seed=7)
    seeding.generate(again)
    assert state() == first
    assert "新增 0，更新 0，未变化 72" in again.stdout.getvalue()

    seeding.generate(ctx(seed=8))
    changed = state()
    assert [row[:2] for row in changed] == [row[:2] for row in first]
    assert [row[3:] for row in changed] != [row[3:] for row in first]
