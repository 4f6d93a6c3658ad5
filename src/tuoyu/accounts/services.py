"""Writes for accounts: login attempts and locks, API tokens, the leading group."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone

from tuoyu.accounts.catalogue import AccountsAction, AccountsError
from tuoyu.accounts.models import (
    ApiToken,
    Department,
    LoginAttempt,
    Position,
    PositionHolding,
    User,
)
from tuoyu.audit.models import AuditEvent
from tuoyu.audit.services import audit_record, diff, snapshot
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError

security_log = logging.getLogger("tuoyu.security")

TOKEN_PREFIX = "ty_"


# --- login ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LockState:
    locked: bool
    until: dt.datetime | None = None
    by: str = ""  # "account" or "ip"


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.TUOYU_LOGIN_WINDOW_MINUTES)


def _lock_for(filter_kwargs: dict, now: dt.datetime) -> dt.datetime | None:
    """If the last N attempts in the window (after the last success) all failed, the lock
    lasts until the oldest of them leaves the window."""
    limit = settings.TUOYU_LOGIN_MAX_FAILURES
    since = now - _window()
    recent = LoginAttempt.objects.filter(at__gte=since, **filter_kwargs)
    last_success = recent.filter(succeeded=True).order_by("-at").values_list("at", flat=True)
    last_success = last_success.first()
    failures = recent.filter(succeeded=False)
    if last_success is not None:
        failures = failures.filter(at__gt=last_success)
    times = list(failures.order_by("-at").values_list("at", flat=True)[:limit])
    if len(times) < limit:
        return None
    return times[-1] + _window()


def login_lock_state(*, username: str, ip: str, now: dt.datetime | None = None) -> LockState:
    now = now or timezone.now()
    until = _lock_for({"username": username.lower()}, now)
    if until:
        return LockState(True, until, "account")
    if ip:
        until = _lock_for({"ip": ip}, now)
        if until:
            return LockState(True, until, "ip")
    return LockState(False)


def _locked_error(state: LockState) -> DomainError:
    local = timezone.localtime(state.until)
    who = "该账号" if state.by == "account" else "您所在的网络地址"
    return DomainError(
        AccountsError.LOGIN_LOCKED,
        f"{who}在 {settings.TUOYU_LOGIN_WINDOW_MINUTES} 分钟内连续登录失败 "
        f"{settings.TUOYU_LOGIN_MAX_FAILURES} 次，已被锁定，请于 {local:%H:%M} 后再试",
        field="username",
        status=429,
    )


def user_login_attempt(*, request, username: str, password: str, ip: str, user_agent: str = ""):
    """Authenticate, respecting and recording the throttle. Returns the user or raises.

    Not one transaction: a refused attempt must stay recorded although the caller gets an
    error, so each record commits on its own before the error is raised."""
    username = (username or "").strip()
    now = timezone.now()
    state = login_lock_state(username=username, ip=ip, now=now)
    if state.locked:
        security_log.warning("login refused (locked by %s) user=%s ip=%s", state.by, username, ip)
        audit_record(
            action=AccountsAction.SESSION_LOGIN_REFUSED_LOCKED,
            kind=AuditEvent.Kind.AUTH,
            object_type="accounts.user",
            object_id=username,
            detail={"locked_by": state.by, "until": state.until.isoformat()},
        )
        raise _locked_error(state)
    user = authenticate(request, username=username, password=password)
    with transaction.atomic():
        LoginAttempt.objects.create(
            username=username.lower(),
            ip=ip,
            succeeded=user is not None,
            at=now,
            user_agent=user_agent[:200],
        )
        if user is None:
            audit_record(
                action=AccountsAction.SESSION_LOGIN_FAILED,
                kind=AuditEvent.Kind.AUTH,
                object_type="accounts.user",
                object_id=username,
            )
        else:
            audit_record(
                action=AccountsAction.SESSION_LOGIN, kind=AuditEvent.Kind.AUTH, actor=user, obj=user
            )
    if user is None:
        security_log.warning("login failed user=%s ip=%s", username, ip)
        state = login_lock_state(username=username, ip=ip, now=now)
        if state.locked:
            raise _locked_error(state)
        raise DomainError(
            AccountsError.LOGIN_INVALID, "用户名或密码错误", field="password", status=401
        )
    return user


def user_logged_out(*, user) -> None:
    if user is not None and user.is_authenticated:
        audit_record(
            action=AccountsAction.SESSION_LOGOUT, kind=AuditEvent.Kind.AUTH, actor=user, obj=user
        )


# --- users ---------------------------------------------------------------------------------


@transaction.atomic
def user_create(
    *,
    acting_user=None,
    username: str,
    password: str | None = None,
    display_name: str = "",
    department: Department | None = None,
    township=None,
    institution=None,
    is_staff: bool = False,
    password_hash: str | None = None,
) -> User:
    """`password_hash` (an already-hashed password) lets generated accounts share one hash;
    people's accounts pass `password`."""
    if department is not None:
        kind = User.ScopeKind.DEPARTMENT
    elif township is not None:
        kind = User.ScopeKind.TOWNSHIP
    elif institution is not None:
        kind = User.ScopeKind.INSTITUTION
    else:
        kind = User.ScopeKind.SYSTEM
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(
            AccountsError.USERNAME_TAKEN,
            f"用户名 {username} 已被使用",
            field="username",
            status=409,
        )
    user = User(
        username=username,
        display_name=display_name,
        scope_kind=kind,
        department=department,
        township=township,
        institution=institution,
        is_staff=is_staff,
    )
    if password_hash:
        user.password = password_hash
    elif password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit_record(
        action=AccountsAction.USER_CREATED,
        actor=acting_user,
        obj=user,
        changes=diff(
            {},
            snapshot(
                user,
                ["username", "display_name", "scope_kind", "department", "township", "institution"],
            ),
        ),
    )
    return user


