from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from tuoyu.audit.models import GENESIS_HASH, AuditEvent


@dataclass
class ChainReport:
    checked: int
    ok: bool
    broken_seq: int | None = None
    reason: str = ""


def audit_events(
    *, acting_user, action: str = "", object_type: str = "", actor: str = "", kind: str = ""
) -> QuerySet[AuditEvent]:
    from tuoyu.accounts.scopes import scope_for

    qs = scope_for(acting_user).audit_events(AuditEvent.objects.all())
    if action:
        qs = qs.filter(action__startswith=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if actor:
        qs = qs.filter(actor_username=actor)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-seq")


def audit_chain_verify(*, batch_size: int = 5000) -> ChainReport:
    """Recompute every hash in sequence order; report the first broken link."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size):
        if event.seq != expected_seq:
            return ChainReport(checked, False, expected_seq, f"缺少序号 {expected_seq} 的事件")
        if event.prev_hash != expected_prev:
            return ChainReport(checked, False, event.seq, "前序哈希与上一事件不符")
        if event.compute_hash() != event.hash:
            return ChainReport(checked, False, event.seq, "事件内容与其哈希不符（已被篡改）")
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
    return ChainReport(checked, True)
