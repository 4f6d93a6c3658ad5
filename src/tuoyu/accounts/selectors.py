from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tuoyu.accounts.models import ApiToken, Department, Position, PositionHolding, User
from tuoyu.core.errors import NotFound


def api_tokens_for(*, acting_user) -> QuerySet[ApiToken]:
    """A user manages their own tokens; platform operators see every token."""
    qs = ApiToken.objects.select_related("user")
    if acting_user.scope_kind == User.ScopeKind.SYSTEM and acting_user.is_staff:
        return qs
    return qs.filter(user=acting_user)


def api_token_get(*, acting_user, token_id: int) -> ApiToken:
    token = api_tokens_for(acting_user=acting_user).filter(pk=token_id).first()
    if token is None:
        raise NotFound()
    return token


def leading_group() -> QuerySet[Position]:
    return Position.objects.select_related("department").prefetch_related(
        Prefetch("holdings", queryset=PositionHolding.objects.order_by("-started_on"))
    )


@dataclass(frozen=True)
class LeadingGroup:
    """The leading group as the annex of 金区政办〔2020〕36号 sets it out (P-ORG-1): leader,
    deputy leaders, member units (represented by their 分管领导), the office and its head;
    `other_departments` have duties on the platform (P-ORG-2) but are not members."""

    leaders: list[Position]
    deputies: list[Position]
    office_heads: list[Position]
    other_positions: list[Position]
    member_units: list[Department]
    other_departments: list[Department]

    @property
    def positions(self) -> list[Position]:
        return [*self.leaders, *self.deputies, *self.office_heads, *self.other_positions]


def leading_group_structure() -> LeadingGroup:
    positions = list(leading_group())
    by_rank: dict[str, list[Position]] = {}
    for p in positions:
        by_rank.setdefault(p.rank, []).append(p)
    departments_all = list(Department.objects.all())
    R = Position.Rank
    return LeadingGroup(
        leaders=by_rank.get(R.LEADER, []),
        deputies=by_rank.get(R.DEPUTY, []),
        office_heads=by_rank.get(R.OFFICE_HEAD, []),
        other_positions=[p for p in positions if p.rank not in (R.LEADER, R.DEPUTY, R.OFFICE_HEAD)],
        member_units=[d for d in departments_all if d.is_member_unit],
        other_departments=[d for d in departments_all if not d.is_member_unit],
    )


def position_get(position_id: int) -> Position:
    position = Position.objects.filter(pk=position_id).first()
    if position is None:
        raise NotFound()
    return position


def departments() -> QuerySet[Department]:
    return Department.objects.all()


def second_factor_colleagues(*, acting_user) -> QuerySet[User]:
    """The accounts whose second factor `acting_user` may reset (`accounts.reset_second_factor`):
    区卫健局 its own department's users, operators the operators; itself listed too, for
    the page (the service refuses one's own). Each carries `has_totp` and
    `recovery_codes_left`."""
    if not acting_user.has_perm("accounts.reset_second_factor"):
        return User.objects.none()
    qs = User.objects.filter(is_active=True)
    if acting_user.scope_kind == User.ScopeKind.SYSTEM:
        qs = qs.filter(scope_kind=User.ScopeKind.SYSTEM, is_staff=True)
    else:
        qs = qs.filter(
            scope_kind=User.ScopeKind.DEPARTMENT, department_id=acting_user.department_id
        )
    tokens = (
        StaticToken.objects.filter(device__user=OuterRef("pk"))
        .order_by()
        .values("device__user")
        .annotate(n=Count("id"))
        .values("n")
    )
    return qs.annotate(
        has_totp=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
        recovery_codes_left=Coalesce(Subquery(tokens), 0),
    ).order_by("username")


def second_factor_colleague_get(*, acting_user, user_id: int) -> User:
    user = second_factor_colleagues(acting_user=acting_user).filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    return user


def demo_second_factor_rows(demo_key_hex: str) -> list[str]:
    """Usernames whose confirmed TOTP device holds the published demo key (accounts.seeding):
    only those, never a real secret, are printed by `tuoyu demo_accounts`."""
    return list(
        TOTPDevice.objects.filter(key=demo_key_hex, confirmed=True, user__is_active=True)
        .order_by("user__username")
        .values_list("user__username", flat=True)
    )


def demo_account_rows() -> list[tuple[str, str, str, str]]:
    """username, role, scope_name, scope_code (API-CONTRACT §7)."""
    from django.conf import settings

    rows = []
    users = (
        User.objects.select_related("department", "township", "institution")
        .filter(is_active=True)
        .exclude(scope_kind=User.ScopeKind.SYSTEM)
        .order_by("scope_kind", "username")
    )
    for u in users:
        if u.scope_kind == User.ScopeKind.INSTITUTION:
            code = u.institution.uscc
        elif u.scope_kind == User.ScopeKind.TOWNSHIP:
            code = u.township.code
        else:
            code = settings.TUOYU_DISTRICT_CODE
        rows.append((u.username, u.role, u.scope_label, code))
    return rows


# --- the account lifecycle ([accounts-ux] #9 point 1) ----------------------------------------


def users_managed(*, acting_user, q: str = "", status: str = "") -> QuerySet[User]:
    """The accounts `acting_user` administers (`scopes.users_manageable`), searched by
    username or name (`q`) and filtered by lifecycle status ("active", "pending",
    "disabled")."""
    from django.db.models import Q

    from tuoyu.accounts.scopes import users_manageable

    qs = users_manageable(
        User.objects.select_related("department", "township", "institution"),
        acting_user=acting_user,
    )
    q = (q or "").strip()[:60]
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    if status == "disabled":
        qs = qs.filter(disabled_at__isnull=False)
    elif status == "pending":
        qs = qs.filter(disabled_at__isnull=True, is_active=False)
    elif status == "active":
        qs = qs.filter(is_active=True)
    return qs.order_by("scope_kind", "username")


def user_managed_get(*, acting_user, user_id: int) -> User:
    user = users_managed(acting_user=acting_user).filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    return user


def user_activation_code_current(user: User):
    """The live code of `user` (its dates only: the code itself is never stored)."""
    from django.utils import timezone

    from tuoyu.accounts.models import ActivationCode

    return ActivationCode.objects.filter(
        user=user, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).first()


def user_is_managed_by(*, acting_user, user: User) -> bool:
    return users_managed(acting_user=acting_user).filter(pk=user.pk).exists()
