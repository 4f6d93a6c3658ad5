from __future__ import annotations

from django.db.models import QuerySet

from tuoyu.audit import chain
from tuoyu.audit.chain import ChainProblem, ChainReport, ChainState
from tuoyu.audit.models import AuditEvent
from tuoyu.audit.scopes import audit_events_visible
from tuoyu.core.scope import scope_of

__all__ = ["ChainProblem", "ChainReport", "ChainState", "audit_chain_verify", "audit_events"]


def audit_events(
    *, acting_user, action: str = "", object_type: str = "", actor: str = "", kind: str = ""
) -> QuerySet[AuditEvent]:
    qs = audit_events_visible(AuditEvent.objects.all(), scope_of(acting_user))
    if action:
        qs = qs.filter(action__startswith=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if actor:
        qs = qs.filter(actor_username=actor)
    if kind:
        qs = qs.filter(kind=kind)
    # Newest first across every chain; seq counts within one chain only.
    return qs.order_by("-occurred_at", "-id")


def audit_chain_verify(*, batch_size: int = 5000) -> ChainReport:
    """Verify every audit chain against its head ([house] point 6, `tuoyu.audit.chain`):
    `.ok`, `.checked`, and where it broke (`.broken_chain`, `.broken_seq`, `.reason`)."""
    return chain.verify(batch_size=batch_size)
