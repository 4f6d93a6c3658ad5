"""When a periodic job is due: pure functions of the job's schedule and a clock (no database),
so the scheduler's decisions are tested with a fixed `now`.

A period is a day ("2025-03-01"), an ISO week ("2025-W09") or a month ("2025-03") in
Asia/Shanghai; it falls due at its scheduled local instant (the day at `at`, the week's
`weekday` at `at`, the month's `day` at `at`). The scheduler starts the latest period that
has fallen due if it has no run yet — it never back-fills older missed periods.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tuoyu.core.jobs import JobSpec

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Period:
    key: str
    day: dt.date  # the local date the period is scheduled on
    due_at: dt.datetime  # aware


def local_date(now: dt.datetime) -> dt.date:
    return now.astimezone(SHANGHAI).date()


def period_of(spec: JobSpec, day: dt.date) -> Period:
    """The period of `spec` that contains the local date `day`."""
    if spec.schedule == "daily":
        scheduled, key = day, day.isoformat()
    elif spec.schedule == "weekly":
        year, week, weekday = day.isocalendar()
        scheduled = day + dt.timedelta(days=spec.weekday - (weekday - 1))
        key = f"{year}-W{week:02d}"
    elif spec.schedule == "monthly":
        scheduled, key = day.replace(day=spec.day), f"{day:%Y-%m}"
    else:
        raise ValueError(f"job {spec.name} has no schedule")
    due_at = dt.datetime.combine(scheduled, spec.at_time, tzinfo=SHANGHAI)
    return Period(key=key, day=scheduled, due_at=due_at)


def _previous(spec: JobSpec, period: Period) -> Period:
    if spec.schedule == "daily":
        return period_of(spec, period.day - dt.timedelta(days=1))
    if spec.schedule == "weekly":
        return period_of(spec, period.day - dt.timedelta(days=7))
    return period_of(spec, period.day.replace(day=1) - dt.timedelta(days=1))


def latest_due(spec: JobSpec, now: dt.datetime) -> Period:
    """The most recent period of `spec` whose scheduled instant is at or before `now`."""
    period = period_of(spec, local_date(now))
    return period if period.due_at <= now else _previous(spec, period)


def current_period(spec: JobSpec, now: dt.datetime) -> Period:
    """The period a manual run ("立即运行") at `now` is for: the one containing today, with
    its day no later than today (a weekly job run on Monday for a Friday schedule computes
    as of Monday)."""
    today = local_date(now)
    period = period_of(spec, today)
    if period.day > today:
        return Period(key=period.key, day=today, due_at=period.due_at)
    return period


def due_runs(
    specs: Iterable[JobSpec], now: dt.datetime, existing: set[tuple[str, str]]
) -> list[tuple[JobSpec, Period]]:
    """The (job, period) pairs to start at `now`: for each periodic job its latest due period,
    unless `existing` (a set of (job name, period key)) already holds a run of it."""
    out = []
    for spec in specs:
        if not spec.is_periodic:
            continue
        period = latest_due(spec, now)
        if (spec.name, period.key) not in existing:
            out.append((spec, period))
    return out


WEEKDAYS = (_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日"))


def describe(spec: JobSpec) -> str:
    """The schedule in Chinese, e.g. "每天 02:00"."""
    if spec.schedule == "daily":
        return gettext("每天 %(at)s") % {"at": spec.at}
    if spec.schedule == "weekly":
        return gettext("每%(weekday)s %(at)s") % {"weekday": WEEKDAYS[spec.weekday], "at": spec.at}
    if spec.schedule == "monthly":
        return gettext("每月 %(day)s 日 %(at)s") % {"day": spec.day, "at": spec.at}
    return gettext("按需运行")
