"""The filing (备案) workflow of P-REG-12 and P-FIL-1..3: an institution's application —
initial filing, change of filed facts, or cancellation — reviewed on four subjects (fire,
safety and security, food, health care), decided by 区卫健局, with its materials and the
time every step waited."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuoyu.core.filenames import RandomName


class Subject(models.TextChoices):
    FIRE = "fire", _("消防安全")
    SECURITY = "security", _("安全保卫")
    FOOD = "food", _("食品安全")
    HEALTH_CARE = "health_care", _("卫生保健")


class FilingApplication(models.Model):
    class Kind(models.TextChoices):
        INITIAL = "initial", _("首次备案")
        CHANGE = "change", _("备案变更")
        CANCELLATION = "cancellation", _("备案注销")

    class Status(models.TextChoices):
        DRAFT = "draft", _("填报中")
        IN_REVIEW = "in_review", _("审核中")
        RETURNED = "returned", _("已退回")
        # Decided by 区卫健局, or by 区教体局 for 托幼一体化 (P-REG-10): the page names which.
        AWAITING_DECISION = "awaiting_decision", _("待决定")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("不予备案")
        WITHDRAWN = "withdrawn", _("已撤回")

    class Path(models.TextChoices):
        FULL = "full", _("完整审核")
        CHAIN_SIMPLIFIED = "chain_simplified", _("连锁简化备案")

    class RejectionCategory(models.TextChoices):
        """Why 区卫健局 did not accept a filing (不予备案): required for a rejection and
        published with the institution's name and the date (P-FIL-2 "this is made
        public"), never the free-text note."""

        PREMISES = "premises", _("场地不符合设置标准")
        STAFFING = "staffing", _("人员配备不符合要求")
        FIRE = "fire", _("消防安全不符合要求")
        SECURITY = "security", _("安全保卫不符合要求")
        FOOD = "food", _("食品安全不符合要求")
        HEALTH_CARE = "health_care", _("卫生保健不符合要求")
        FALSE_MATERIALS = "false_materials", _("材料不实")
        OTHER = "other", _("其他")

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="filing_applications"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    path = models.CharField(_("审核路径"), max_length=20, choices=Path.choices, default=Path.FULL)
    # Proposed facts (filed facts of the institution, classes, staff summary): applied to
    # the institution when approved.
    facts = models.JSONField(_("申报内容"), default=dict)
    # The filed facts as they stood when the application was (last) submitted: with `facts`
    # this gives the before/after of every change (P-FIL-3 history).
    facts_before = models.JSONField(_("变更前内容"), default=dict, blank=True)
    subjects = models.JSONField(_("审核事项"), default=list)
    reason = models.TextField(_("申请说明"), blank=True)
    commitment_accepted = models.BooleanField(_("已签署承诺书"), default=False)
    round = models.PositiveSmallIntegerField(_("提交轮次"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    first_submitted_at = models.DateTimeField(_("首次提交时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("最近提交时间"), null=True, blank=True)
    awaiting_decision_since = models.DateTimeField(_("待决定起始时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_note = models.TextField(_("决定意见"), blank=True)
    rejection_category = models.CharField(
        _("不予备案原因类别"), max_length=20, choices=RejectionCategory.choices, blank=True
    )
    # P-FIL-2 deadlines, in working days on the official calendar (tuoyu.regions.workdays).
    # The rule: materials are complete on the local date of the submission that passed the
    # completeness check (checks.submission_errors). A resubmission after a return (the
    # reviewers found the materials or facts wanting) restarts the clock: the date becomes
    # that resubmission's. From it: the receipt is due within `filing.receipt_working_days`
    # (5) working days, and a not-accepted notice within
    # `filing.rejection_notice_working_days` (15). When the calendar lacks a year the dates
    # stay empty and `deadline_unknown_year` names the year ("期限待定"); entering that
    # year's holiday notice recomputes them (filings.receivers).
    materials_complete_on = models.DateField(_("材料齐全日期"), null=True, blank=True)
    receipt_due_on = models.DateField(_("备案回执期限"), null=True, blank=True)
    notice_due_on = models.DateField(_("不予备案告知期限"), null=True, blank=True)
    deadline_unknown_year = models.PositiveSmallIntegerField(
        _("期限待定（缺少节假日安排的年度）"), null=True, blank=True
    )
    # The filing number issued when this (initial) application was approved.
    filing_number = models.CharField(_("备案编号"), max_length=40, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("备案申请")
        verbose_name_plural = _("备案申请")
        constraints = [
            # At most one open application per institution at a time.
            models.UniqueConstraint(
                fields=["institution"],
                condition=Q(status__in=["draft", "in_review", "returned", "awaiting_decision"]),
                name="filing_one_open_application",
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.get_kind_display()}（{self.get_status_display()}）"


class SubjectReview(models.Model):
    """One review of one subject in one round. A returned subject opens a new row for the
    next round; an approved one is not re-opened by a resubmission."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("通过")
        RETURNED = "returned", _("退回")
        SUPERSEDED = "superseded", _("已重新提交")

    application = models.ForeignKey(
        FilingApplication, on_delete=models.PROTECT, related_name="reviews"
    )
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(_("审核事项"), max_length=16, choices=Subject.choices)
    round = models.PositiveSmallIntegerField(_("轮次"))
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    opened_at = models.DateTimeField(_("送审时间"))
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewer = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewer_department = models.CharField(_("审核部门"), max_length=40, blank=True)
    reasons = models.JSONField(_("退回理由"), default=list, blank=True)
    comment = models.TextField(_("审核意见"), blank=True)

    class Meta:
        ordering = ["application", "subject", "round"]
        verbose_name = _("事项审核")
        verbose_name_plural = _("事项审核")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "application", "subject", "round"],
                name="subjectreview_unique_round",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.get_subject_display()} 第{self.round}轮"


class FilingMaterial(models.Model):
    """A scanned document required by P-FIL-1."""

    class Kind(models.TextChoices):
        FILING_FORM = "filing_form", _("备案书")
        COMMITMENT_LETTER = "commitment_letter", _("承诺书")
        BUSINESS_LICENCE = "business_licence", _("营业执照或法人登记证书")
        PREMISES_PROOF = "premises_proof", _("场地证明")
        STAFF_QUALIFICATIONS = "staff_qualifications", _("工作人员资格证书及健康合格证明")
        HYGIENE_EVALUATION = "hygiene_evaluation", _("托幼机构卫生评价报告（合格）")
        FIRE_INSPECTION = "fire_inspection", _("消防安全检查合格证明")
        FOOD_LICENCE = "food_licence", _("食品经营许可证")
        OTHER = "other", _("其他材料")

    application = models.ForeignKey(
        FilingApplication, on_delete=models.PROTECT, related_name="materials"
    )
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("材料类型"), max_length=24, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to=RandomName("filings/%Y/%m/"))
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    superseded = models.BooleanField(_("已被替换"), default=False)

    class Meta:
        ordering = ["application", "kind", "-uploaded_at"]
        verbose_name = _("备案材料")
        verbose_name_plural = _("备案材料")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"


class FilingNumberSequence(models.Model):
    """The last filing number issued in a year (P-REG-12 receipts). Numbers are drawn under a
    row lock (select_for_update), so concurrent approvals never share or skip a number."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    last_number = models.PositiveIntegerField(_("已发最大序号"), default=0)

    class Meta:
        verbose_name = _("备案编号序列")
        verbose_name_plural = _("备案编号序列")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"
