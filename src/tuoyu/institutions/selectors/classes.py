"""Reads for classes and slots (§9.1, P-STD-1), scope applied.

Slots (托位) of an institution = the sum of the capacities of its *filed* classes; proposed
classes (awaiting a filing) and closed classes do not count. Computed in SQL (one aggregate,
or one annotation for a whole list: never a Python loop over institutions).
"""

from __future__ import annotations

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from tuoyu.core.errors import NotFound
from tuoyu.core.scope import scope_of
from tuoyu.institutions.models import CareClass, Institution
from tuoyu.institutions.scopes import (
    institutions_visible,
)


def institution_slots(institution: Institution | int) -> int:
    """Filed slots of one institution (one SQL aggregate)."""
    pk = getattr(institution, "pk", institution)
    total = CareClass.objects.filter(institution_id=pk, status=CareClass.Status.FILED).aggregate(
        total=Sum("capacity")
    )["total"]
    return total or 0


def slots_subquery(outer_ref: str = "pk"):
    """A correlated subquery giving the filed slots of the institution `outer_ref` points at
    (for `.annotate(slots=slots_subquery())` on any institution queryset)."""
    filed = (
        CareClass.objects.filter(institution_id=OuterRef(outer_ref), status=CareClass.Status.FILED)
        .order_by()
        .values("institution_id")
        .annotate(total=Sum("capacity"))
        .values("total")
    )
    return Coalesce(Subquery(filed, output_field=IntegerField()), Value(0))


def annotate_slots(qs: QuerySet[Institution]) -> QuerySet[Institution]:
    """`qs` with `.slots` on every row, in the same query."""
    return qs.annotate(slots=slots_subquery())


def institution_for_classes(*, acting_user, uscc: str) -> Institution:
    """The institution by uscc if the caller's scope covers it, else NotFound (404)."""
    scope = scope_of(acting_user)
    institution = (
        institutions_visible(scope=scope, qs=Institution.objects.all())
        .filter(uscc=(uscc or "").upper())
        .first()
    )
    if institution is None:
        raise NotFound()
    return institution


def classes_for(
    *, acting_user, institution: Institution, statuses: tuple[str, ...] | None = None
) -> QuerySet[CareClass]:
    """The classes of an institution the caller may see, ordered by type then name."""
    scope = scope_of(acting_user)
    qs = scope.filter(
        CareClass.objects.filter(institution=institution),
        institution="institution_id",
        township="institution__township_id",
    )
    if statuses:
        qs = qs.filter(status__in=statuses)
    return qs.order_by("class_type", "name")


def class_get(*, acting_user, institution: Institution, class_id: int) -> CareClass:
    care_class = (
        classes_for(acting_user=acting_user, institution=institution).filter(pk=class_id).first()
    )
    if care_class is None:
        raise NotFound(field="class_id")
    return care_class
