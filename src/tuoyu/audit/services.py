"""Every write in tuoyu appends its audit event through `audit_record`, inside the write's
own transaction: if the write rolls back, so does its event, and vice versa."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from tuoyu.audit import context
from tuoyu.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from tuoyu.core.personal import PersonalDataField, Sealed

REDACTED = "〔加密〕"


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


@transaction.atomic
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
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_label = object_label or str(obj)[:200]
    ctx = context.current()
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(
        id=1, defaults={"last_seq": 0, "last_hash": GENESIS_HASH}
    )
    event = AuditEvent(
        seq=head.last_seq + 1,
        occurred_at=timezone.now(),
        kind=kind,
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        object_label=object_label[:200],
        changes=_json_safe(changes or {}),
        detail=_json_safe(detail or {}),
        request_id=ctx.request_id,
        ip=ctx.ip,
        prev_hash=head.last_hash,
        **_actor_fields(actor),
    )
    event.hash = event.compute_hash()
    event.save(force_insert=True)
    head.last_seq = event.seq
    head.last_hash = event.hash
    head.save(update_fields=["last_seq", "last_hash"])
    return event


def personal_value_reveal(*, actor, obj: models.Model, field_name: str, purpose: str = "") -> str:
    """The clear value of a personal-data field, with an audited read (who saw whose what)."""
    value = getattr(obj, field_name)
    if not value:
        return ""
    if not isinstance(value, Sealed):
        raise TypeError("只能查看已保存的加密字段")
    clear = value.reveal()
    audit_record(
        action="personal_data.read",
        kind=AuditEvent.Kind.PII_READ,
        actor=actor,
        obj=obj,
        detail={"field": field_name, "purpose": purpose},
    )
    return clear
