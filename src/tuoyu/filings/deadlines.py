"""P-FIL-2 deadlines of a filing application, in working days on the official calendar
(`tuoyu.regions.workdays`: the State Council's yearly holiday notice, make-up working days
included): "the receipt is issued within 5 working days of complete materials; an
institution that does not meet the rules is told within 15 working days".

The rules the platform applies:
- **Materials complete** on the local date of the submission that passed the completeness
  check (`checks.submission_errors`). A resubmission after a return restarts the clock: the
  reviewers found the materials or facts wanting, so they were complete only when resubmitted.
- **Receipt due** `filing.receipt_working_days` (5) working days after; **notice due**
  `filing.rejection_notice_working_days` (15) working days after (policy of that date).
- An application **in review or awaiting the decision** is *overdue* once today is past the
  receipt deadline: an application that meets the rules must have its receipt by then (the
  15-day limit applies only to a not-accepted notice, and is shown beside it). A returned
  application waits for the institution: its clock is not running. A decided application
  shows whether it was decided in time (approved: the receipt deadline; rejected: the
  notice deadline).
- When the calendar lacks a year (no notice entered and beyond the package), no date is
  guessed: `deadline_unknown_year` names the year and pages say "期限待定"; entering the
  notice recomputes (`services.filing_deadlines_recompute`, on `holiday_notice_saved`).

Everything here is pure given a `WorkCalendar` (load it once per request with
`workdays.calendar()`; no query per row).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tuoyu import policy
from tuoyu.filings.models import FilingApplication
from tuoyu.regions.workdays import NoHolidayNotice, WorkCalendar

S = FilingApplication.Status
RUNNING = (S.IN_REVIEW, S.AWAITING_DECISION)


def compute(
    on: dt.date, calendar: WorkCalendar
) -> tuple[dt.date | None, dt.date | None, int | None]:
    """(receipt due, notice due, unknown year) for materials complete on `on`. Each date is
    None when a year it runs into has no holiday notice; the first such year is returned."""
    rules = policy.at(on).filing
    unknown = None
    dates = []
    for n in (rules.receipt_working_days, rules.rejection_notice_working_days):
        try:
            dates.append(calendar.working_days_after(on, n))
        except NoHolidayNotice as exc:
            dates.append(None)
            unknown = unknown or exc.year
    return dates[0], dates[1], unknown


def apply(application: FilingApplication, on: dt.date, calendar: WorkCalendar) -> None:
    """Set the deadline fields of `application` for materials complete on `on` (not saved)."""
    application.materials_complete_on = on
    (
        application.receipt_due_on,
        application.notice_due_on,
        application.deadline_unknown_year,
    ) = compute(on, calendar)


@dataclass(frozen=True)
class Deadline:
    """What a page shows of an application's deadline.

    state: "none" (no complete materials yet, or withdrawn), "unknown" (a year of the
    calendar is missing: `unknown_year`), "paused" (returned to the institution), "running"
    (days_left ≥ 0), "overdue" (overdue_by working days, ≥ 0 — 0 on a day off right after
    the deadline), "on_time" / "late" (decided; late_by working days)."""

    state: str
    receipt_due_on: dt.date | None = None
    notice_due_on: dt.date | None = None
    unknown_year: int | None = None
    days_left: int | None = None
    overdue_by: int | None = None
    late_by: int | None = None

    @property
    def overdue(self) -> bool:
        return self.state == "overdue"


def deadline_of(
    application: FilingApplication, *, calendar: WorkCalendar, today: dt.date
) -> Deadline:
    if application.materials_complete_on is None or application.status in (
        S.DRAFT,
        S.WITHDRAWN,
    ):
        return Deadline("none")
    if application.receipt_due_on is None:
        return Deadline("unknown", unknown_year=application.deadline_unknown_year)
    base = {
        "receipt_due_on": application.receipt_due_on,
        "notice_due_on": application.notice_due_on,
        # the notice deadline may still wait for a year's holiday notice
        "unknown_year": application.deadline_unknown_year,
    }
    due = application.receipt_due_on
    try:
        if application.status == S.RETURNED:
            return Deadline("paused", **base)
        if application.status in RUNNING:
            if today <= due:
                return Deadline(
                    "running", days_left=calendar.working_days_between(today, due), **base
                )
            return Deadline("overdue", overdue_by=calendar.working_days_between(due, today), **base)
        if application.decided_at is None:
            return Deadline("none", **base)
        decided_on = policy.as_date(application.decided_at)
        limit = application.notice_due_on if application.status == S.REJECTED else due
        if limit is None or decided_on <= limit:
            return Deadline("on_time", **base)
        return Deadline("late", late_by=calendar.working_days_between(limit, decided_on), **base)
    except NoHolidayNotice as exc:
        return Deadline("unknown", **{**base, "unknown_year": exc.year})


def waited_working_days(
    since: dt.datetime | dt.date | None, *, calendar: WorkCalendar, today: dt.date
) -> int | None:
    """Working days waited since `since` (a timestamp, taken as its local date) up to and
    including today; None without a start or when a year of the calendar is missing."""
    if since is None:
        return None
    try:
        return calendar.working_days_between(policy.as_date(since), today)
    except NoHolidayNotice:
        return None
