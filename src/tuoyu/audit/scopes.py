"""Who reads which audit events ([house] point 4): 区卫健局 and the platform operators read
the whole log; everyone else only the events they caused."""

from __future__ import annotations

from django.db.models import QuerySet

from tuoyu.core.scope import Scope


def audit_events_visible(qs: QuerySet, scope: Scope) -> QuerySet:
    if scope.is_system or scope.is_health_bureau:
        return qs
    if scope.user_id is None:
        return qs.none()
    return qs.filter(actor_id=scope.user_id)
