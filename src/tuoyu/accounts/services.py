"""Writes for accounts: login attempts and locks, the second factor, API tokens, the leading
group."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import ipaddress
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_otp import verify_token as otp_verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tuoyu.accounts.catalogue import AccountsAction, AccountsError
from tuoyu.accounts.models import (
    ApiToken,
    Department,
    LoginAttempt,
    LoginThrottle,
    Position,
    PositionHolding,
    User,
)
from tuoyu.accounts.rules import requires_second_factor
from tuoyu.audit.models import AuditEvent
from tuoyu.audit.services import audit_record, diff, snapshot
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError, NotFound

security_log = logging.getLogger("tuoyu.security")

TOKEN_PREFIX = "ty_"


# --- login ---------------------------------------------------------------------------------
#
# [hardening] points 3, 9, 16. Every login path (the /login/ form, the second-factor page,
# the admin site, which sends to /login/) goes through `user_login_attempt` and
# `user_second_factor_verify`. Each attempt first locks its account's and its address's
# `LoginThrottle` rows, counts the recent failures and, unless locked, records itself as a
# failure, in one short transaction; only then is the password (or code) checked, outside
# any lock, and the record marked succeeded. Parallel attempts therefore count one after
# another: at most TUOYU_LOGIN_MAX_FAILURES checks per account and window, however many
# arrive at once. A completed login clears its account's failures only; the address keeps
# counting (TUOYU_LOGIN_MAX_FAILURES_PER_IP), so an attacker's own good logins do not reset
# a spray.


@dataclass(frozen=True)
class LockState:
    locked: bool
    until: dt.datetime | None = None
    by: str = ""  # "account" or "ip"


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.TUOYU_LOGIN_WINDOW_MINUTES)


def _ip_limit() -> int:
    return getattr(settings, "TUOYU_LOGIN_MAX_FAILURES_PER_IP", settings.TUOYU_LOGIN_MAX_FAILURES)


def _account_key(username: str) -> str:
    """What the account throttle counts by: the lower-cased name within the column (a name
    longer than any account can be is still counted, never a 500 — point 9)."""
    return username.lower()[: LoginAttempt._meta.get_field("username").max_length]


def _ip_block(ip: str) -> str:
    """What the address throttle counts by: an IPv4 address, or an IPv6 address's /64 (one
    subscriber's network: rotating addresses within it must not escape the lock)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip[:45]
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _for_log(value: str) -> str:
    """A client-supplied value for the security log: cut, and escaped so that it can never
    start a forged line."""
    return repr(value[:150])


def _failures_lock(failures, *, limit: int, now: dt.datetime) -> dt.datetime | None:
    """If `limit` failures fall in the window, the lock lasts until the oldest of the last
    `limit` of them leaves it."""
    times = list(
        failures.filter(at__gte=now - _window())
        .order_by("-at")
        .values_list("at", flat=True)[:limit]
    )
    if len(times) < limit:
        return None
    return times[-1] + _window()


def login_lock_state(*, username: str, ip: str, now: dt.datetime | None = None) -> LockState:
    now = now or timezone.now()
    account = _account_key(username)
    attempts = LoginAttempt.objects.filter(username=account, at__gte=now - _window())
    failures = attempts.filter(succeeded=False)
    last_sign_in = (
        attempts.filter(signed_in=True).order_by("-at").values_list("at", flat=True).first()
    )
    if last_sign_in is not None:
        failures = failures.filter(at__gt=last_sign_in)
    until = _failures_lock(failures, limit=settings.TUOYU_LOGIN_MAX_FAILURES, now=now)
    if until:
        return LockState(True, until, "account")
    if ip:
        from_block = LoginAttempt.objects.filter(ip_block=_ip_block(ip), succeeded=False)
        until = _failures_lock(from_block, limit=_ip_limit(), now=now)
        if until:
            return LockState(True, until, "ip")
    return LockState(False)


