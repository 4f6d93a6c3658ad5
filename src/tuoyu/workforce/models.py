"""Staff rosters (P-WF-1), certificates and trainings (P-WF-1, P-WF-3), lifetime bans
(P-SUP-6) and the attempts to employ a banned person.

A person is identified across institutions by the blind index of the resident ID number
(`Person.id_number_index`); the clear number is only ever stored encrypted. Employments are
institution-owned (Citus-ready: `institution` in every unique key).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tuoyu.core.catalogue import CoreError
from tuoyu.core.filenames import RandomName
from tuoyu.core.personal import BlindIndexField, PersonalDataField


class Role(models.TextChoices):
    """API-CONTRACT §2."""

    PRINCIPAL = "principal", _("负责人")
    CAREGIVER = "caregiver", _("保育人员")
    HEALTH_WORKER = "health_worker", _("保健人员")
    COOK = "cook", _("炊事人员")
    SECURITY = "security", _("安保人员")
    OTHER = "other", _("其他人员")


class CertificateKind(models.TextChoices):
    """API-CONTRACT §2."""

    CHILDCARE_WORKER = "childcare_worker", _("保育员")
    INFANT_CARER = "infant_carer", _("育婴员")
    KINDERGARTEN_TEACHER = "kindergarten_teacher", _("幼儿园教师资格证")
    PHYSICIAN = "physician", _("医师执业证书")
    NURSE = "nurse", _("护士执业证书")
    HEALTH_WORKER_TRAINING = "health_worker_training", _("保健员培训合格证")
    SECURITY_GUARD = "security_guard", _("保安员证")
    HEALTH_CERTIFICATE = "health_certificate", _("健康合格证")
    NO_CRIMINAL_RECORD = "no_criminal_record", _("无犯罪记录证明")
    OTHER = "other", _("其他")


class Education(models.TextChoices):
    """Ordered lowest first (`EDUCATION_RANK`): P-STD-2 asks the head for a minimum."""

    NONE = "", _("未填写")
    JUNIOR_MIDDLE = "junior_middle", _("初中及以下")
    SENIOR_MIDDLE = "senior_middle", _("高中（中专）")
    JUNIOR_COLLEGE = "junior_college", _("大专")
    BACHELOR = "bachelor", _("本科")
    POSTGRADUATE = "postgraduate", _("研究生")


EDUCATION_RANK = {value: rank for rank, value in enumerate(Education.values)}


class Person(models.Model):
    """A natural person by resident ID number (GB 11643). Shared by the employments of the
    person at any institution; holds no contact data (that is per employment)."""

    name = models.CharField(_("姓名"), max_length=60)
    id_number = PersonalDataField(_("身份证号码"), kind="id_number")
    # Unique among the persons who still have a number: retention (P-RET-2) empties the
    # number and its index of every anonymised person, and "" must not collide.
    id_number_index = BlindIndexField(source="id_number", kind="id_number")
    # What every list shows, kept beside the ciphertext so that a roster page decrypts nothing.
    id_number_masked = models.CharField(_("身份证号码"), max_length=18)
    birth_date = models.DateField(_("出生日期"))
    created_at = models.DateTimeField(auto_now_add=True)
    # P-RET-2: set by the retention rule `workforce.staff_left` (tuoyu.workforce.retention).
    anonymised_at = models.DateTimeField(_("匿名化时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=~models.Q(id_number_index=""),
                name="person_one_per_id_number",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_number_masked}）"


class StaffMember(models.Model):
    """One employment (在职或已离职) of a person at an institution (P-WF-1)."""

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="staff"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="employments")
    name = models.CharField(_("姓名"), max_length=60)
    role = models.CharField(_("岗位"), max_length=16, choices=Role.choices)
    care_class = models.ForeignKey(
        "institutions.CareClass",
        verbose_name=_("所在班级"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="caregivers",
    )
    hired_on = models.DateField(_("入职日期"))
    left_on = models.DateField(_("离职日期"), null=True, blank=True)
    full_time = models.BooleanField(_("专职"), default=True)
    phone = PersonalDataField(_("联系电话"), kind="phone", blank=True, default="")
    education = models.CharField(
        _("学历"), max_length=16, choices=Education.choices, blank=True, default=""
    )
    experience_years = models.PositiveSmallIntegerField(_("相关工作年限"), default=0)
    head_training = models.BooleanField(_("已参加负责人岗位培训"), default=False)
    # P-SUP-6: set the moment a ban on the person takes effect while employed here; shown
    # to the institution and 区卫健局 until the person leaves.
    banned_by = models.ForeignKey(
        "workforce.Ban", on_delete=models.PROTECT, null=True, blank=True, related_name="flagged"
    )
    ban_flagged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["institution", "role", "name", "pk"]
        verbose_name = _("从业人员")
        verbose_name_plural = _("从业人员")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "person"],
                condition=models.Q(left_on__isnull=True),
                name="staff_one_active_employment",
            ),
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True)
                | models.Q(left_on__gte=models.F("hired_on")),
                name="staff_leave_after_hire",
                violation_error_code=str(CoreError.DATE_ORDER),
            ),
        ]
        indexes = [models.Index(fields=["institution", "left_on"], name="staff_inst_active")]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"

    @property
    def active(self) -> bool:
        return self.left_on is None


class Certificate(models.Model):
    """A certificate or health certificate of an employment (P-WF-1, P-HC-5)."""

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="certificates")
    kind = models.CharField(_("证书类型"), max_length=24, choices=CertificateKind.choices)
    number = models.CharField(_("证书编号"), max_length=60, blank=True, default="")
    issuer = models.CharField(_("发证机关"), max_length=100, blank=True, default="")
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    # P-WF-1: the scan of the certificate — a private upload (random name under media/,
    # 0600), PDF/JPEG/PNG by content (`tuoyu.core.uploads.check_upload`); read only through
    # the audited download and preview. Retention (P-RET-2) deletes it with the number.
    scan = models.FileField(
        _("扫描件"), upload_to=RandomName("workforce/certificates/%Y/%m/"), blank=True, default=""
    )
    scan_name = models.CharField(_("原文件名"), max_length=200, blank=True, default="")
    scan_content_type = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["staff", "kind", "-valid_from"]
        verbose_name = _("证书")
        verbose_name_plural = _("证书")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="certificate_dates_ordered",
            )
        ]
        indexes = [
            models.Index(fields=["institution", "kind", "valid_until"], name="cert_inst_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}".strip()

    def valid_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class Training(models.Model):
    """Pre-job and in-service training, skill appraisal (P-WF-1, P-WF-3)."""

    class Kind(models.TextChoices):
        PRE_JOB = "pre_job", _("岗前培训")
        IN_SERVICE = "in_service", _("在岗培训")
        APPRAISAL = "appraisal", _("职业技能等级认定")

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="trainings")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("培训（认定）项目"), max_length=100)
    provider = models.CharField(_("培训机构"), max_length=100)
    hours = models.DecimalField(_("学时"), max_digits=6, decimal_places=1, default=0)
    completed_on = models.DateField(_("完成日期"))
    appraisal_level = models.CharField(_("技能等级"), max_length=20, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-completed_on", "pk"]
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        indexes = [models.Index(fields=["completed_on"], name="training_completed")]

    def __str__(self) -> str:
        return self.title


class BanQuerySet(models.QuerySet):
    def delete(self):
        from tuoyu.core.errors import DomainError
        from tuoyu.workforce.catalogue import WorkforceError

        raise DomainError(WorkforceError.BAN_NEVER_DELETED, status=409)


class Ban(models.Model):
    """A lifetime ban (终身禁入, P-SUP-6). Proposed by one 区卫健局 officer and approved by
    another (four eyes), or recorded from a blacklist entry that was itself four-eyes
    approved (supervision, `person_blacklisted`). Never deleted: lifted only by a recorded
    court or authority decision."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待审核")
        IN_FORCE = "in_force", _("生效")
        LIFTED = "lifted", _("已依决定解除")

    class Party(models.TextChoices):
        PERPETRATOR = "perpetrator", _("直接责任人")
        MANAGER = "manager", _("负有责任的管理人员")

    class Source(models.TextChoices):
        MANUAL = "manual", _("区卫健局录入")
        BLACKLIST = "blacklist", _("综合监管黑名单")

    name = models.CharField(_("姓名"), max_length=60)
    id_number = PersonalDataField(_("身份证号码"), kind="id_number")
    id_number_index = BlindIndexField(source="id_number", kind="id_number")
    id_number_masked = models.CharField(_("身份证号码"), max_length=18)
    party = models.CharField(
        _("责任类型"), max_length=12, choices=Party.choices, default="perpetrator"
    )
    reason = models.TextField(_("禁入事由"))
    decided_on = models.DateField(_("决定日期"))
    decision_ref = models.CharField(_("决定文号"), max_length=100)
    case_ref = models.CharField(_("所涉案件"), max_length=100, blank=True, default="")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default="proposed")
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default="manual")
    blacklist_entry_id = models.PositiveBigIntegerField(null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("生效时间"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_on = models.DateField(_("解除日期"), null=True, blank=True)
    lift_authority = models.CharField(
        _("作出解除决定的机关"), max_length=100, blank=True, default=""
    )
    lift_decision_ref = models.CharField(_("解除决定文号"), max_length=100, blank=True, default="")
    lift_reason = models.TextField(_("解除理由"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("终身禁入")
        verbose_name_plural = _("终身禁入")
        constraints = [
            # One open ban (proposed or in force) per person.
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=~models.Q(status="lifted"),
                name="ban_one_open_per_person",
            ),
            # Four eyes (P-SUP-6): a manual ban in force was approved by someone else.
            models.CheckConstraint(
                condition=~models.Q(source="manual", status="in_force")
                | ~models.Q(approved_by=models.F("proposed_by")),
                name="ban_four_eyes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_number_masked}）"

    def delete(self, *args, **kwargs):
        from tuoyu.core.errors import DomainError
        from tuoyu.workforce.catalogue import WorkforceError

        raise DomainError(WorkforceError.BAN_NEVER_DELETED, status=409)


class BanAttempt(models.Model):
    """An institution tried to add a banned person (by form, API or Excel): who, where, when
    (P-SUP-6). Shown to 区卫健局."""

    class Channel(models.TextChoices):
        FORM = "form", _("页面录入")
        API = "api", _("接口")
        EXCEL = "excel", _("Excel 导入")

    ban = models.ForeignKey(Ban, on_delete=models.PROTECT, related_name="attempts")
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="+"
    )
    attempted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    channel = models.CharField(_("途径"), max_length=8, choices=Channel.choices)
    name = models.CharField(_("填报姓名"), max_length=60)
    attempted_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["-attempted_at", "-pk"]
        verbose_name = _("禁入人员录用尝试")
        verbose_name_plural = _("禁入人员录用尝试")

    def __str__(self) -> str:
        return f"{self.name} @ {self.institution_id}"


class ExpiryNotice(models.Model):
    """The daily job's in-app notice that a certificate expires within the policy window
    (or has expired): one per certificate and expiry date, so reruns add nothing."""

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="+"
    )
    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="+")
    valid_until = models.DateField()
    notified_on = models.DateField()

    class Meta:
        ordering = ["valid_until", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "certificate", "valid_until"], name="expiry_notice_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.valid_until}"
