"""Where a filing's staff section comes from when the institution keeps a roster (P-STD-2,
P-WF-1), without filings importing the app that keeps it (floor 9 above filings, [house]
point 3): the workforce app registers a provider in its AppConfig.ready() that counts the
institution's employments active on a day, by filing role, and how many of them hold a
valid certificate of the kind the form means by 持证.

Until such a provider is registered, or while an institution has no active employment on
the roster, `roster_staff` answers None and the application's staff section is typed in as
before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from tuoyu.filings import checks

# (institution id, day) → {role: {"count": n, "certified": n}} for every filing role, or None
# when the institution has no active employment on the roster that day
StaffSource = Callable[[int, dt.date], dict | None]

_sources: dict[str, StaffSource] = {}


def _name(func) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def register_staff_source(func: StaffSource) -> StaffSource:
    _sources[_name(func)] = func
    return func


def unregister(func) -> None:
    _sources.pop(_name(func), None)


def roster_staff(institution, day: dt.date) -> dict | None:
    """The staff section as the roster gives it on `day` (the first provider that answers),
    in the shape `checks.clean_staff` gives (every role, certified ≤ count); None: no roster,
    the counts are typed."""
    institution_id = getattr(institution, "pk", institution)
    for source in _sources.values():
        counts = source(institution_id, day)
        if counts is not None:
            return checks.clean_staff(counts)
    return None