def _locked_error(state: LockState) -> DomainError:
    local = timezone.localtime(state.until)
    if state.by == "account":
        who, limit = "该账号", settings.TUOYU_LOGIN_MAX_FAILURES
    else:
        who, limit = "您所在的网络地址", _ip_limit()
    return DomainError(
        AccountsError.LOGIN_LOCKED,
        f"{who}在 {settings.TUOYU_LOGIN_WINDOW_MINUTES} 分钟内登录失败 "
        f"{limit} 次，已被锁定，请于 {local:%H:%M} 后再试",
        field="username",
        status=429,
    )


def _throttle_row(key: str) -> LoginThrottle:
    """The row of `key`, created if need be, locked until the transaction ends."""
    LoginThrottle.objects.bulk_create([LoginThrottle(key=key)], ignore_conflicts=True)
    return LoginThrottle.objects.select_for_update().get(key=key)


def _log_refusal_count(count: int) -> bool:
    # The first refusal of a lock period and then 10, 100, 1000…: a count, not a flood.
    return count == 1 or (count >= 10 and str(count).strip("0") == "1")


def _lock_period_close(row: LoginThrottle) -> None:
    """The lock of `row` is over: its refusals beyond the first (already audited) are
    audited as one count."""
    if row.refused > 1:
        by = "account" if row.key.startswith("account:") else "ip"
        audit_record(
            action=AccountsAction.SESSION_LOCK_REFUSALS,
            kind=AuditEvent.Kind.AUTH,
            object_type="accounts.login_throttle",
            object_id=row.key,
            detail={
                "locked_by": by,
                "until": row.locked_until.isoformat() if row.locked_until else None,
                "refused": row.refused,
                "last_refused_at": row.refused_last_at.isoformat() if row.refused_last_at else None,
            },
        )
        security_log.warning("lock over key=%s refused=%d", _for_log(row.key), row.refused)
    row.refused = 0
    row.locked_until = None
    row.save(update_fields=["refused", "locked_until"])


def _lock_refusal(row: LoginThrottle, state: LockState, *, username: str, ip: str, now) -> None:
    """Count a refusal during a lock: one audit event per lock period ([hardening] point 16)."""
    if row.refused and row.locked_until != state.until:
        _lock_period_close(row)
    row.refused += 1
    row.locked_until = state.until
    row.refused_last_at = now
    row.save(update_fields=["refused", "locked_until", "refused_last_at"])
    if row.refused == 1:
        audit_record(
            action=AccountsAction.SESSION_LOGIN_REFUSED_LOCKED,
            kind=AuditEvent.Kind.AUTH,
            object_type="accounts.user",
            object_id=username,
            detail={"locked_by": state.by, "until": state.until.isoformat()},
        )
    if _log_refusal_count(row.refused):
        security_log.warning(
            "login refused (locked by %s) user=%s ip=%s refused=%d in this lock",
            state.by,
            _for_log(username),
            ip,
            row.refused,
        )


def _attempt_begin(
    *, username: str, ip: str, user_agent: str, factor: str
) -> tuple[LockState, LoginAttempt | None]:
    """Lock the account's and the address's rows (always in that order: no deadlock), then
    either count a refusal (locked) or record the attempt as failed before its check."""
    account = _account_key(username)
    block = _ip_block(ip) if ip else ""
    with transaction.atomic():
        rows = {"account": _throttle_row(f"account:{account}")}
        if block:
            rows["ip"] = _throttle_row(f"ip:{block}")
        now = timezone.now()
        state = login_lock_state(username=username, ip=ip, now=now)
        for by, row in rows.items():
            if not row.refused or (state.locked and state.by == by):
                continue  # nothing to report, or `_lock_refusal` below counts on
            if state.locked and row.locked_until and row.locked_until > now:
                continue  # the account's lock is checked first: the address's may still run
            _lock_period_close(row)
        if state.locked:
            _lock_refusal(rows[state.by], state, username=username, ip=ip, now=now)
            return state, None
        attempt = LoginAttempt.objects.create(
            username=account,
            ip=ip[:45],
            ip_block=block,
            factor=factor,
            succeeded=False,
            at=now,
            user_agent=user_agent[:200],
        )
    return state, attempt


