"""Working days on the official calendar (P-FIL-2: "the receipt within 5 working days of
complete materials"; working days follow the State Council's yearly holiday notice, make-up
working days 调休 included).

A day is a working day when the year's rules say so:
- a make-up working day (a weekend day the notice makes a working day) is one;
- a holiday of the notice is not;
- otherwise Monday to Friday are, Saturday and Sunday are not.

The rules of a year come from a district-entered `HolidayNotice` when there is one (it
overrides the package), else from the `chinese-calendar` package (2004–2026 in 1.11). A year
covered by neither raises `NoHolidayNotice(year)`: a deadline is never guessed (the
`holidays` package, for one, silently extends 2027 without its make-up days).

Per process the district notices are cached; a write through
`regions.services.holiday_notice_save` invalidates the cache at once and again on commit,
other processes see it within `CACHE_SECONDS`, and nothing read inside an open transaction is
cached (so a rolled-back write — a test — never leaves a stale calendar behind). Callers
that compute many dates (a queue page) take one `calendar()` and ask it, so a page costs at
most one query for the calendar.

Example (P-FIL-2): materials complete on Fri 2024-09-27 → the 5th working day after is
Thu 2024-10-10 (10-01..10-07 are off; Sun 09-29 and Sat 10-12 are working days); a Monday to
Friday count would give Fri 10-04, a holiday.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar
from django.db import connection
from django.db.models.signals import post_delete, post_save

CACHE_SECONDS = 60
# Years the package is asked about (it knows nothing before 2004).
PACKAGE_FIRST_YEAR = 2004
SOURCE_PACKAGE = "package"
SOURCE_NOTICE = "notice"


class NoHolidayNotice(Exception):
    """No holiday notice for `year`: neither entered by the district nor in the package."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(f"no holiday notice for {year}")


@dataclass(frozen=True)
class YearRules:
    year: int
    holidays: frozenset[dt.date]
    makeup_workdays: frozenset[dt.date]
    source: str  # SOURCE_PACKAGE | SOURCE_NOTICE
    document_number: str = ""
    title: str = ""


@lru_cache(maxsize=64)
def package_year(year: int) -> YearRules | None:
    """The rules `chinese-calendar` holds for `year`, or None outside its range (it raises
    NotImplementedError there)."""
    if year < PACKAGE_FIRST_YEAR:
        return None
    first = dt.date(year, 1, 1)
    try:
        chinese_calendar.is_workday(first)
    except NotImplementedError:
        return None
    holidays, makeup = set(), set()
    day = first
    while day.year == year:
        working = chinese_calendar.is_workday(day)
        weekend = day.weekday() >= 5
        if weekend and working:
            makeup.add(day)
        elif not working and (not weekend or chinese_calendar.get_holiday_detail(day)[1]):
            # a day off of the notice (a weekend inside a holiday period counts too, as the
            # notice lists it: 10月1日至7日放假)
            holidays.add(day)
        day += dt.timedelta(days=1)
    return YearRules(year, frozenset(holidays), frozenset(makeup), SOURCE_PACKAGE)


def package_years(until: int) -> list[int]:
    """The years up to `until` the package covers."""
    return [y for y in range(PACKAGE_FIRST_YEAR, until + 1) if package_year(y) is not None]


class WorkCalendar:
    """The working-day calendar as it stood when it was loaded: the district's notices over
    the package. Every method is pure (no query)."""

    def __init__(self, notices: dict[int, YearRules]):
        self.notices = notices

    def rules(self, year: int) -> YearRules:
        rules = self.notices.get(year) or package_year(year)
        if rules is None:
            raise NoHolidayNotice(year)
        return rules

    def covers(self, year: int) -> bool:
        return year in self.notices or package_year(year) is not None

    def is_working_day(self, day: dt.date) -> bool:
        rules = self.rules(day.year)
        if day in rules.makeup_workdays:
            return True
        if day in rules.holidays:
            return False
        return day.weekday() < 5

    def working_days_after(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after `start` (`start` itself never counts; n ≥ 1)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        day, counted = start, 0
        while counted < n:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days elapsed after `a` up to and including `b` (0 when b == a; negative,
        counted the other way, when b is before a). "Days waited" = between(since, today);
        "days left" = between(today, due)."""
        if b < a:
            return -self.working_days_between(b, a)
        count, day = 0, a
        while day < b:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


# --- the process cache of district notices ---------------------------------------------------

_lock = threading.Lock()
_cached: tuple[float, WorkCalendar] | None = None


def _load_notices() -> dict[int, YearRules]:
    from tuoyu.regions.models import HolidayNotice

    out = {}
    for row in HolidayNotice.objects.values(
        "year", "holidays", "makeup_workdays", "document_number", "title"
    ):
        out[row["year"]] = YearRules(
            year=row["year"],
            holidays=frozenset(dt.date.fromisoformat(d) for d in row["holidays"] or []),
            makeup_workdays=frozenset(
                dt.date.fromisoformat(d) for d in row["makeup_workdays"] or []
            ),
            source=SOURCE_NOTICE,
            document_number=row["document_number"],
            title=row["title"],
        )
    return out


def calendar() -> WorkCalendar:
    """The calendar (one query at most; cached per process outside transactions)."""
    global _cached
    now = time.monotonic()
    cached = _cached
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    loaded = WorkCalendar(_load_notices())
    if not connection.in_atomic_block:
        with _lock:
            _cached = (now, loaded)
    return loaded


def clear_cache() -> None:
    global _cached
    with _lock:
        _cached = None


def _notice_changed(sender, **kwargs) -> None:
    clear_cache()


def connect_signals() -> None:
    """Any write of a notice (the service, the admin, a factory) drops the cache (ready())."""
    from tuoyu.regions.models import HolidayNotice

    post_save.connect(_notice_changed, sender=HolidayNotice, dispatch_uid="regions.holiday_save")
    post_delete.connect(
        _notice_changed, sender=HolidayNotice, dispatch_uid="regions.holiday_delete"
    )


# --- the module-level shortcuts ----------------------------------------------------------------


def is_working_day(day: dt.date) -> bool:
    return calendar().is_working_day(day)


def working_days_after(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` (P-FIL-2 deadlines)."""
    return calendar().working_days_after(start, n)


def working_days_between(a: dt.date, b: dt.date) -> int:
    """Working days elapsed after `a` up to and including `b`."""
    return calendar().working_days_between(a, b)


def missing_next_year_notice(today: dt.date) -> int | None:
    """The next calendar year when today is in December and nothing covers that year yet
    (the loud warning of P-FIL-2: deadlines running into it cannot be computed), else None."""
    if today.month != 12:
        return None
    year = today.year + 1
    return None if calendar().covers(year) else year
