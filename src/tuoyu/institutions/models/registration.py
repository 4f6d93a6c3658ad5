from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegistrationEvent(models.Model):
    """A registration, change or deregistration pushed by a registration authority
    (API-CONTRACT §1, P-REG-11), or entered/uploaded by its staff. `event_id` is the
    idempotency key: a unique constraint, not a check in Python."""

    class Action(models.TextChoices):
        REGISTERED = "registered", _("登记")
        CHANGED = "changed", _("变更")
        DEREGISTERED = "deregistered", _("注销")

    class Channel(models.TextChoices):
        API = "api", _("接口推送")
        FORM = "form", _("页面录入")
        EXCEL = "excel", _("Excel 导入")

    event_id = models.CharField(_("事件编号"), max_length=100, unique=True)
    authority = models.CharField(_("登记机关"), max_length=40)
    action = models.CharField(_("事项"), max_length=16, choices=Action.choices)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, db_index=True)
    payload = models.JSONField(_("原始报文"))
    payload_hash = models.CharField(max_length=64)
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="registration_events"
    )
    occurred_at = models.DateTimeField(_("发生时间"))
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True)
    received_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    response = models.JSONField(_("应答"), default=dict)
    # {field: [before, after]} of the registration facts this event changed (empty for a
    # first registration); with the rows of one institution, the history of its changes.
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("登记信息推送")
        verbose_name_plural = _("登记信息推送")
        indexes = [
            # An authority's own events, newest first (the registrations page).
            models.Index(fields=["authority", "-received_at"], name="regevent_authority_recv"),
        ]

    def __str__(self) -> str:
        return self.event_id
