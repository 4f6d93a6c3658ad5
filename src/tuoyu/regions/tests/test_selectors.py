"""Reads with scope (ARCHITECTURE: scope in one place) and the district-total rule."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tuoyu.core.errors import NotFound
from tuoyu.regions import selectors
from tuoyu.regions.services import region_statistics_import

from .conftest import DISTRICT, JINDONG_TOWNSHIPS, stat_row, xlsx

pytestmark = pytest.mark.django_db

DUOHU = "330703001"


def test_district_figures_are_the_sum_of_townships_when_no_district_row(jindong, health_user):
    rows = [
        stat_row(code, resident_population=10_000 + i)
        for i, code in enumerate(list(JINDONG_TOWNSHIPS)[:4])
    ]
    region_statistics_import(acting_user=health_user, file=xlsx(rows))

    figures = selectors.region_statistics_for_year(
        acting_user=health_user, code=DISTRICT, year=2024
    )

    assert figures.derived is True
    assert (figures.townships_reporting, figures.townships_total) == (4, 11)
    assert figures.is_partial
    assert figures.resident_population == 10_000 + 10_001 + 10_002 + 10_003
    assert (figures.hm_children_managed, figures.hm_children_due) == (4 * 1_200, 4 * 1_250)
    assert figures.health_management_rate == Fraction(1_200, 1_250)
    assert figures.children_under_3 == 4 * 1_260


def test_the_district_row_wins_over_the_sum(jindong, health_user, good_rows):
    region_statistics_import(acting_user=health_user, file=xlsx(good_rows))

    figures = selectors.region_statistics_for_year(
        acting_user=health_user, code=DISTRICT, year=2024
    )

    assert figures.derived is False
    assert figures.resident_population == 550_000  # the district's own row, not 11 × 50,000
    assert figures.source == "妇幼保健信息系统导入"


def test_no_figures_is_none(jindong, health_user):
    assert (
        selectors.region_statistics_for_year(acting_user=health_user, code=DISTRICT, year=2024)
        is None
    )
    assert (
        selectors.region_statistics_for_year(acting_user=health_user, code=DUOHU, year=2024) is None
    )


def test_history_mixes_own_rows_and_derived_years(jindong, health_user, good_rows):
    region_statistics_import(acting_user=health_user, file=xlsx(good_rows))  # 2024 with district
    region_statistics_import(
        acting_user=health_user, file=xlsx([stat_row(c, 2023) for c in JINDONG_TOWNSHIPS])
    )

    history = selectors.region_statistics_history(acting_user=health_user, code=DISTRICT)

    assert [(f.year, f.derived) for f in history] == [(2024, False), (2023, True)]
    assert history[1].resident_population == 11 * 50_000
    assert not history[1].is_partial


def test_township_user_sees_only_own_township(jindong, township_user, health_user, good_rows):
    region_statistics_import(acting_user=health_user, file=xlsx(good_rows))

    visible = selectors.regions_visible(acting_user=township_user)
    assert {r.code for r in visible.filter(level="township")} == {DUOHU}
    assert not visible.exclude(code__startswith=DUOHU).exists()
    overview = selectors.region_overview(acting_user=township_user)
    assert [row.region.code for row in overview.townships] == [DUOHU]
    assert overview.district is None and overview.district_figures is None
    assert overview.year == 2024
    for code in (DISTRICT, "330703002", "3307"):
        with pytest.raises(NotFound):
            selectors.region_get(acting_user=township_user, code=code)
    with pytest.raises(NotFound):
        selectors.region_statistics_history(acting_user=township_user, code=DISTRICT)


def test_institution_and_operator_see_no_regions(institution_user, system_user):
    for user in (institution_user, system_user):
        assert not selectors.regions_visible(acting_user=user).exists()
        with pytest.raises(NotFound):
            selectors.region_get(acting_user=user, code=DUOHU)


def test_overview_counts_villages_and_communities(jindong, health_user):
    overview = selectors.region_overview(acting_user=health_user, year=2024)
    assert overview.district.code == DISTRICT
    assert [row.region.code for row in overview.townships] == list(JINDONG_TOWNSHIPS)
    assert sum(row.settlement_count for row in overview.townships) == 361
    assert sum(row.community_count for row in overview.townships) == 43  # 居委会 in 2.7.0
    duohu = overview.townships[0]
    assert duohu.community_count > 0
    assert all(row.figures is None for row in overview.townships)


def test_overview_is_a_few_queries_whatever_the_size(
    jindong, health_user, good_rows, django_assert_max_num_queries
):
    region_statistics_import(acting_user=health_user, file=xlsx(good_rows))
    with django_assert_max_num_queries(8):
        overview = selectors.region_overview(acting_user=health_user)
        assert all(row.figures is not None for row in overview.townships)
