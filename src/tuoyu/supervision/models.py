"""Tables of 综合监管 (P-SUP-3..6): complaints, inspection plans and their draws, inspections
with checklist results, rectification orders, credit events and ratings, the blacklist and
risk scores. Institution-owned tables carry the institution in every unique key (Citus)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuoyu.core.filenames import RandomName
from tuoyu.core.personal import BlindIndexField, PersonalDataField


class ComplaintCategory(models.TextChoices):
    # The routing table (category → department) is policy data (supervision.complaint_routing).
    FOOD = "food", _("食品安全")
    FIRE = "fire", _("消防安全")
    SECURITY = "security", _("安全保卫")
    HEALTH_CARE = "health_care", _("卫生保健")
    FEES = "fees", _("收费")
    ABUSE = "abuse", _("涉嫌虐待婴幼儿")
    OTHER = "other", _("其他")


class Complaint(models.Model):
    """A complaint about an institution (P-SUP-4): filed on the portal, through the public
    API or entered by staff from the 12345 hotline; routed to one department, answered by a
    deadline, read by the complainant by its tracking number."""

    class Channel(models.TextChoices):
        PORTAL = "portal", _("网上投诉")
        API = "api", _("接口")
        HOTLINE = "hotline", _("12345 热线")

    class Status(models.TextChoices):
        RECEIVED = "received", _("已受理")
        ANSWERED = "answered", _("已答复")

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="+"
    )
    tracking_number = models.CharField(_("查询码"), max_length=24, db_index=True)
    category = models.CharField(_("投诉类别"), max_length=16, choices=ComplaintCategory.choices)
    description = models.TextField(_("投诉内容"))
    channel = models.CharField(_("来源"), max_length=10, choices=Channel.choices)
    anonymous = models.BooleanField(_("匿名"), default=False)
    contact_phone = PersonalDataField(_("联系电话"), kind="phone", blank=True, default="")
    department_code = models.CharField(_("承办部门"), max_length=40, db_index=True)
    # P-SUP-6: the departments told at once of an urgent complaint (abuse), besides the
    # one it is routed to.
    # Stored as ",health,public_security," so that a scope filters it on every database.
    notified_departments = models.CharField(max_length=200, blank=True)
    urgent = models.BooleanField(_("紧急"), default=False)
    due_on = models.DateField(_("答复期限"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.RECEIVED
    )
    reply = models.TextField(_("答复"), blank=True)
    substantiated = models.BooleanField(_("查实"), null=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The rate limit counts by a keyed hash of the sender's address (never the address).
    source_key = models.CharField(max_length=64, blank=True, db_index=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    # A default, not auto_now_add: the seed writes complaints of past years.
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "tracking_number"], name="complaint_tracking_unique"
            )
        ]

    def __str__(self) -> str:
        return self.tracking_number

    def overdue_on(self, day) -> bool:
        return self.status == self.Status.RECEIVED and day > self.due_on


class InspectionPlan(models.Model):
    """A department's inspection plan for a period (双随机、一公开): `draw_size` institutions of
    its scope drawn with its inspectors from a stored seed, so anyone can redo the draw."""

    department_code = models.CharField(_("部门"), max_length=40, db_index=True)
    title = models.CharField(_("计划名称"), max_length=120)
    period_start = models.DateField(_("开始日期"))
    period_end = models.DateField(_("结束日期"))
    draw_size = models.PositiveIntegerField(_("抽取数量"))
    seed = models.CharField(_("随机种子"), max_length=32, blank=True)
    # The population and weights the draw used ([uscc, weight] sorted by uscc) and the
    # inspectors' usernames, so the draw can be redone from the page.
    draw_population = models.JSONField(default=list, blank=True)
    draw_inspectors = models.JSONField(default=list, blank=True)
    drawn_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start", "-id"]

    def __str__(self) -> str:
        return self.title


class Inspection(models.Model):
    class Kind(models.TextChoices):
        ROUTINE = "routine", _("双随机抽查")
        TARGETED = "targeted", _("专项检查")
        REINSPECTION = "reinspection", _("整改复查")

    class Status(models.TextChoices):
        PLANNED = "planned", _("待检查")
        DONE = "done", _("已检查")

    class Result(models.TextChoices):
        PASSED = "passed", _("合格")
        RECTIFY = "rectify", _("责令整改")

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="supervision_inspections",
    )
    plan = models.ForeignKey(
        InspectionPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="inspections"
    )
    department_code = models.CharField(_("部门"), max_length=40, db_index=True)
    kind = models.CharField(_("检查类型"), max_length=16, choices=Kind.choices)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    scheduled_on = models.DateField(_("计划检查日期"))
    reason = models.CharField(_("检查原因"), max_length=200, blank=True)
    draw_weight = models.DecimalField(max_digits=9, decimal_places=3, null=True, blank=True)
    checklist_version = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    result = models.CharField(max_length=10, choices=Result.choices, blank=True)
    performed_on = models.DateField(_("检查日期"), null=True, blank=True)
    summary = models.TextField(_("检查意见"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-scheduled_on", "-id"]
        indexes = [models.Index(fields=["institution", "status", "performed_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.scheduled_on}"


class ItemResult(models.Model):
    class Outcome(models.TextChoices):
        PASS = "pass", _("符合")
        FAIL = "fail", _("不符合")
        NA = "na", _("不适用")

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="+"
    )
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="items")
    item_code = models.CharField(max_length=40)
    outcome = models.CharField(max_length=4, choices=Outcome.choices)
    note = models.TextField(blank=True)
    photo = models.FileField(upload_to=RandomName("supervision/photos/%Y/%m/"), blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "inspection", "item_code"], name="item_result_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_code}：{self.get_outcome_display()}"


class Severity(models.TextChoices):
    MINOR = "minor", _("一般")
    SERIOUS = "serious", _("严重")
    CRITICAL = "critical", _("重大")


class RectificationOrder(models.Model):
    """A finding of an inspection and the order to rectify it (P-SUP-3)."""

    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        REPLIED = "replied", _("待验收")
        ACCEPTED = "accepted", _("已验收")

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="+"
    )
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="orders")
    department_code = models.CharField(max_length=40, db_index=True)
    item_code = models.CharField(max_length=40)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices)
    finding = models.TextField(_("发现的问题"))
    due_on = models.DateField(_("整改期限"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    reply = models.TextField(_("整改情况"), blank=True)
    evidence = models.FileField(upload_to=RandomName("supervision/evidence/%Y/%m/"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    reopened_count = models.PositiveIntegerField(default=0)
    escalated_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["institution", "status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.get_severity_display()}：{self.finding[:30]}"

    def overdue_on(self, day) -> bool:
        return self.status != self.Status.ACCEPTED and day > self.due_on


class CreditEvent(models.Model):
    """One entry of a credit file (P-SUP-5): its points and the rule. An institution's
    event, or a practitioner's (name and ID number kept encrypted, found by the blind
    index; recorded at the institution where the person works, never public and not
    counted in the institution's rating)."""

    class Kind(models.TextChoices):
        SERIOUS_FINDING = "serious_finding", _("检查发现严重问题")
        OVERDUE_ORDER = "overdue_order", _("逾期未整改")
        SUBSTANTIATED_COMPLAINT = "substantiated_complaint", _("投诉查实")
        PENALTY = "penalty", _("行政处罚")
        COMMENDATION = "commendation", _("表彰")
        DEMONSTRATION = "demonstration", _("示范机构")

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("事件"), max_length=32, choices=Kind.choices)
    points = models.IntegerField(_("分值"))
    rule_ref = models.CharField(_("依据"), max_length=20)
    rule_text = models.CharField(_("计分规则"), max_length=200)
    occurred_on = models.DateField(_("日期"))
    description = models.CharField(_("说明"), max_length=300)
    # What caused it ("order:12", "complaint:3"): one event per cause and kind.
    source = models.CharField(max_length=80)
    person_name = PersonalDataField(_("从业人员姓名"), kind="name", blank=True, default="")
    id_number = PersonalDataField(_("身份证号码"), kind="id_number", blank=True, default="")
    id_number_index = BlindIndexField(source="id_number", kind="id_number")
    public = models.BooleanField(_("公开"), default=True)
    # Entered by a department (penalty, commendation, demonstration): the decision and who.
    decision_ref = models.CharField(_("决定文号"), max_length=60, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "source", "kind"], name="credit_event_once"
            )
        ]

    def __str__(self) -> str:
        return self.rule_text

    @property
    def is_person(self) -> bool:
        return bool(self.id_number_index)


