"""Accounts and the scopes they act in (P-ORG-1, P-ORG-2).

A user belongs to exactly one scope: a district department, a township, or an institution
(or, for platform operators, the system scope, which sees no domain data).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tuoyu.core.scope import ScopeKind as CoreScopeKind


class Department(models.Model):
    """A unit of P-ORG-2 with its duties; some are registration authorities (P-REG-10) and
    some review one or more filing subjects (P-REG-12)."""

    class RegistrationAuthority(models.TextChoices):
        MARKET_REGULATION = "market_regulation", _("区市场监管局")
        CIVIL_AFFAIRS = "civil_affairs", _("区民政局")
        PUBLIC_INSTITUTION_REGISTRATION = (
            "public_institution_registration",
            _("区事业单位登记管理局"),
        )
        EDUCATION = "education", _("区教体局")

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("简称"), max_length=60)
    full_name = models.CharField(_("全称"), max_length=120, blank=True)
    duties = models.TextField(_("职责"), blank=True)
    registration_authority = models.CharField(
        _("登记机关类别"),
        max_length=40,
        choices=RegistrationAuthority.choices,
        blank=True,
        help_text=_("作为登记机关推送登记信息时使用的 authority 值"),
    )
    review_subjects = models.JSONField(
        _("备案审核事项"), default=list, blank=True, help_text=_("fire/security/food/health_care")
    )
    is_lead = models.BooleanField(_("牵头部门"), default=False)
    is_member_unit = models.BooleanField(
        _("领导小组成员单位"),
        default=False,
        help_text=_(
            "金区政办〔2020〕36号附件列出的成员单位（P-ORG-1）；其他部门在平台上承担职责但不是成员"
        ),
    )
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        constraints = [
            models.UniqueConstraint(
                fields=["registration_authority"],
                condition=~Q(registration_authority=""),
                name="department_one_per_authority",
            )
        ]

    def __str__(self) -> str:
        return self.name_display

    # [accounts-ux] 9: data texts in the language in use (their msgids are listed in
    # accounts/data_texts.py, the English in the catalog); a text without a translation
    # shows as stored.
    @property
    def name_display(self) -> str:
        return gettext(self.name) if self.name else ""

    @property
    def full_name_display(self) -> str:
        return gettext(self.full_name) if self.full_name else ""

    @property
    def duties_display(self) -> str:
        return gettext(self.duties) if self.duties else ""


LIFECYCLE_LABELS = {"active": _("正常"), "pending": _("待激活"), "disabled": _("已停用")}


class User(AbstractUser):
    class ScopeKind(models.TextChoices):
        # The values of tuoyu.core.scope.ScopeKind a user can hold (never "none").
        DEPARTMENT = CoreScopeKind.DEPARTMENT.value, _("区级部门")
        TOWNSHIP = CoreScopeKind.TOWNSHIP.value, _("镇乡街道")
        INSTITUTION = CoreScopeKind.INSTITUTION.value, _("托育机构")
        SYSTEM = CoreScopeKind.SYSTEM.value, _("平台运维")

    display_name = models.CharField(_("姓名"), max_length=60, blank=True)
    scope_kind = models.CharField(
        _("管辖范围类型"), max_length=16, choices=ScopeKind.choices, default=ScopeKind.SYSTEM
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    township = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("镇乡街道"),
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("托育机构"),
    )
    # [accounts-ux] #9 point 1: the account lifecycle (docs/accounts.md).
    is_scope_admin = models.BooleanField(
        _("本单位管理员"),
        default=False,
        help_text=_("可在本单位（部门、镇乡街道或机构）内新增、停用、启用和重置账号"),
    )
    must_change_password = models.BooleanField(_("须修改密码"), default=False)
    disabled_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                name="user_exactly_one_scope",
                condition=(
                    Q(
                        scope_kind="department",
                        department__isnull=False,
                        township__isnull=True,
                        institution__isnull=True,
                    )
                    | Q(
                        scope_kind="township",
                        department__isnull=True,
                        township__isnull=False,
                        institution__isnull=True,
                    )
                    | Q(
                        scope_kind="institution",
                        department__isnull=True,
                        township__isnull=True,
                        institution__isnull=False,
                    )
                    | Q(
                        scope_kind="system",
                        department__isnull=True,
                        township__isnull=True,
                        institution__isnull=True,
                    )
                ),
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def lifecycle_status(self) -> str:
        """[accounts-ux] #9 point 1: "disabled" by an administrator, "pending" activation
        (created without a password, waiting for its activation code), else "active"."""
        if self.disabled_at is not None:
            return "disabled"
        return "active" if self.is_active else "pending"

    @property
    def lifecycle_label(self) -> str:
        return str(LIFECYCLE_LABELS[self.lifecycle_status])

    @property
    def scope_label(self) -> str:
        if self.scope_kind == self.ScopeKind.DEPARTMENT and self.department_id:
            return self.department.name_display
        if self.scope_kind == self.ScopeKind.TOWNSHIP and self.township_id:
            return self.township.name
        if self.scope_kind == self.ScopeKind.INSTITUTION and self.institution_id:
            return self.institution.name
        return str(self.ScopeKind.SYSTEM.label)

    @cached_property
    def scope(self):
        """The scope value every app's selectors filter by (tuoyu.core.scope)."""
        from tuoyu.accounts.scopes import scope_build

        return scope_build(self)

    @property
    def role(self) -> str:
        """Machine role: the department code for department users, else the scope kind."""
        if self.scope_kind == self.ScopeKind.DEPARTMENT and self.department_id:
            return self.department.code
        return self.scope_kind