def second_factor_enforced(user) -> bool:
    """The account logs in with a second factor: `accounts.rules.requires_second_factor`,
    while `settings.TUOYU_REQUIRE_SECOND_FACTOR` is on (only the test suite turns it off)."""
    return bool(getattr(settings, "TUOYU_REQUIRE_SECOND_FACTOR", True)) and bool(
        requires_second_factor(user)
    )


def user_login_attempt(*, request, username: str, password: str, ip: str, user_agent: str = ""):
    """Authenticate, respecting and recording the throttle. Returns the user or raises.

    Not one transaction: a refused attempt must stay recorded although the caller gets an
    error, and the password is checked outside the throttle's locks (it is slow on
    purpose), so the attempt is recorded — as failed — and committed before the check and
    marked succeeded after it. For an account that requires a second factor the login is
    complete only after `user_second_factor_verify`."""
    username = (username or "").strip()
    state, attempt = _attempt_begin(
        username=username, ip=ip, user_agent=user_agent, factor=LoginAttempt.Factor.PASSWORD
    )
    if attempt is None:
        raise _locked_error(state)
    user = authenticate(request, username=username, password=password)
    with transaction.atomic():
        if user is None:
            audit_record(
                action=AccountsAction.SESSION_LOGIN_FAILED,
                kind=AuditEvent.Kind.AUTH,
                object_type="accounts.user",
                object_id=username,
            )
        else:
            pending = second_factor_enforced(user)
            LoginAttempt.objects.filter(pk=attempt.pk).update(succeeded=True, signed_in=not pending)
            audit_record(
                action=AccountsAction.SESSION_PASSWORD_VERIFIED
                if pending
                else AccountsAction.SESSION_LOGIN,
                kind=AuditEvent.Kind.AUTH,
                actor=user,
                obj=user,
            )
    if user is None:
        security_log.warning("login failed user=%s ip=%s", _for_log(username), ip)
        state = login_lock_state(username=username, ip=ip)
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


# --- second factor ([hardening] point 5) ---------------------------------------------------
#
# TOTP through django-otp (TOTPDevice), recovery codes as django-otp static tokens. django-otp
# keeps static tokens in clear; we store a SHA-256 of each code instead (the codes are random,
# 80 bits, so a fast hash suffices, as for API tokens) and hash what is typed before asking
# the device.

RECOVERY_CODES = 10
TOTP_DEVICE_NAME = "动态验证码"
RECOVERY_DEVICE_NAME = "恢复码"


def recovery_code_digest(code: str) -> str:
    """What a recovery code's StaticToken holds (96 bits of its SHA-256, in the token's 16
    characters). Spaces, hyphens and case in what is typed do not matter."""
    normal = "".join(ch for ch in (code or "").lower() if ch.isalnum())
    return base64.urlsafe_b64encode(hashlib.sha256(normal.encode()).digest()).decode()[:16]