class CreditRating(models.Model):
    """The institution's current score and rating, recomputed on every credit event."""

    institution = models.OneToOneField(
        "institutions.Institution", on_delete=models.PROTECT, related_name="+"
    )
    score = models.IntegerField()
    rating = models.CharField(max_length=1)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.rating}（{self.score}）"


class ZeroToleranceCase(models.Model):
    """A child-abuse case (P-SUP-6, zero tolerance): the institution suspended by decision,
    the individuals and the directly responsible managers proposed for the blacklist (a
    second officer approves each: four eyes), every supervising department told."""

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(_("案情"))
    decision_ref = models.CharField(_("决定文号"), max_length=60)
    suspended_on = models.DateField(_("责令停业日期"))
    # The suspension of the institution (P-SUP-6) ends on this day, or when lifted by a
    # recorded decision; open-ended until then (the institutions app has no such state).
    suspended_until = models.DateField(_("停业期限"), null=True, blank=True)
    lifted_on = models.DateField(_("解除停业日期"), null=True, blank=True)
    lift_decision_ref = models.CharField(_("解除停业决定文号"), max_length=60, blank=True)
    notified_departments = models.CharField(max_length=200)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.decision_ref

    def suspended_at(self, day) -> bool:
        """Whether the institution is suspended by this case on `day`."""
        if day < self.suspended_on:
            return False
        if self.lifted_on is not None and day >= self.lifted_on:
            return False
        return self.suspended_until is None or day <= self.suspended_until


