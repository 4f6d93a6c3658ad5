"""Money (P-SUB-1..4, P-V2023-1): funds with yearly budgets, demonstration titles, claims with
their items, payments and the append-only ledger.

Amounts are yuan with two decimals (`DecimalField`), never floats. What an institution is
entitled to is computed from the records (`entitlements.py`), never stored as a figure that
could drift; a claim snapshots the items it claims, each under a stable `item_key` naming what
is paid (a class, a demonstration title, a version segment of a year's operating subsidy), so
the database itself refuses to claim or pay the same item twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuoyu.core.filenames import RandomName
from tuoyu.core.personal import PersonalDataField

MONEY = {"max_digits": 14, "decimal_places": 2}


class Fund(models.Model):
    """A source of money with its own budget and ledger (P-SUB-4: each fund traceable)."""

    class Source(models.TextChoices):
        DISTRICT_BUDGET = "district_budget", _("区级财政预算")
        NDRC_PROJECT = "ndrc_project", _("国家发展改革委普惠托育专项资金")
        PROVINCIAL_AWARD = "provincial_award", _("省级奖补资金")

    code = models.SlugField(_("资金编码"), max_length=40, unique=True)
    name = models.CharField(_("资金名称"), max_length=100)
    source = models.CharField(_("资金来源"), max_length=24, choices=Source.choices)
    # which policy rules this fund may pay (e.g. ["P-SUB-1", "P-SUB-2"]); empty = any
    pays_refs = models.JSONField(_("可支付的补助项目"), default=list, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True, default="")
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("补助资金")
        verbose_name_plural = _("补助资金")

    def __str__(self) -> str:
        return self.name


class FundBudget(models.Model):
    """A fund's budget for one year; the live balance is this minus the year's ledger."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="budgets")
    year = models.PositiveSmallIntegerField(_("预算年度"))
    amount_yuan = models.DecimalField(_("预算金额（元）"), **MONEY)
    document_ref = models.CharField(_("预算文号"), max_length=100, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["fund", "-year"]
        verbose_name = _("资金年度预算")
        verbose_name_plural = _("资金年度预算")
        constraints = [
            models.UniqueConstraint(fields=["fund", "year"], name="fund_budget_one_per_year"),
            models.CheckConstraint(
                condition=Q(amount_yuan__gte=0), name="fund_budget_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fund} {self.year}"


class DemonstrationTitle(models.Model):
    """A demonstration title conferred on an institution, or a completed comprehensive
    childcare service centre (P-SUB-3, P-V2023-1): the award is computed under the policy
    version in force on `conferred_on`."""

    class Level(models.TextChoices):
        MUNICIPAL = "municipal", _("市级示范托育机构")
        PROVINCIAL = "provincial", _("省级示范托育机构")
        NATIONAL = "national", _("全国示范托育机构")
        COMPREHENSIVE_CENTRE = "comprehensive_centre", _("综合托育服务中心")

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("级别"), max_length=24, choices=Level.choices)
    conferred_on = models.DateField(_("授予日期"))
    document_ref = models.CharField(_("文号"), max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["institution", "conferred_on"]
        verbose_name = _("示范称号")
        verbose_name_plural = _("示范称号")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "level"], name="demonstration_title_once_per_level"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.document_ref}"


class Claim(models.Model):
    """An institution's claim for a year's entitlement items (P-SUB-1..3).

    submitted → reviewed (区卫健局 found it eligible, item by item) or rejected → approved
    (区财政局, possibly partially) or declined → paid (a payment with a voucher)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        REJECTED = "rejected", _("审核未通过")
        REVIEWED = "reviewed", _("待财政审批")
        DECLINED = "declined", _("财政不予批准")
        APPROVED = "approved", _("待支付")
        PAID = "paid", _("已支付")

    number = models.CharField(_("申请编号"), max_length=20, unique=True)
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("补助年度"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    bank_account_name = models.CharField(_("开户名称"), max_length=200)
    bank_name = models.CharField(_("开户银行"), max_length=100)
    bank_account = PersonalDataField(_("银行账号"), kind="bank_account")
    note = models.TextField(_("申请说明"), blank=True, default="")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True, default="")
    # the eligibility rules checked at review, each with its outcome (policy data's list)
    review_checks = models.JSONField(_("资格核查"), default=list, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    approval_note = models.TextField(_("审批意见"), blank=True, default="")

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("补助申请")
        verbose_name_plural = _("补助申请")
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="claim_status_submitted"),
            models.Index(fields=["institution", "year"], name="claim_institution_year"),
        ]

    def __str__(self) -> str:
        return self.number


class ClaimItem(models.Model):
    """One entitlement item claimed, as computed on submission (rule, version, quantity,
    unit amount, the dates behind it), with the amounts each step granted.

    `active` is true unless the claim was rejected or declined: the partial unique constraint
    then lets the institution claim the item again, and never while it is claimed."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="items")
    item_key = models.CharField(_("补助项目标识"), max_length=120)
    policy_ref = models.CharField(_("政策条款"), max_length=20)
    policy_version = models.CharField(_("政策版本"), max_length=20)
    description = models.CharField(_("项目"), max_length=200)
    quantity = models.DecimalField(_("数量"), max_digits=14, decimal_places=4)
    unit_amount_yuan = models.DecimalField(_("单价（元）"), **MONEY)
    entitled_yuan = models.DecimalField(_("应享金额（元）"), **MONEY)
    claimed_yuan = models.DecimalField(_("申请金额（元）"), **MONEY)
    reviewed_yuan = models.DecimalField(_("审核金额（元）"), null=True, blank=True, **MONEY)
    approved_yuan = models.DecimalField(_("批准金额（元）"), null=True, blank=True, **MONEY)
    decision_reason = models.CharField(_("核减理由"), max_length=300, blank=True, default="")
    basis = models.JSONField(_("计算依据"), default=dict, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["claim", "pk"]
        verbose_name = _("补助申请项目")
        verbose_name_plural = _("补助申请项目")
        constraints = [
            models.UniqueConstraint(
                fields=["item_key"], condition=Q(active=True), name="claim_item_claimed_once"
            ),
            models.CheckConstraint(
                condition=Q(claimed_yuan__gt=0) & Q(claimed_yuan__lte=models.F("entitled_yuan")),
                name="claim_item_within_entitlement",
            ),
        ]

    def __str__(self) -> str:
        return self.description


class ClaimMaterial(models.Model):
    """A supporting file of a claim: a private upload, checked by content, read only through
    the audited download."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="materials")
    file = models.FileField(_("文件"), upload_to=RandomName("subsidies/claims/%Y/%m/"))
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["claim", "pk"]
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")

    def __str__(self) -> str:
        return self.original_name


class Payment(models.Model):
    """区财政局's payment of an approved claim: one voucher, never reused."""

    claim = models.OneToOneField(Claim, on_delete=models.PROTECT, related_name="payment")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="payments")
    budget_year = models.PositiveSmallIntegerField(_("支出预算年度"))
    voucher_number = models.CharField(_("凭证号"), max_length=40, unique=True)
    paid_on = models.DateField(_("支付日期"))
    amount_yuan = models.DecimalField(_("支付金额（元）"), **MONEY)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-paid_on", "-pk"]
        verbose_name = _("支付记录")
        verbose_name_plural = _("支付记录")

    def __str__(self) -> str:
        return self.voucher_number


class LedgerEntry(models.Model):
    """The append-only ledger of a fund (P-SUB-4). A payment books one positive entry per
    claim item; a clawback books a negative entry for the same item (its `item_key`: an
    item is paid once, so the key names the payment it reverses) and why — never an edited
    row. Balance of a fund's year = budget − Σ amount."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("支付")
        CLAWBACK = "clawback", _("追回")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="entries")
    budget_year = models.PositiveSmallIntegerField(_("预算年度"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="+"
    )
    claim_item = models.ForeignKey(ClaimItem, on_delete=models.PROTECT, related_name="entries")
    item_key = models.CharField(_("补助项目标识"), max_length=120)
    policy_ref = models.CharField(_("政策条款"), max_length=20)
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="entries", null=True, blank=True
    )
    amount_yuan = models.DecimalField(_("金额（元）"), **MONEY)
    booked_on = models.DateField(_("记账日期"))
    voucher_number = models.CharField(_("凭证号"), max_length=40)
    reason = models.CharField(_("事由"), max_length=300, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["fund", "pk"]
        verbose_name = _("资金台账记录")
        verbose_name_plural = _("资金台账记录")
        constraints = [
            # the same entitlement item can never be paid twice, even by two approvals
            # racing (the second INSERT fails inside its transaction)
            # (the key names the institution already; the institution leads the key so the
            # table can be distributed by it, tests/integration/test_citus_ready.py)
            models.UniqueConstraint(
                fields=["institution", "item_key"],
                condition=Q(kind="payment"),
                name="ledger_item_paid_once",
            ),
            models.CheckConstraint(
                condition=(Q(kind="payment") & Q(amount_yuan__gt=0))
                | (Q(kind="clawback") & Q(amount_yuan__lt=0)),
                name="ledger_entry_sign_by_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["fund", "budget_year"], name="ledger_fund_year"),
            models.Index(fields=["institution", "budget_year"], name="ledger_institution_year"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.voucher_number} {self.amount_yuan}"
