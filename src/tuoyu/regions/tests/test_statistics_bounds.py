"""[hardening] point 6: every figure of a statistics import has bounds and a coded error —
an integer text of thousands of digits is `value_too_large` (not a "damaged file"), and the
report quotes a bounded excerpt of the cell, never the whole of it."""

from __future__ import annotations

import pytest

from tuoyu.core.errors import DomainError
from tuoyu.regions.services import region_statistics_import

from .conftest import stat_row, xlsx

pytestmark = pytest.mark.django_db
DUOHU = "330703001"


def import_errors(user, file):
    with pytest.raises(DomainError) as exc:
        region_statistics_import(acting_user=user, file=file)
    return exc.value.errors


@pytest.mark.parametrize("value", ["9" * 5000, "-" + "9" * 5000, 1e300, "1" * 20])
def test_huge_figures_are_value_too_large(jindong, health_user, value):
    errors = import_errors(health_user, xlsx([stat_row(DUOHU, births=value)]))
    assert [(str(e.code), e.row, e.field) for e in errors] in (
        [("value_too_large", 2, "出生人数")],
        [("negative_value", 2, "出生人数")],
    )
    assert all(len(e.message) < 200 for e in errors)


@pytest.mark.parametrize("year", ["9" * 5000, 1e300, "-1"])
def test_huge_years_are_out_of_range(jindong, health_user, year):
    errors = import_errors(health_user, xlsx([stat_row(DUOHU, year)]))
    assert [(str(e.code), e.field) for e in errors] == [("year_out_of_range", "年度")]
    assert all(len(e.message) < 200 for e in errors)
