"""Technical bounds of what enters the platform ([hardening] points 6 and 7).

Every number, date and text a person or another system sends has bounds that are checked
before anything reaches the database, each with a coded error (`out_of_range`,
`date_out_of_range`, `too_long`, all `CoreError`). Policy numbers (class sizes, ages,
subsidies) come from `tuoyu.policy`; the bounds here are technical — they keep values
inside what the columns, the pages and date arithmetic can hold, and far outside anything
real — so they are named constants, each with the reason for its value. A model field's
`max_digits` or `max_length` is the last line of defence, never the first.
"""

from __future__ import annotations

import datetime as dt

from django.utils.functional import lazy
from django.utils.translation import gettext

from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError, ErrorItem

# Dates a person or a system may give (registration times, validity periods, designations,
# cancellation days): the platform regulates a service that began after 2000, and nothing
# is planned beyond 2100. Year 1 or 9999 with an extreme UTC offset overflowed the
# conversion to Shanghai time (a 500); a bounded year can never overflow.
DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)

# What a search box takes: a name or a code; longer is no search.
SEARCH_MAX_LENGTH = 100
# Identifiers typed into a form (filing numbers are `TY<district>-<year>-<seq>`; 40 is the
# column's length).
FILING_NUMBER_MAX_LENGTH = 40


def max_length_hint(limit: int):
    """ "最多 N 字": the hint shown under a text field (lazy: translated per request)."""
    return lazy(lambda: gettext("最多 %(max)s 字") % {"max": limit}, str)()


def too_long_item(*, field: str | None, label: str, limit: int) -> ErrorItem:
    return ErrorItem(
        CoreError.TOO_LONG,
        gettext("%(label)s最多 %(max)s 字") % {"label": label, "max": limit},
        field=field,
    )


def text_check(value, *, field: str | None, label: str, limit: int, required: bool = False) -> str:
    """`value` stripped; `too_long` above `limit` characters, `required` when empty and
    required (both 422)."""
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if required and not text:
        raise DomainError(
            CoreError.REQUIRED, gettext("请填写%(label)s") % {"label": label}, field=field
        )
    if len(text) > limit:
        raise DomainError(errors=[too_long_item(field=field, label=label, limit=limit)])
    return text


def date_out_of_range_item(*, field: str | None, label: str) -> ErrorItem:
    return ErrorItem(
        CoreError.DATE_OUT_OF_RANGE,
        gettext("%(label)s应在 %(min)s 至 %(max)s 之间")
        % {"label": label, "min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()},
        field=field,
    )


def date_in_range(day: dt.date | dt.datetime | None) -> bool:
    if day is None:
        return True
    if isinstance(day, dt.datetime):
        day = day.date()
    return DATE_MIN <= day <= DATE_MAX


def date_check(day, *, field: str | None, label: str) -> None:
    """`date_out_of_range` (422) for a date outside DATE_MIN..DATE_MAX (None passes: the
    caller says whether the date is required)."""
    if not date_in_range(day):
        raise DomainError(errors=[date_out_of_range_item(field=field, label=label)])
