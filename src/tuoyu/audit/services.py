"""Every write in tuoyu appends its audit event through `audit_record`, inside the write's
own transaction: if the write rolls back, so does its event, and vice versa.

Events go to one chain per shard ([house] point 6, `tuoyu.audit.chain`): the institution
for institution-owned records, else the actor's department, township or institution, else
the district. Only that chain's head is locked until commit. Bulk writes (an import of
2,000 rows, a batch of 5,000 health checks) append one event through `audit_record_bulk`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from tuoyu.audit import chain as chains
from tuoyu.audit import context
from tuoyu.audit.catalogue import AuditLogAction
from tuoyu.audit.models import AuditEvent
from tuoyu.core.catalogue import check_audit_action
from tuoyu.core.personal import PersonalDataField, Sealed

REDACTED = "〔加密〕"
TRUNCATED = "…"
# [hardening] point 9: the text columns an input can overflow; each is cut, never refused.
_CUT_COLUMNS = (
    "kind",
    "action",
    "actor_username",
    "actor_scope",
    "object_type",
    "object_id",
    "object_label",
    "request_id",
    "ip",
)


def _cut(value: str, max_length: int) -> str:
    """`value` within `max_length`, its last character "…" when it was cut."""
    return value if len(value) <= max_length else value[: max_length - 1] + TRUNCATED


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, default=str))


def _actor_fields(actor) -> dict:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor_id": None, "actor_username": "", "actor_scope": ""}
    scope = getattr(actor, "scope_label", "") or ""
    return {"actor_id": actor.pk, "actor_username": actor.get_username(), "actor_scope": scope}


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict:
    """Field values of `instance` for before/after comparison; personal data is redacted
    so the audit log never holds a clear personal value."""
    out = {}
    for f in instance._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        if f.name in ("created_at", "updated_at") or getattr(f, "source", None):
            continue
        value = getattr(instance, f.attname)
        if isinstance(f, PersonalDataField) or isinstance(value, Sealed):
            value = REDACTED if value else ""
        out[f.name] = value
    return _json_safe(out)


def diff(before: dict, after: dict) -> dict:
    """{field: [before, after]} for fields whose value changed."""
    keys = set(before) | set(after)
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def audit_record(
    *,
    action: str,
    actor=None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_label: str = "",
    changes: dict | None = None,
    detail: dict | None = None,
    kind: str = AuditEvent.Kind.WRITE,
    shard: str = "",
) -> AuditEvent:
    """Append one event to its shard's chain (`shard` overrides the choice of
    `tuoyu.audit.chain.shard_for`, e.g. `institution:42`) and return it.

    Runs in the caller's transaction without a savepoint of its own (two round trips less
    per write): if appending fails, the caller's whole transaction rolls back — a write
    never commits without its event. A bad `shard` raises ValueError before anything runs."""
    check_audit_action(action)  # [house] point 5: a catalogued action, else refused/logged
    chain = chains.check_chain_name(shard or chains.shard_for(obj=obj, actor=actor))
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_label = object_label or str(obj)
    ctx = context.current()
    event = AuditEvent(
        occurred_at=timezone.now(),
        kind=kind,
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        object_label=object_label,
        changes=_json_safe(changes or {}),
        detail=_json_safe(detail or {}),
        request_id=ctx.request_id,
        ip=ctx.ip,
        **_actor_fields(actor),
    )
    for name in _CUT_COLUMNS:
        value = str(getattr(event, name) or "")
        setattr(event, name, _cut(value, AuditEvent._meta.get_field(name).max_length))
    with transaction.atomic(savepoint=False):
        return chains.append(event, chain=chain)


BULK_IDS_INLINE = 50


def bulk_ids_digest(object_ids: list) -> tuple[list[str], str]:
    """The ids as sorted strings (numerically when every id is an integer) and the SHA-256
    of them joined by newlines: what `audit_record_bulk` stores, so anyone holding the list
    of ids can recompute and compare the digest."""
    if all(isinstance(i, int) and not isinstance(i, bool) for i in object_ids):
        ordered = [str(i) for i in sorted(object_ids)]
    else:
        ordered = sorted(str(i) for i in object_ids)
    return ordered, hashlib.sha256("\n".join(ordered).encode()).hexdigest()


def audit_record_bulk(
    *,
    action: str,
    actor=None,
    object_type: str,
    object_ids: list,
    detail: dict | None = None,
    shard: str = "",
) -> AuditEvent:
    """ONE event for a write of many rows of `object_type`: their count and the SHA-256 of
    their sorted ids (`bulk_ids_digest`); the ids themselves when there are at most 50,
    else only the first and the last. `detail["bulk"]` holds these."""
    object_ids = list(object_ids)
    if not object_ids:
        raise ValueError("批量审计事件至少需要一个对象编号")
    ordered, ids_sha256 = bulk_ids_digest(object_ids)
    bulk: dict[str, Any] = {"count": len(ordered), "ids_sha256": ids_sha256}
    if len(ordered) <= BULK_IDS_INLINE:
        bulk["ids"] = ordered
    else:
        bulk["first"], bulk["last"] = ordered[0], ordered[-1]
    return audit_record(
        action=action,
        actor=actor,
        object_type=object_type,
        object_label=f"批量 {len(ordered)} 条",
        detail={**(detail or {}), "bulk": bulk},
        shard=shard,
    )


def personal_value_reveal(*, actor, obj: models.Model, field_name: str, purpose: str = "") -> str:
    """The clear value of a personal-data field, with an audited read (who saw whose what)."""
    value = getattr(obj, field_name)
    if not value:
        return ""
    if not isinstance(value, Sealed):
        raise TypeError("只能查看已保存的加密字段")
    clear = value.reveal()
    audit_record(
        action=AuditLogAction.PERSONAL_DATA_READ,
        kind=AuditEvent.Kind.PII_READ,
        actor=actor,
        obj=obj,
        detail={"field": field_name, "purpose": purpose},
    )
    return clear
