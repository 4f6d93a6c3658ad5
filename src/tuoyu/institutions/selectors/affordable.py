"""Reads for affordable (普惠) designations (P-MODE-2), scope applied.

A designation runs from `starts_on` to `ends_on` inclusive (open-ended when `ends_on` is
null); a withdrawal sets `ends_on` on the same row, so the history is the rows themselves.
One ended before it started (filing cancelled first) has `ends_on < starts_on`: an empty
period, affordable on no day; every filter below reads it so without a special case.
Designations of one institution never overlap (enforced by the service under a row lock).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from tuoyu.core.errors import NotFound
from tuoyu.core.scope import scope_of
from tuoyu.institutions.models import AffordableDesignation, Institution
from tuoyu.institutions.scopes import (
    institution_owned_visible,
)
from tuoyu.policy import as_date


def affordable_exists(on_date, *, institution_ref: str = "pk") -> Exists:
    """An `Exists` expression: the institution (`OuterRef(institution_ref)`) is designated
    affordable on `on_date`. Usable in filters and annotations of any queryset."""
    day = as_date(on_date)
    return Exists(
        AffordableDesignation.objects.filter(
            institution_id=OuterRef(institution_ref), starts_on__lte=day
        ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
    )


def affordable_on(institution_qs: QuerySet[Institution], on_date) -> QuerySet[Institution]:
    """`institution_qs` annotated with `affordable` (bool): designated 普惠 on `on_date`
    (P-MODE-2). One SQL subquery, no per-row query. The queryset is scoped by the caller."""
    return institution_qs.annotate(affordable=affordable_exists(on_date))


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def affordable_periods(institution, start: dt.date, end: dt.date) -> list[Period]:
    """The periods within [start, end] (inclusive) during which `institution` (an
    Institution or its id) was designated affordable, clipped to the range, oldest first.
    `sum(p.days for p in …)` is the number of affordable days, e.g. in a subsidy year
    (P-SUB-2 operating subsidies prorated by days)."""
    if end < start:
        return []
    pk = getattr(institution, "pk", institution)
    rows = (
        AffordableDesignation.objects.filter(institution_id=pk, starts_on__lte=end)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start))
        .order_by("starts_on")
        .values_list("starts_on", "ends_on")
    )
    out: list[Period] = []
    for s, e in rows:
        if e is not None and e < s:
            continue  # ended before it started: no affordable day (P-MODE-2)
        period = Period(max(s, start), min(e or end, end))
        if out and period.start <= out[-1].end + dt.timedelta(days=1):
            # Adjacent designations (one ends, the next starts the day after) read as one.
            out[-1] = Period(out[-1].start, max(out[-1].end, period.end))
        else:
            out.append(period)
    return out


def affordable_days(institution, start: dt.date, end: dt.date) -> int:
    return sum(p.days for p in affordable_periods(institution, start, end))


def _designations(acting_user) -> QuerySet[AffordableDesignation]:
    return institution_owned_visible(AffordableDesignation.objects.all(), scope_of(acting_user))


def affordable_designations(
    *, acting_user, status: str | None = None, q: str | None = None, on_date=None
) -> QuerySet[AffordableDesignation]:
    """Designations the user may see, newest first. `status`: "current" (applies on
    `on_date`), "future", "ended" (ended or withdrawn before it), or None for all; `q`
    searches the institution's name and USCC and the decision reference."""
    day = as_date(on_date)
    qs = _designations(acting_user).select_related(
        "institution", "institution__township", "decided_by", "withdrawn_by"
    )
    if q:
        q = q.strip()
        qs = qs.filter(
            Q(institution__name__icontains=q)
            | Q(institution__uscc=q.upper())
            | Q(decision_ref__icontains=q)
        )
    current = Q(starts_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))
    if status == "current":
        qs = qs.filter(current)
    elif status == "future":
        # a designation ended before its start will never begin: not "future"
        qs = qs.filter(starts_on__gt=day).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on"))
        )
    elif status == "ended":
        qs = qs.filter(Q(ends_on__lt=day) | Q(ends_on__lt=F("starts_on")))
    return qs.order_by("-starts_on", "institution__name")


def affordable_history(*, acting_user, institution: Institution) -> list[AffordableDesignation]:
    """Every designation of `institution`, newest first (the 普惠认定 tab)."""
    return list(
        _designations(acting_user)
        .filter(institution=institution)
        .select_related("decided_by", "withdrawn_by")
        .order_by("-starts_on")
    )


def affordable_designation_get(*, acting_user, pk: int) -> AffordableDesignation:
    row = _designations(acting_user).select_related("institution").filter(pk=pk).first()
    if row is None:
        raise NotFound("普惠性认定记录不存在或无权访问")
    return row
