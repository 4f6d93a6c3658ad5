"""P-FIL-2: working days on the official calendar — the State Council's yearly holiday
notice with its make-up working days (调休), from the `chinese-calendar` package or a notice
the district entered; a year covered by neither raises instead of guessing."""

from __future__ import annotations

import datetime as dt

import pytest

from tuoyu.regions import workdays
from tuoyu.regions.models import HolidayNotice
from tuoyu.regions.workdays import NoHolidayNotice

D = dt.date


def mon_to_fri_after(start: dt.date, n: int) -> dt.date:
    """What a count that ignores the holiday notice gives (the fault of the issue)."""
    day, counted = start, 0
    while counted < n:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            counted += 1
    return day


@pytest.fixture(autouse=True)
def _fresh_calendar():
    workdays.clear_cache()
    yield
    workdays.clear_cache()


@pytest.mark.django_db
def test_p_fil_2_national_day_2024_example():
    """Materials complete Fri 2024-09-27 → the 5th working day after is Thu 2024-10-10:
    10-01..10-07 are off, Sun 09-29 and Sat 10-12 are make-up working days. A Monday to
    Friday count gives Fri 10-04, a holiday."""
    assert mon_to_fri_after(D(2024, 9, 27), 5) == D(2024, 10, 4)
    assert workdays.working_days_after(D(2024, 9, 27), 5) == D(2024, 10, 10)
    assert workdays.is_working_day(D(2024, 9, 29))  # Sunday, make-up
    assert workdays.is_working_day(D(2024, 10, 12))  # Saturday, make-up
    assert not workdays.is_working_day(D(2024, 10, 4))  # Friday, holiday
    assert not workdays.is_working_day(D(2024, 10, 5))  # Saturday
    assert workdays.working_days_between(D(2024, 9, 27), D(2024, 10, 10)) == 5
    assert workdays.working_days_between(D(2024, 10, 10), D(2024, 9, 27)) == -5
    assert workdays.working_days_between(D(2024, 10, 1), D(2024, 10, 7)) == 0
    # 15 working days (the not-accepted notice): 09-29 and 10-12 count
    assert workdays.working_days_after(D(2024, 9, 27), 15) == D(2024, 10, 23)


@pytest.mark.django_db
def test_p_fil_2_2027_raises_until_a_notice_is_entered():
    """chinese-calendar 1.11 stops at 2026: 2027 is never guessed."""
    assert workdays.package_year(2026) is not None
    assert workdays.package_year(2027) is None
    with pytest.raises(NoHolidayNotice) as caught:
        workdays.working_days_after(D(2026, 12, 30), 5)
    assert caught.value.year == 2027
    with pytest.raises(NoHolidayNotice):
        workdays.is_working_day(D(2027, 1, 4))
    # the last days of 2026 are known
    assert workdays.working_days_after(D(2026, 12, 24), 5) == D(2026, 12, 31)


@pytest.mark.django_db
def test_a_district_notice_covers_its_year_and_overrides_the_package(django_assert_num_queries):
    HolidayNotice.objects.create(
        year=2027,
        title="国务院办公厅关于2027年部分节假日安排的通知",
        document_number="国办发明电〔2026〕7号",
        published_on=D(2026, 11, 12),
        holidays=["2027-01-01", "2027-01-02", "2027-01-03"],
        makeup_workdays=["2027-01-09"],
        entered_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
    )
    assert workdays.working_days_after(D(2026, 12, 30), 5) == D(2027, 1, 7)
    assert workdays.is_working_day(D(2027, 1, 9))  # Saturday, make-up
    assert not workdays.is_working_day(D(2027, 1, 1))
    # a notice for a package year replaces the package's rules for that year
    HolidayNotice.objects.create(
        year=2024,
        title="测试",
        document_number="测试〔2023〕1号",
        published_on=D(2023, 10, 25),
        holidays=["2024-10-01"],
        makeup_workdays=[],
        entered_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
    )
    assert workdays.is_working_day(D(2024, 10, 4))
    assert not workdays.is_working_day(D(2024, 9, 29))
    # one calendar answers many questions without a query
    calendar = workdays.calendar()
    with django_assert_num_queries(0):
        for i in range(200):
            calendar.is_working_day(D(2026, 1, 1) + dt.timedelta(days=i))


@pytest.mark.django_db
def test_the_december_warning_names_the_missing_year():
    assert workdays.missing_next_year_notice(D(2026, 12, 1)) == 2027
    assert workdays.missing_next_year_notice(D(2026, 11, 30)) is None
    assert workdays.missing_next_year_notice(D(2025, 12, 1)) is None  # 2026 is in the package
