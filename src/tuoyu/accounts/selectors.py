from __future__ import annotations

from django.db.models import Prefetch, QuerySet

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


def position_get(position_id: int) -> Position:
    position = Position.objects.filter(pk=position_id).first()
    if position is None:
        raise NotFound()
    return position


def departments() -> QuerySet[Department]:
    return Department.objects.all()


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
