from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuoyu.core.filenames import RandomName


class AffordableDesignation(models.Model):
    """P-MODE-2: 普惠 status as a dated designation with its decision document. The history
    (never overwritten; withdrawal sets `ends_on`) drives subsidies (P-SUB-1, P-SUB-2) and
    target P-TGT-9.

    A designation ended before it started (the filing was cancelled before `starts_on`)
    keeps its row, withdrawn, with `ends_on = starts_on - 1 day`: an empty period, so it is
    affordable on no day and every reader (`starts_on <= day <= ends_on`) counts zero days.
    Only a withdrawn row may end before it starts (constraint `affordable_end_after_start`).
    """

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="affordable_designations"
    )
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("终止日期"), null=True, blank=True)
    decision_ref = models.CharField(_("认定文号"), max_length=100)
    decision_document = models.FileField(
        _("认定文件"), upload_to=RandomName("affordable/%Y/"), blank=True
    )
    withdrawal_ref = models.CharField(_("撤销文号"), max_length=100, blank=True)
    withdrawal_reason = models.TextField(_("撤销原因"), blank=True)
    withdrawn_at = models.DateTimeField(_("撤销登记时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["institution", "-starts_on"]
        verbose_name = _("普惠性认定")
        verbose_name_plural = _("普惠性认定")
        constraints = [
            models.CheckConstraint(
                name="affordable_end_after_start",
                condition=Q(ends_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on"))
                | Q(withdrawn_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution} 普惠 {self.starts_on}–{self.ends_on or ''}"

    # [scale] #10 point 6: the institution's stored latest designation follows the rows
    # (bulk writes call summary.affordable_refresh).
    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        from tuoyu.institutions.summary import affordable_refresh

        affordable_refresh([self.institution_id])

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        from tuoyu.institutions.summary import affordable_refresh

        affordable_refresh([self.institution_id])
        return result

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def never_started(self) -> bool:
        """Ended before its first day (P-MODE-2): affordable on no day."""
        return self.ends_on is not None and self.ends_on < self.starts_on

    def applies_on(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)