class BlacklistEntry(models.Model):
    """A listing decided by one 区卫健局 officer and approved by another (four eyes,
    P-SUP-5/6). Kept as the law requires: never anonymised."""

    class Subject(models.TextChoices):
        INSTITUTION = "institution", _("机构")
        PERSON = "person", _("个人")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待审核")
        APPROVED = "approved", _("已列入")

    subject = models.CharField(_("对象"), max_length=12, choices=Subject.choices)
    institution = models.ForeignKey(
        "institutions.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    person_name = PersonalDataField(_("姓名"), kind="name", blank=True, default="")
    id_number = PersonalDataField(_("身份证号码"), kind="id_number", blank=True, default="")
    id_number_index = BlindIndexField(source="id_number", kind="id_number")
    reason = models.TextField(_("理由"))
    decision_ref = models.CharField(_("决定文号"), max_length=60)
    decided_on = models.DateField(_("决定日期"))
    # P-SUP-6: the case it comes from, and whether the person is a directly responsible
    # manager rather than the offender.
    case = models.ForeignKey(
        ZeroToleranceCase, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    responsible_manager = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_subject_display()}：{self.decision_ref}"


class RiskSignal(models.Model):
    """What other apps told supervision about an institution that counts for its risk:
    outbreak alerts (`outbreak_alert_raised`, children)."""

    class Kind(models.TextChoices):
        OUTBREAK_ALERT = "outbreak_alert", _("传染病预警")

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    ref_id = models.CharField(max_length=40)
    occurred_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "kind", "ref_id"], name="risk_signal_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.ref_id}"


class RiskScore(models.Model):
    """An institution's risk score (P-SUP-4) with each weighted contribution."""

    institution = models.OneToOneField(
        "institutions.Institution", on_delete=models.CASCADE, related_name="+"
    )
    score = models.DecimalField(max_digits=9, decimal_places=3)
    contributions = models.JSONField(default=dict)
    computed_on = models.DateField()

    def __str__(self) -> str:
        return str(self.score)

    @property
    def draw_weight(self):
        """The institution's weight in the random draw (1 + risk score, docs/supervision.md);
        the template's `add` filter would round it to a whole number."""
        return self.score + 1
