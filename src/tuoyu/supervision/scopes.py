"""Who sees what of supervision ([house] point 4; outside the scope is 404):

- 区卫健局 (lead, coordinates supervision, receives escalations, P-ORG-2): everything;
- another department: the complaints routed to it or of which it was told (urgent, P-SUP-6),
  its own plans, inspections and orders;
- a township (P-ORG-2: knows every institution in its area): all of it about the
  institutions located in its township;
- an institution: the complaints about it (never who complained) and its own inspections
  and orders.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tuoyu.core.scope import Scope

_BY_INSTITUTION = {"institution": "institution_id", "township": "institution__township_id"}


def complaints_visible(qs: QuerySet, scope: Scope) -> QuerySet:
    if scope.is_health_bureau:
        return qs
    if scope.is_district:
        code = scope.department_code
        return qs.filter(Q(department_code=code) | Q(notified_departments__contains=f",{code},"))
    return scope.filter(qs, **_BY_INSTITUTION)


def department_owned_visible(qs: QuerySet, scope: Scope) -> QuerySet:
    """Inspections and rectification orders: the department's own; 区卫健局 all."""
    if scope.is_health_bureau:
        return qs
    if scope.is_district:
        return qs.filter(department_code=scope.department_code)
    return scope.filter(qs, **_BY_INSTITUTION)


def plans_visible(qs: QuerySet, scope: Scope) -> QuerySet:
    if scope.is_health_bureau:
        return qs
    if scope.is_district:
        return qs.filter(department_code=scope.department_code)
    return qs.none()


def institution_owned_visible(qs: QuerySet, scope: Scope) -> QuerySet:
    """Credit events and risk scores: departments all, a township its area, an institution
    its own."""
    return scope.filter(qs, **_BY_INSTITUTION)


def may_see_complainant(scope: Scope) -> bool:
    """The contact of a complainant who did not stay anonymous: departments only."""
    return scope.is_district
