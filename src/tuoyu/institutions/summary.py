"""Figures lists sort and filter by, stored on the institution row ([scale] #10 point 6).

Before, the directory and the public list computed them per row per request (correlated
subqueries evaluated for every row before LIMIT, so a deep page or the slots sort cost the
whole table). Now:

- `Institution.filed_slots`: the sum of the capacities of its filed classes (§9.1). Kept by
  `CareClass.save()` and by the class services that write in bulk (`care_classes_file`,
  `care_classes_close`, `institutions_filed_in_bulk`), through `slots_refresh`.
- `Institution.affordable_from` / `affordable_until`: the first and last day of its latest
  普惠 designation (P-MODE-2; null: none). Designations of an institution never overlap, so
  on a day on or after the latest one's start only that one can apply; on an earlier day
  (a future designation stored, or a day in the past) the designation rows are asked
  (`affordable_on_day`, an indexed subquery for those rows only). It changes only when a
  designation is written (`AffordableDesignation.save()/delete()`, `affordable_refresh`),
  never with the date, so no daily job is needed.

`refresh(ids=None)` recomputes both for the given institutions (all when None): the seed's
bulk paths and the migration's backfill use it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import (
    BooleanField,
    Case,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce


def _ids(ids: Iterable[int] | None, chunk_size: int = 2000):
    if ids is None:
        yield None
        return
    ids = sorted(set(ids))
    for i in range(0, len(ids), chunk_size):
        yield ids[i : i + chunk_size]


def slots_refresh(ids: Iterable[int] | None = None) -> None:
    """`filed_slots` of the institutions `ids` (all when None), in one UPDATE a chunk."""
    from tuoyu.institutions.models import CareClass, Institution

    total = (
        CareClass.objects.filter(institution_id=OuterRef("pk"), status=CareClass.Status.FILED)
        .order_by()
        .values("institution_id")
        .annotate(total=Sum("capacity"))
        .values("total")
    )
    value = Coalesce(Subquery(total, output_field=IntegerField()), Value(0))
    for chunk in _ids(ids):
        qs = (
            Institution.objects.all() if chunk is None else Institution.objects.filter(pk__in=chunk)
        )
        qs.update(filed_slots=value)


def affordable_refresh(ids: Iterable[int] | None = None) -> None:
    """`affordable_from` / `affordable_until` of the institutions `ids` (all when None):
    the latest designation's days."""
    from tuoyu.institutions.models import AffordableDesignation, Institution

    latest = AffordableDesignation.objects.filter(institution_id=OuterRef("pk")).order_by(
        "-starts_on", "-pk"
    )
    for chunk in _ids(ids):
        qs = (
            Institution.objects.all() if chunk is None else Institution.objects.filter(pk__in=chunk)
        )
        qs.update(
            affordable_from=Subquery(latest.values("starts_on")[:1]),
            affordable_until=Subquery(latest.values("ends_on")[:1]),
        )


def refresh(ids: Iterable[int] | None = None) -> None:
    ids = None if ids is None else list(ids)
    slots_refresh(ids)
    affordable_refresh(ids)


def affordable_on_day(on_date: dt.date) -> Case:
    """A boolean expression: the row's institution is designated 普惠 on `on_date`
    (P-MODE-2), from the stored days; the designation rows are read only for the rows whose
    latest designation starts after the day."""
    from tuoyu.institutions.selectors.affordable import affordable_exists

    stored = Q(affordable_from__lte=on_date) & (
        Q(affordable_until__isnull=True) | Q(affordable_until__gte=on_date)
    )
    earlier = Q(affordable_from__gt=on_date) & Q(affordable_exists(on_date))
    # CASE: true or false, never null (a row without designation is not affordable).
    return Case(
        When(stored | earlier, then=Value(True)), default=Value(False), output_field=BooleanField()
    )