class ApiToken(models.Model):
    """Bearer tokens for other systems (API-CONTRACT §0). Only a SHA-256 of the token is
    stored; tokens are long random strings, so a slow hash adds nothing."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class LoginAttempt(models.Model):
    """Every login attempt that was let through to a password or code check, for throttling
    (lock after N failures in a window, per account and per network address) and for the
    security log. An attempt is recorded as failed *before* its check and marked succeeded
    after it ([hardening] point 3), so a check never runs uncounted. Attempts refused during
    a lock are not rows here; they are counted on the `LoginThrottle` row."""

    class Factor(models.TextChoices):
        PASSWORD = "password", _("密码")
        OTP = "otp", _("动态验证码")
        ACTIVATION = "activation", _("激活码")

    username = models.CharField(max_length=150, db_index=True)
    ip = models.CharField(max_length=45, db_index=True)
    # What the per-address throttle counts by: the IPv4 address, or an IPv6 address's /64.
    ip_block = models.CharField(max_length=45, blank=True, default="")
    factor = models.CharField(max_length=16, choices=Factor.choices, default=Factor.PASSWORD)
    succeeded = models.BooleanField()
    # The login completed (password, and the second factor where required): this clears
    # the account's earlier failures; a password accepted before a second factor does not.
    signed_in = models.BooleanField(default=False)
    at = models.DateTimeField(db_index=True)
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["username", "at"]),
            models.Index(fields=["ip", "at"]),
            models.Index(fields=["ip_block", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.username}@{self.ip} {'成功' if self.succeeded else '失败'}"


class ActivationCode(models.Model):
    """A one-time code that sets an account's first password ([accounts-ux] #9 point 1):
    random (100 bits), shown once, stored only as its SHA-256 (like API tokens: a random
    code needs no slow hash), valid until `expires_at`. Issuing a new one revokes the live
    one (one live code per account)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="activation_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField(_("有效期至"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("激活码")
        verbose_name_plural = _("激活码")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(used_at__isnull=True, revoked_at__isnull=True),
                name="activation_code_one_live_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"


class LoginThrottle(models.Model):
    """The lock row of one throttled key: an account (`account:<username>`) or a network
    address (`ip:<address or IPv6 /64>`). Each login attempt locks its rows (SELECT … FOR
    UPDATE; on SQLite the IMMEDIATE transaction) before it counts the recent failures and
    records itself, so parallel attempts are counted one after another ([hardening] point 3).
    Refusals during a lock are counted here: the first is audited, the period's count is
    audited once when the lock is over ([hardening] point 16)."""

    key = models.CharField(max_length=200, unique=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    refused = models.PositiveIntegerField(default=0)
    refused_last_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.key


class Position(models.Model):
    """A seat in the leading group (P-ORG-1): defined by position, not by person, so the
    duties stay when the holder changes ("如发生人事调整，接任者自然替补"). `post` is the post
    that holds the seat ex officio (e.g. 区府办副主任), `department` the unit it comes from
    when that unit is a platform department."""

    class Rank(models.TextChoices):
        LEADER = "leader", _("组长")
        DEPUTY = "deputy", _("副组长")
        MEMBER = "member", _("成员")
        OFFICE_HEAD = "office_head", _("办公室主任")

    title = models.CharField(_("职务"), max_length=100)
    rank = models.CharField(_("组内职位"), max_length=16, choices=Rank.choices)
    post = models.CharField(
        _("由何职务担任"), max_length=100, blank=True, help_text=_("如：副区长、区府办副主任")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="positions"
    )
    duties = models.TextField(_("职责"), blank=True)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("领导小组职位")
        verbose_name_plural = _("领导小组职位")

    def __str__(self) -> str:
        return self.title

    @property
    def current_holding(self):
        return self.holdings.filter(ended_on__isnull=True).first()


class PositionHolding(models.Model):
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="holdings")
    holder_name = models.CharField(_("任职人"), max_length=60)
    holder_post = models.CharField(_("本职"), max_length=100, blank=True)
    started_on = models.DateField(_("起始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        ordering = ["-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["position"],
                condition=Q(ended_on__isnull=True),
                name="position_one_current_holder",
            )
        ]

    def __str__(self) -> str:
        return f"{self.position} {self.holder_name}"
