"""Append-only audit log: one keyed hash chain per shard ([house] point 6).

Every event belongs to one chain (`institution:42`, `department:health`,
`township:330703001`, `district`) and carries its position in it (`seq`, 1, 2, …), the
previous event's hash and its own: HMAC-SHA256 under `TUOYU_AUDIT_KEY` of its canonical
content, the chain name included. Changing, moving or removing a row breaks its chain from
that row on, and without the key nobody can recompute the hashes to hide it. Each chain has
one head row (`AuditChainHead`) holding its last seq and hash; appends lock only that row,
so writers in two institutions never wait for each other, and `tuoyu audit_verify`
compares every chain with its head (a deleted tail or an emptied table shows).

Rows cannot be updated or deleted through the ORM; on PostgreSQL triggers refuse it too
(migrations 0002 and 0004).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64
# Events written before per-shard chains (migration 0003): hashed with plain SHA-256 and
# without the chain name, so they are verified with that scheme; nothing new joins it.
LEGACY_CHAIN = "legacy"
DISTRICT_CHAIN = "district"
CHAIN_MAX_LENGTH = 64


class AppendOnlyError(Exception):
    pass


def audit_key() -> bytes:
    """The 32-byte HMAC key of the audit chains (`TUOYU_AUDIT_KEY`, base64)."""
    raw = getattr(settings, "TUOYU_AUDIT_KEY", "") or ""
    try:
        key = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured("TUOYU_AUDIT_KEY 必须是 base64 编码的 32 字节密钥") from exc
    if len(key) != 32:
        raise ImproperlyConfigured("TUOYU_AUDIT_KEY 必须是 base64 编码的 32 字节密钥")
    return key


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("审计日志只能追加，不能修改")

    def delete(self):
        raise AppendOnlyError("审计日志只能追加，不能删除")

    _raw_delete = delete


class AuditEvent(models.Model):
    class Kind(models.TextChoices):
        WRITE = "write", _("数据变更")
        PII_READ = "pii_read", _("个人信息查看")
        AUTH = "auth", _("登录与安全")

    chain = models.CharField(max_length=CHAIN_MAX_LENGTH)
    seq = models.BigIntegerField(editable=False)
    occurred_at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_scope = models.CharField(max_length=200, blank=True)
    object_type = models.CharField(max_length=64, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    object_label = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True, db_index=True)
    ip = models.CharField(max_length=45, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        # `seq` counts within one chain; `id` is the platform-wide order of insertion.
        ordering = ["-id"]
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_event_chain_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计日志只能追加，不能删除")

    def canonical(self) -> str:
        payload = {
            "seq": self.seq,
            "occurred_at": self.occurred_at.isoformat(),
            "kind": self.kind,
            "action": self.action,
            "actor_id": self.actor_id,
            "actor_username": self.actor_username,
            "actor_scope": self.actor_scope,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_label": self.object_label,
            "changes": self.changes,
            "detail": self.detail,
            "request_id": self.request_id,
            "ip": self.ip,
            "prev_hash": self.prev_hash,
        }
        if self.chain != LEGACY_CHAIN:
            # The chain is part of what is signed: moving an event to another chain shows.
            payload["chain"] = self.chain
        return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def compute_hash(self, key: bytes | None = None) -> str:
        """HMAC-SHA256 of the canonical content; plain SHA-256 for the frozen legacy chain."""
        data = self.canonical().encode()
        if self.chain == LEGACY_CHAIN:
            return hashlib.sha256(data).hexdigest()
        return hmac.new(key if key is not None else audit_key(), data, hashlib.sha256).hexdigest()


class AuditChainHead(models.Model):
    """One row per chain: its last sequence number and hash. Locking the row serialises the
    appends to that chain only (PostgreSQL); SQLite serialises all writers anyway."""

    chain = models.CharField(primary_key=True, max_length=CHAIN_MAX_LENGTH)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"{self.chain}#{self.last_seq} {self.last_hash[:12]}"
