"""Children in care (在托儿童), their daily health checks (晨午检), examinations and outbreak
alerts (P-HC-1..6).

A `Child` is one enrolment of a child at one institution (Citus-ready: institution-owned,
institution in every unique key). A child who moves is withdrawn here (`transferred`) and
enrolled there as a new row; "actively enrolled elsewhere" is found through the blind
indexes (`id_number_index`, or name + birth date + guardian phone when there is no ID).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuoyu.core.filenames import RandomName
from tuoyu.core.personal import BlindIndexField, PersonalDataField, Sealed, mask

# API-CONTRACT §3: the fixed symptom vocabulary (listed in the OpenAPI document).
SYMPTOMS: dict = {
    "fever": _("发热"),
    "cough": _("咳嗽"),
    "rash": _("皮疹"),
    "hand_foot_mouth_signs": _("手足口病体征"),
    "vomiting": _("呕吐"),
    "diarrhea": _("腹泻"),
    "conjunctivitis": _("结膜炎"),
    "jaundice": _("黄疸"),
    "injury": _("外伤"),
}
HFMD_SYMPTOM = "hand_foot_mouth_signs"


class Child(models.Model):
    class Gender(models.TextChoices):
        MALE = "male", _("男")
        FEMALE = "female", _("女")

    class Status(models.TextChoices):
        ACTIVE = "active", _("在托")
        WITHDRAWN = "withdrawn", _("已离园")
        TRANSFERRED = "transferred", _("已转园")

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="children"
    )
    care_class = models.ForeignKey(
        "institutions.CareClass", on_delete=models.PROTECT, related_name="children"
    )
    name = PersonalDataField(_("姓名"), kind="name")
    name_index = BlindIndexField(source="name", kind="name")
    gender = models.CharField(_("性别"), max_length=6, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    id_number = PersonalDataField(_("身份证号码"), kind="id_number", blank=True, default="")
    id_number_index = BlindIndexField(source="id_number", kind="id_number")
    guardian_name = PersonalDataField(_("监护人姓名"), kind="name")
    guardian_phone = PersonalDataField(_("监护人电话"), kind="phone")
    guardian_phone_index = BlindIndexField(source="guardian_phone", kind="phone")
    enrolled_on = models.DateField(_("入托日期"))
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    # The last day in care; checks after it are `child_not_enrolled`.
    left_on = models.DateField(_("离园日期"), null=True, blank=True)
    left_reason = models.CharField(_("离园原因"), max_length=200, blank=True)
    # P-HC-4: certificate checked within N days of enrolment (policy), catch-up re-check by
    # 31 December of the year.
    vaccination_due_on = models.DateField(_("接种证查验截止日期"), null=True, blank=True)
    vaccination_checked_on = models.DateField(_("接种证查验日期"), null=True, blank=True)
    vaccination_catch_up = models.BooleanField(_("需补种"), default=False)
    vaccination_recheck_on = models.DateField(_("补种后复查日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # P-RET-1: set by the retention rule `children.withdrawn` (tuoyu.children.retention).
    anonymised_at = models.DateTimeField(_("匿名化时间"), null=True, blank=True)

    class Meta:
        ordering = ["institution", "care_class", "birth_date", "pk"]
        verbose_name = _("在托儿童")
        verbose_name_plural = _("在托儿童")
        indexes = [
            models.Index(fields=["id_number_index", "status"], name="child_id_index_status"),
            models.Index(fields=["name_index", "birth_date"], name="child_name_birth"),
            models.Index(fields=["institution", "status"], name="child_institution_status"),
            models.Index(fields=["care_class", "status"], name="child_class_status"),
        ]

    def __str__(self) -> str:
        # Never the clear name (a fresh instance holds it unencrypted): the mask.
        name = self.name
        shown = name.masked if isinstance(name, Sealed) else mask("name", name or "")
        return f"{shown}（{self.birth_date:%Y-%m-%d}）"

    @property
    def name_masked(self) -> str:
        name = self.name
        return name.masked if isinstance(name, Sealed) else mask("name", name or "")

    def in_care_on(self, day) -> bool:
        return self.enrolled_on <= day and (self.left_on is None or day <= self.left_on)


class Examination(models.Model):
    """An examination (P-HC-1 entry, P-HC-2 periodic) with the growth measured at it."""

    class Kind(models.TextChoices):
        ENTRY = "entry", _("入托体检")
        PERIODIC = "periodic", _("定期体检")

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="examinations"
    )
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="examinations")
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    examined_on = models.DateField(_("体检日期"))
    examined_by = models.CharField(_("体检机构"), max_length=100, blank=True)
    weight_kg = models.DecimalField(
        _("体重（kg）"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    height_cm = models.DecimalField(
        _("身长/身高（cm）"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    haemoglobin_g_l = models.PositiveSmallIntegerField(_("血红蛋白（g/L）"), null=True, blank=True)
    hearing_passed = models.BooleanField(_("听力筛查通过"), null=True, blank=True)
    result = models.CharField(_("结论"), max_length=200, blank=True)
    # P-HC-1: the examination form (入托体检表) the maternal and child health hospital filled
    # in, scanned: with it an entry examination is complete without typed measurements
    # (`services.examinations.ENTRY_COMPLETE`). Served by `views.examination_scan`; deleted
    # with the child's anonymisation (P-RET-1).
    form_scan = models.FileField(
        _("体检表扫描件"), upload_to=RandomName("children/examinations/%Y/%m/"), blank=True
    )
    # P-HC-2: the growth judged at the examination, and the reference that judged it.
    waz = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    haz = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    whz = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    growth_flags = models.CharField(max_length=80, blank=True)
    growth_reference = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["child", "examined_on"]
        verbose_name = _("儿童体检")
        verbose_name_plural = _("儿童体检")
        indexes = [models.Index(fields=["institution", "examined_on"], name="exam_inst_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.examined_on}"

    @property
    def flag_labels(self) -> list:
        from tuoyu.children.growth import FLAG_LABELS

        return [FLAG_LABELS[f] for f in self.growth_flags.split(",") if f in FLAG_LABELS]


class HealthCheckBatch(models.Model):
    """One received batch of API-CONTRACT §3: the rows it stored point at it, so that the
    comparison after the insert tells rows stored now from those stored before."""

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(auto_now_add=True)
    acting_user_id = models.BigIntegerField(null=True)
    submitted = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"batch {self.pk}"


class HealthCheck(models.Model):
    """One morning/noon/afternoon check of one child (P-HC-3). The class is the child's
    class on that day (alerts are per class, children move).

    A province year is ~146 million rows ([children] #12): on PostgreSQL the table is
    PARTITIONED BY RANGE (date), one partition per month (`children_healthcheck_p2026_12`,
    plus a DEFAULT partition that is normally empty; migration 0002, kept ahead by the job
    `children.healthcheck_partitions`); SQLite keeps one plain table. A unique key of a
    partitioned table must hold the partition key, so the idempotency key is (institution,
    record_id, date) (ON CONFLICT DO NOTHING on insert) and the primary key in the DDL is
    (id, date) — Django keeps `id` as its pk, the sequence makes it unique. A record id
    reused on ANOTHER date is found by the service (`health_checks.py`), not by the key."""

    class Session(models.TextChoices):
        MORNING = "morning", _("晨检")
        NOON = "noon", _("午检")
        AFTERNOON = "afternoon", _("午后检")

    class Attendance(models.TextChoices):
        PRESENT = "present", _("出勤")
        ABSENT_SICK = "absent_sick", _("病假")
        ABSENT_OTHER = "absent_other", _("事假")

    class Action(models.TextChoices):
        NONE = "none", _("无")
        OBSERVE = "observe", _("观察")
        SENT_HOME = "sent_home", _("离园回家")
        REFERRED = "referred", _("转诊")

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="+"
    )
    record_id = models.CharField(max_length=64)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="health_checks")
    care_class = models.ForeignKey(
        "institutions.CareClass", on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField()
    session = models.CharField(max_length=10, choices=Session.choices)
    attendance = models.CharField(max_length=12, choices=Attendance.choices)
    temperature_c = models.DecimalField(max_digits=3, decimal_places=1, null=True)
    # Sorted codes between commas (",fever,rash,"): one column, equality-comparable,
    # `symptoms__contains=",fever,"` for one symptom; "" for none.
    symptoms = models.CharField(max_length=200, blank=True, default="")
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.NONE)
    batch = models.ForeignKey(HealthCheckBatch, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("晨午检记录")
        verbose_name_plural = _("晨午检记录")
        constraints = [
            # The partition key (date) is part of it: PostgreSQL allows no other unique key
            # on a partitioned table. Its prefix (institution, record_id) also serves the
            # service's look-up of a record id across dates, partition by partition, so no
            # second index is written.
            models.UniqueConstraint(
                fields=["institution", "record_id", "date"], name="healthcheck_unique_record"
            )
        ]
        indexes = [
            models.Index(fields=["institution", "date"], name="healthcheck_inst_day"),
            models.Index(
                fields=["institution", "date"],
                condition=~Q(symptoms=""),
                name="healthcheck_symptomatic",
            ),
            # P-HC-3: the children sent home, whose return needs a medical certificate.
            models.Index(
                fields=["institution", "child", "date"],
                condition=Q(action="sent_home"),
                name="healthcheck_sent_home",
            ),
        ]

    def __str__(self) -> str:
        return self.record_id

    @property
    def symptom_list(self) -> list[str]:
        return [s for s in self.symptoms.split(",") if s]

    @property
    def symptom_labels(self) -> list[str]:
        return [SYMPTOMS.get(s, s) for s in self.symptom_list]


class OutbreakAlert(models.Model):
    """A crossing of a P-HC-6 threshold (policy `health.outbreak`): the children and days
    behind it in `cases_detail` ([{"child_id", "dates": [...]}])."""

    class Kind(models.TextChoices):
        CLASS_SAME_DAY = "class_same_day", _("同班同日症状相似病例")
        CLASS_WINDOW = "class_window", _("同班连续数日症状相似病例")
        HFMD_CLASS = "hfmd_class", _("同班一周内手足口病")
        HFMD_INSTITUTION = "hfmd_institution", _("同一机构一周内手足口病")

    class Scope(models.TextChoices):
        CLASS = "class", _("班级")
        INSTITUTION = "institution", _("机构")

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        ACKNOWLEDGED = "acknowledged", _("已确认")
        CLOSED = "closed", _("已关闭")

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="outbreak_alerts"
    )
    care_class = models.ForeignKey(
        "institutions.CareClass", on_delete=models.PROTECT, null=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    scope = models.CharField(max_length=12, choices=Scope.choices)
    symptom = models.CharField(max_length=30)
    cases = models.PositiveIntegerField()
    window_days = models.PositiveSmallIntegerField()
    window_start = models.DateField()
    window_end = models.DateField()
    cases_detail = models.JSONField(default=list)
    policy_version = models.CharField(max_length=40, blank=True)
    raised_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by_id = models.BigIntegerField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by_id = models.BigIntegerField(null=True, blank=True)
    action_taken = models.TextField(_("处置措施"), blank=True)

    class Meta:
        ordering = ["-window_end", "-pk"]
        verbose_name = _("传染病预警")
        verbose_name_plural = _("传染病预警")
        indexes = [
            models.Index(fields=["institution", "symptom", "window_end"], name="alert_inst_sym"),
            models.Index(fields=["status", "window_end"], name="alert_status_day"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{SYMPTOMS.get(self.symptom, self.symptom)}"

    @property
    def symptom_label(self) -> str:
        return SYMPTOMS.get(self.symptom, self.symptom)

    def as_contract(self) -> dict:
        """API-CONTRACT §3 `alerts[]` (kind, scope, symptom, cases, window_days) and more."""
        return {
            "kind": self.kind,
            "scope": self.scope,
            "symptom": self.symptom,
            "cases": self.cases,
            "window_days": self.window_days,
            "alert_id": self.pk,
            "class_id": self.care_class_id,
            "window_end": self.window_end.isoformat(),
        }


class MedicalCertificate(models.Model):
    """P-HC-3: a child sent home (a check with action `sent_home`) returns only with a
    medical certificate; it answers that check (one certificate per sent-home check)."""

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="+"
    )
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="medical_certificates")
    # No database constraint: on PostgreSQL the checks are a partitioned table whose only
    # unique keys contain the date, so nothing unique on `id` alone can be referenced. The
    # service (`certificates.py`) picks the check it answers, and checks are never deleted
    # while their child's data is kept (retention anonymises).
    sent_home_check = models.ForeignKey(
        HealthCheck, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    issued_on = models.DateField(_("开具日期"))
    hospital = models.CharField(_("开具医院"), max_length=100)
    scan = models.FileField(
        _("证明扫描件"), upload_to=RandomName("children/certificates/%Y/%m/"), blank=True
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("返园医学证明")
        verbose_name_plural = _("返园医学证明")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "sent_home_check"], name="certificate_unique_check"
            )
        ]

    def __str__(self) -> str:
        return f"{self.hospital} {self.issued_on:%Y-%m-%d}"


class VaccinationRecheck(models.Model):
    """P-HC-4: a child marked by the year-end job `children.vaccination_recheck` because its
    catch-up re-check is due before 31 December of `year`; done when the re-check is
    recorded (`Child.vaccination_recheck_on` in that year)."""

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="+"
    )
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    due_on = models.DateField(_("复查截止日期"))
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("接种证年底复查")
        verbose_name_plural = _("接种证年底复查")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "child", "year"], name="vaccination_recheck_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}"


class MealFeeAccount(models.Model):
    """P-HC-7: an institution serving meals keeps meal fees ring-fenced and publishes each
    month's account (income from meal fees, spending on food), in whole yuan."""

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="meal_fee_accounts"
    )
    month = models.DateField(_("月份"))  # the first day of the month
    income_yuan = models.PositiveIntegerField(_("伙食费收入（元）"))
    food_spending_yuan = models.PositiveIntegerField(_("食品支出（元）"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["institution", "-month"]
        verbose_name = _("伙食费账目")
        verbose_name_plural = _("伙食费账目")
        constraints = [
            models.UniqueConstraint(fields=["institution", "month"], name="meal_account_month")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def balance_yuan(self) -> int:
        return self.income_yuan - self.food_spending_yuan
