from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CareClass(models.Model):
    """A class (班级) of §9.1. Sizes and ages come from policy data (`policy.at(d).classes`).
    Slots (托位) = the sum of the capacities of filed classes."""

    class ClassType(models.TextChoices):
        INFANT = "infant", _("乳儿班")
        TODDLER_SMALL = "toddler_small", _("托小班")
        TODDLER_LARGE = "toddler_large", _("托大班")
        MIXED = "mixed", _("混合班")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待备案")
        FILED = "filed", _("已备案")
        CLOSED = "closed", _("已撤销")

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="classes"
    )
    name = models.CharField(_("班级名称"), max_length=60)
    class_type = models.CharField(_("班型"), max_length=16, choices=ClassType.choices)
    capacity = models.PositiveSmallIntegerField(_("核定人数"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    closed_on = models.DateField(_("撤销日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["institution", "class_type", "name"]
        verbose_name = _("班级")
        verbose_name_plural = _("班级")
        # Citus-ready: institution-owned, so institution is part of every unique key.
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "name"],
                condition=~models.Q(status="closed"),
                name="careclass_unique_open_name",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_class_type_display()}）"

    # [scale] #10 point 6: the institution's stored `filed_slots` follows its filed classes
    # (a proposed class counts for nothing; bulk writes call summary.slots_refresh).
    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if self.status != self.Status.PROPOSED:
            from tuoyu.institutions.summary import slots_refresh

            slots_refresh([self.institution_id])

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        from tuoyu.institutions.summary import slots_refresh

        slots_refresh([self.institution_id])
        return result