def _recovery_code_new() -> str:
    raw = base64.b32encode(secrets.token_bytes(10)).decode().lower()  # 16 characters
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def second_factor_device(user) -> TOTPDevice | None:
    """The user's confirmed TOTP device, if enrolled."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def _recovery_codes_issue(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [_recovery_code_new() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(
        [StaticToken(device=device, token=recovery_code_digest(c)) for c in codes]
    )
    return codes


@transaction.atomic
def second_factor_enrolment_start(*, acting_user) -> TOTPDevice:
    """The unconfirmed TOTP device a not yet enrolled user scans (the same one until it is
    confirmed). Refused once a device is confirmed: enrolling anew would step round it; a
    lost phone is reset by a colleague (`second_factor_reset`)."""
    if second_factor_device(acting_user) is not None:
        raise DomainError(
            AccountsError.SECOND_FACTOR_ENROLLED,
            "该账号已绑定动态验证码；更换手机请由本部门其他管理员重置",
            status=409,
        )
    device = TOTPDevice.objects.filter(user=acting_user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=acting_user, name=TOTP_DEVICE_NAME, confirmed=False)
        audit_record(
            action=AccountsAction.SECOND_FACTOR_ENROLMENT_STARTED,
            kind=AuditEvent.Kind.AUTH,
            actor=acting_user,
            obj=acting_user,
        )
    return device


@transaction.atomic
def second_factor_enrolment_confirm(*, acting_user, token: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the scanned device with a code from it; returns the device and the recovery
    codes, which are shown once and stored only hashed."""
    device = (
        TOTPDevice.objects.select_for_update().filter(user=acting_user, confirmed=False).first()
    )
    if second_factor_device(acting_user) is not None or device is None:
        raise DomainError(
            AccountsError.SECOND_FACTOR_ENROLLED,
            "该账号已绑定动态验证码，或绑定已过期，请重新打开绑定页面",
            status=409,
        )
    token = "".join((token or "").split())
    if not (token.isdigit() and len(token) == device.digits and device.verify_token(token)):
        raise DomainError(
            AccountsError.OTP_INVALID,
            "验证码不正确：请输入验证器应用中当前显示的 6 位数字",
            field="token",
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _recovery_codes_issue(acting_user)
    audit_record(
        action=AccountsAction.SECOND_FACTOR_ENROLLED,
        kind=AuditEvent.Kind.AUTH,
        actor=acting_user,
        obj=acting_user,
        detail={"recovery_codes": len(codes)},
    )
    return device, codes


def _second_factor_match(user, token: str):
    """(device, how) for a right code: a 6-digit TOTP code, else a recovery code."""
    compact = "".join((token or "").split())
    if compact.isdigit() and len(compact) == 6:
        for device in TOTPDevice.objects.filter(user=user, confirmed=True):
            verified = otp_verify_token(user, device.persistent_id, compact)
            if verified is not None:
                return verified, "totp"
        return None, ""
    if not compact or len(compact) > 64:
        return None, ""
    digest = recovery_code_digest(compact)
    for device in StaticDevice.objects.filter(user=user, confirmed=True):
        verified = otp_verify_token(user, device.persistent_id, digest)
        if verified is not None:
            return verified, "recovery_code"
    return None, ""


def user_second_factor_verify(*, user, token: str, ip: str, user_agent: str = ""):
    """The second step of a login: a TOTP code (or a recovery code, used up by its use),
    throttled and recorded like passwords — wrong codes count towards the same account
    and address locks. Returns the device that verified (for `django_otp.login`) or
    raises."""
    username = user.get_username()
    state, attempt = _attempt_begin(
        username=username, ip=ip, user_agent=user_agent, factor=LoginAttempt.Factor.OTP
    )
    if attempt is None:
        raise _locked_error(state)
    device, how = _second_factor_match(user, token)
    with transaction.atomic():
        if device is None:
            audit_record(
                action=AccountsAction.SESSION_SECOND_FACTOR_FAILED,
                kind=AuditEvent.Kind.AUTH,
                actor=user,
                obj=user,
            )
        else:
            LoginAttempt.objects.filter(pk=attempt.pk).update(succeeded=True, signed_in=True)
            detail = {"second_factor": how}
            if how == "recovery_code":
                detail["recovery_codes_left"] = StaticToken.objects.filter(
                    device__user=user
                ).count()
            audit_record(
                action=AccountsAction.SESSION_LOGIN,
                kind=AuditEvent.Kind.AUTH,
                actor=user,
                obj=user,
                detail=detail,
            )
    if device is None:
        security_log.warning("second factor failed user=%s ip=%s", _for_log(username), ip)
        state = login_lock_state(username=username, ip=ip)
        if state.locked:
            raise _locked_error(state)
        raise DomainError(
            AccountsError.OTP_INVALID,
            "动态验证码或恢复码错误",
            field="token",
            status=401,
        )
    return device


@transaction.atomic
def second_factor_reset(*, acting_user, user: User) -> None:
    """A colleague removes `user`'s TOTP device and recovery codes (a lost phone); at the
    next login `user` enrols again. Never one's own: that would let a stolen password
    replace the phone."""
    if not acting_user.has_perm("accounts.reset_second_factor"):
        raise PermissionDenied
    if user.pk == acting_user.pk:
        raise DomainError(
            AccountsError.SECOND_FACTOR_SELF_RESET,
            "不能重置自己的二次验证，请由本部门其他管理员操作",
            status=403,
        )
    from tuoyu.accounts.selectors import second_factor_colleagues

    if not second_factor_colleagues(acting_user=acting_user).filter(pk=user.pk).exists():
        raise NotFound()
    removed = {
        "totp": TOTPDevice.objects.filter(user=user).count(),
        "recovery_codes": StaticToken.objects.filter(device__user=user).count(),
    }
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_record(
        action=AccountsAction.SECOND_FACTOR_RESET,
        kind=AuditEvent.Kind.AUTH,
        actor=acting_user,
        obj=user,
        detail=removed,
    )


@transaction.atomic
def second_factor_demo_device(*, user: User, key_hex: str) -> TOTPDevice:
    """Demo data only (accounts.seeding): a confirmed device with the published demo secret,
    so that the demo's 区卫健局 account can log in with `oathtool`. Real accounts enrol."""
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(
        user=user, name=TOTP_DEVICE_NAME, key=key_hex, confirmed=True
    )
    audit_record(
        action=AccountsAction.SECOND_FACTOR_ENROLLED,
        kind=AuditEvent.Kind.AUTH,
        obj=user,
        detail={"demo": True},
    )
    return device


# --- users ---------------------------------------------------------------------------------


def _text(value, *, model, field: str, label: str) -> str:
    """`value` stripped, refused (`too_long`) beyond its column: on PostgreSQL an overlong
    value was a 500 ([hardening] point 9's class)."""
    text = (value or "").strip()
    limit = model._meta.get_field(field).max_length
    if len(text) > limit:
        raise DomainError(CoreError.TOO_LONG, f"{label}最多 {limit} 字", field=field)
    return text


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
    username = _text(username, model=User, field="username", label="用户名")
    display_name = _text(display_name, model=User, field="display_name", label="姓名")
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
    # [scale] #10 point 7: one lookup by the unique key hash (no ORDER BY: one row at most),
    # joined with only what the scope needs (the user's department and township; never the
    # institution's wide row, which nothing of the API reads from the user). Revoked tokens
    # and inactive users stop at this statement, on every request.
    token = next(
        iter(
            ApiToken.objects.select_related("user", "user__department", "user__township")
            .filter(key_hash=_hash_token(raw), revoked_at__isnull=True, user__is_active=True)
            .order_by()[:1]
        ),
        None,
    )
    if token is None:
        return None
    now = timezone.now()
    # Record use at most once a minute: a busy client must not turn every read into a write.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    user = token.user
    # The scope, built once from the rows just loaded: the request reuses it (cached_property).
    _ = user.scope
    return user


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
    holder_name = _text(holder_name, model=PositionHolding, field="holder_name", label="任职人姓名")
    holder_post = _text(holder_post, model=PositionHolding, field="holder_post", label="本职")
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
        holder_post=holder_post,
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
            # P-ORG-1: a member unit of the leading group (the annex's list of 16)
            "is_member_unit": row.get("member_unit", False),
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
    """Upsert the leading group's positions (P-ORG-1) from YAML, by title: rank, the post
    that holds the seat (`post`), its department, duties and order follow the file; the
    holders (PositionHolding) are never touched. Returns how many positions were created."""
    import yaml

    rows = yaml.safe_load((path or DATA_DIR / "leading_group.yaml").read_text(encoding="utf-8"))
    created = 0
    for order, row in enumerate(rows):
        dept = (
            Department.objects.filter(code=row["department"]).first()
            if row.get("department")
            else None
        )
        defaults = {
            "rank": row["rank"],
            "post": row.get("post", ""),
            "duties": row.get("duties", ""),
            "department": dept,
            "sort_order": order,
        }
        position = Position.objects.filter(title=row["title"]).first()
        if position is None:
            position = Position.objects.create(title=row["title"], **defaults)
            created += 1
            audit_record(action=AccountsAction.POSITION_CREATED, actor=acting_user, obj=position)
            continue
        before = snapshot(position)
        for key, value in defaults.items():
            setattr(position, key, value)
        changes = diff(before, snapshot(position))
        if changes:
            position.save()
            audit_record(
                action=AccountsAction.POSITION_UPDATED,
                actor=acting_user,
                obj=position,
                changes=changes,
            )
    return created
