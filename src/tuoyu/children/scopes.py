"""Who sees children, their checks and outbreak alerts. Children's records are personal
health data: an institution sees its own, a township those of institutions located in it,
区卫健局 the whole district; no other department sees any (outside the scope = 404)."""

from __future__ import annotations

from django.db.models import QuerySet

from tuoyu.core.scope import Scope


def children_visible(
    qs: QuerySet,
    scope: Scope,
    *,
    institution: str = "institution_id",
    township: str = "institution__township_id",
) -> QuerySet:
    """Rows owned by an institution (children, checks, examinations, alerts)."""
    if scope.is_district and not scope.is_health_bureau:
        return qs.none()
    return scope.filter(qs, institution=institution, township=township)


def may_see_children(scope: Scope) -> bool:
    return scope.is_health_bureau or scope.is_township or scope.is_institution