# --- API tokens ----------------------------------------------------------------------------


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, user: User, name: str, acting_user=None) -> tuple[ApiToken, str]:
    """Create a token; the clear token is returned once and never stored."""
    if not user.is_active:
        raise DomainError(
            AccountsError.USER_INACTIVE, "该账号已停用，不能签发令牌", field="username"
        )
    name = (name or "").strip() or "接口调用"
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=raw[:10],
        key_hash=_hash_token(raw),
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    audit_record(
        action=AccountsAction.TOKEN_ISSUED,
        actor=acting_user or user,
        obj=token,
        detail={"user": user.username, "name": token.name},
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, acting_user) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            action=AccountsAction.TOKEN_REVOKED,
            actor=acting_user,
            obj=token,
            detail={"user": token.user.username},
        )
    return token


def api_token_authenticate(raw: str) -> User | None:
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related(
            "user", "user__department", "user__township", "user__institution"
        )
        .filter(key_hash=_hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Record use at most once a minute: a busy client must not turn every read into a write.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- leading group (P-ORG-1) -----------------------------------------------------------------


@transaction.atomic
def position_assign_holder(
    *,
    acting_user,
    position: Position,
    holder_name: str,
    holder_post: str = "",
    started_on: dt.date,
) -> PositionHolding:
    """The successor takes the place: the current holding ends the day before; the
    position and its duties stay."""
    holder_name = (holder_name or "").strip()
    if not holder_name:
        raise DomainError(CoreError.REQUIRED, "请填写任职人姓名", field="holder_name")
    current = (
        PositionHolding.objects.select_for_update()
        .filter(position=position, ended_on__isnull=True)
        .first()
    )
    if current is not None:
        if started_on <= current.started_on:
            raise DomainError(
                CoreError.DATE_ORDER,
                f"新任职日期须晚于现任 {current.holder_name} 的起始日期 {current.started_on}",
                field="started_on",
            )
        current.ended_on = started_on - dt.timedelta(days=1)
        current.save(update_fields=["ended_on"])
    holding = PositionHolding.objects.create(
        position=position,
        holder_name=holder_name,
        holder_post=holder_post.strip(),
        started_on=started_on,
    )
    audit_record(
        action=AccountsAction.POSITION_HOLDER_CHANGED,
        actor=acting_user,
        obj=position,
        changes={"holder": [current.holder_name if current else None, holder_name]},
        detail={"started_on": started_on.isoformat()},
    )
    return holding


# --- organisation data (P-ORG-1, P-ORG-2) ----------------------------------------------------

DATA_DIR = __import__("pathlib").Path(__file__).resolve().parent / "data"


@transaction.atomic
def departments_load(*, acting_user=None, path=None) -> dict:
    """Upsert the departments of P-ORG-2 from YAML (the district's own file, or ours)."""
    import yaml

    rows = yaml.safe_load((path or DATA_DIR / "departments.yaml").read_text(encoding="utf-8"))
    created = updated = 0
    for order, row in enumerate(rows):
        defaults = {
            "name": row["name"],
            "full_name": row.get("full_name", row["name"]),
            "duties": row.get("duties", ""),
            "registration_authority": row.get("registration_authority", ""),
            "review_subjects": row.get("review_subjects", []),
            "is_lead": row.get("is_lead", False),
            "sort_order": order,
        }
        dept = Department.objects.filter(code=row["code"]).first()
        if dept is None:
            dept = Department.objects.create(code=row["code"], **defaults)
            created += 1
            audit_record(
                action=AccountsAction.DEPARTMENT_CREATED,
                actor=acting_user,
                obj=dept,
                changes=diff({}, snapshot(dept)),
            )
            continue
        before = snapshot(dept)
        for key, value in defaults.items():
            setattr(dept, key, value)
        changes = diff(before, snapshot(dept))
        if changes:
            dept.save()
            updated += 1
            audit_record(
                action=AccountsAction.DEPARTMENT_UPDATED,
                actor=acting_user,
                obj=dept,
                changes=changes,
            )
    return {"created": created, "updated": updated}


@transaction.atomic
def positions_load(*, acting_user=None, path=None) -> int:
    import yaml

    rows = yaml.safe_load((path or DATA_DIR / "leading_group.yaml").read_text(encoding="utf-8"))
    created = 0
    for order, row in enumerate(rows):
        dept = (
            Department.objects.filter(code=row["department"]).first()
            if row.get("department")
            else None
        )
        position, was_created = Position.objects.get_or_create(
            title=row["title"],
            defaults={
                "rank": row["rank"],
                "duties": row.get("duties", ""),
                "department": dept,
                "sort_order": order,
            },
        )
        if was_created:
            created += 1
            audit_record(action=AccountsAction.POSITION_CREATED, actor=acting_user, obj=position)
    return created
