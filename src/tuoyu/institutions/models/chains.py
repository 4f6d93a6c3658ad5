from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tuoyu.core.filenames import RandomName


class ChainAgreement(models.Model):
    """P-REG-13: a chain's head company and the scope within which its new branches are
    filed through the simplified path (filed, not separately approved)."""

    head = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="chain_agreements",
        verbose_name=_("总部机构"),
    )
    agreement_number = models.CharField(_("协议编号"), max_length=60, unique=True)
    townships = models.ManyToManyField(
        "regions.Region", related_name="+", verbose_name=_("适用镇乡街道")
    )
    max_branches = models.PositiveSmallIntegerField(_("分支机构上限"))
    valid_from = models.DateField(_("生效日期"))
    valid_until = models.DateField(_("截止日期"))
    document = models.FileField(_("协议文件"), upload_to=RandomName("chains/%Y/"), blank=True)
    # Ending an agreement early keeps its original validity: `ended_on` is the last day it
    # applies (history is never overwritten; the audit log holds every edit).
    ended_on = models.DateField(_("提前终止日期"), null=True, blank=True)
    end_reason = models.TextField(_("终止原因"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("连锁经营协议")
        verbose_name_plural = _("连锁经营协议")
        constraints = [
            models.CheckConstraint(
                name="chain_valid_until_after_from",
                condition=models.Q(valid_until__gte=models.F("valid_from")),
            ),
            models.CheckConstraint(
                name="chain_max_branches_positive", condition=models.Q(max_branches__gte=1)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.head.name} {self.agreement_number}"

    @property
    def last_day(self):
        """The last day the agreement applies: its validity end, or the early end."""
        if self.ended_on is not None and self.ended_on < self.valid_until:
            return self.ended_on
        return self.valid_until

    def applies_on(self, day) -> bool:
        return self.valid_from <= day <= self.last_day
