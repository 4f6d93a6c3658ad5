"""Append-only, hash-chained audit log.

Each event stores the SHA-256 of its own canonical content plus the previous event's hash,
so changing or removing any row breaks the chain from that row on (`tuoyu audit_verify`).
Rows cannot be updated or deleted through the ORM; on PostgreSQL a trigger refuses it too.
"""

from __future__ import annotations

import hashlib
import json

from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AppendOnlyError(Exception):
    pass


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

    seq = models.BigIntegerField(unique=True, editable=False)
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
        ordering = ["-seq"]
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

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
        return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical().encode()).hexdigest()


class AuditChainHead(models.Model):
    """One row: the last sequence number and hash. Locking it serialises appends so the
    chain never forks under concurrent writers (PostgreSQL); SQLite serialises writers."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"
