from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OperatingMode(models.TextChoices):
    """P-MODE-1 service modes."""

    FAMILY_CARE = "family_care", _("家庭照护（家庭托育点）")
    COMMUNITY = "community", _("社区统筹")
    SOCIAL = "social", _("社会兴办")
    EMPLOYER = "employer", _("单位自建")
    KINDERGARTEN_CLASS = "kindergarten_class", _("幼儿园办托班")
    PUBLIC_PRIVATE = "public_private", _("公办民营")
    PRIVATE_PUBLIC_SUPPORT = "private_public_support", _("民办公助")


class InstitutionForm(models.TextChoices):
    """P-MODE-1 forms."""

    EMBEDDED = "embedded", _("嵌入式")
    DISTRIBUTED = "distributed", _("分布式")
    CHAIN = "chain", _("连锁化")
    SPECIALISED = "specialised", _("专业化")
    SERVICE_POINT = "service_point", _("服务点")


class SearchTokensField(models.TextField):
    """The search tokens of the row's name and address ([scale] #10 point 5,
    `tuoyu.institutions.search`), computed whenever the row is written through the ORM
    (`save()`) or `core.bulk_insert` (both call `pre_save`)."""

    def pre_save(self, model_instance, add):
        from tuoyu.institutions.search import institution_document

        value = institution_document(model_instance)
        setattr(model_instance, self.attname, value)
        return value


class Institution(models.Model):
    class LegalForm(models.TextChoices):
        COMPANY = "company", _("企业")
        SOCIAL_ORGANIZATION = "social_organization", _("社会组织")
        PUBLIC_INSTITUTION = "public_institution", _("事业单位")
        KINDERGARTEN = "kindergarten", _("幼儿园（托幼一体化）")

    class RegistrationStatus(models.TextChoices):
        REGISTERED = "registered", _("已登记")
        DEREGISTERED = "deregistered", _("已注销登记")

    class FilingStatus(models.TextChoices):
        NOT_FILED = "not_filed", _("已登记未备案")
        IN_REVIEW = "in_review", _("备案审核中")
        FILED = "filed", _("已备案")
        CANCELLED = "cancelled", _("备案已注销")

    # --- registration facts (from the registration authority) ---
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("机构名称"), max_length=200, db_index=True)
    legal_form = models.CharField(_("法人类型"), max_length=24, choices=LegalForm.choices)
    for_profit = models.BooleanField(_("营利性"))
    legal_representative = models.CharField(_("法定代表人"), max_length=60, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    township = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="institutions",
        verbose_name=_("所在镇乡街道"),
    )
    registration_status = models.CharField(
        _("登记状态"),
        max_length=16,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.REGISTERED,
        db_index=True,
    )
    registration_authority = models.CharField(_("登记机关"), max_length=40)
    # Indexed: the "registered, not yet filed" list sorts and flags overdue by it.
    registered_at = models.DateTimeField(_("登记时间"), db_index=True)
    deregistered_at = models.DateTimeField(_("注销登记时间"), null=True, blank=True)

    # --- filed facts (P-REG-12; set when a filing or change is approved) ---
    filing_status = models.CharField(
        _("备案状态"),
        max_length=16,
        choices=FilingStatus.choices,
        default=FilingStatus.NOT_FILED,
        db_index=True,
    )
    filing_number = models.CharField(
        _("备案编号"), max_length=40, null=True, blank=True, unique=True
    )
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    filing_cancelled_on = models.DateField(_("备案注销日期"), null=True, blank=True)
    operating_mode = models.CharField(
        _("服务模式"), max_length=32, choices=OperatingMode.choices, blank=True
    )
    institution_form = models.CharField(
        _("机构形态"), max_length=24, choices=InstitutionForm.choices, blank=True
    )
    community = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所在村（社区）"),
    )
    # Coordinates for a schematic position only; no public map (ARCHITECTURE: UI).
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    indoor_area_m2 = models.DecimalField(
        _("室内面积（㎡）"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    outdoor_area_m2 = models.DecimalField(
        _("室外面积（㎡）"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    opening_hours = models.CharField(_("服务时间"), max_length=100, blank=True)
    monthly_fee_yuan = models.PositiveIntegerField(_("月收费（元）"), null=True, blank=True)
    serves_meals = models.BooleanField(_("提供膳食"), default=False)
    # Filed staff summary: {role: {"count": n, "certified": n}} (P-STD-2); the workforce
    # issue keeps the individual staff records.
    staff_summary = models.JSONField(_("人员配备概况"), default=dict, blank=True)
    # Filed facts on the standards of P-STD-2/P-STD-3 (head's qualifications, health worker,
    # security guard, lease, floors, windows, observation room), as `tuoyu.filings.checks`
    # keeps them in an application's "standards" section.
    filed_standards = models.JSONField(_("设置标准申报情况"), default=dict, blank=True)
    chain_agreement = models.ForeignKey(
        "institutions.ChainAgreement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="branches",
        verbose_name=_("所属连锁协议"),
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # [scale] #10 point 5: unigrams and bigrams of name and address, indexed (GIN on
    # PostgreSQL, FTS5 on SQLite: migration 0007, `tuoyu.institutions.search`).
    search_tokens = SearchTokensField(default="", blank=True, editable=False)
    # [scale] #10 point 6: figures lists sort and filter by, kept by the writing services
    # (`tuoyu.institutions.summary`) instead of computed per row per request: the sum of
    # the filed classes' capacities (§9.1), and the latest 普惠 designation's first and last
    # day (P-MODE-2; designations never overlap, so on any day from its start only it can
    # apply).
    filed_slots = models.PositiveIntegerField(_("备案托位数"), default=0, editable=False)
    affordable_from = models.DateField(null=True, blank=True, editable=False)
    affordable_until = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("托育机构")
        verbose_name_plural = _("托育机构")
        constraints = [
            models.CheckConstraint(
                name="institution_filed_has_number",
                condition=~Q(filing_status="filed") | Q(filing_number__isnull=False),
            )
        ]
        indexes = [
            models.Index(fields=["township", "filing_status"]),
            # [scale] #10 point 6: the public list's order, covering, for its pages and
            # their OFFSET; the directory's slots sort; the 普惠-on-a-day filter.
            models.Index(
                fields=["name", "id"],
                condition=Q(filing_status="filed", registration_status="registered"),
                name="institution_public_name",
            ),
            models.Index(fields=["filed_slots", "id"], name="institution_slots"),
            models.Index(fields=["affordable_from", "affordable_until"], name="institution_aff"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, update_fields=None, **kwargs):
        # A save of the name or the address keeps the search tokens with them.
        if update_fields is not None:
            update_fields = list(update_fields)
            if {"name", "address"} & set(update_fields) and "search_tokens" not in update_fields:
                update_fields.append("search_tokens")
        super().save(*args, update_fields=update_fields, **kwargs)

    @property
    def is_deregistered(self) -> bool:
        return self.registration_status == self.RegistrationStatus.DEREGISTERED
