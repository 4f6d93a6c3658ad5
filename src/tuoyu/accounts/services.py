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
from django.db import OperationalError, transaction
from django.utils import timezone
from django_otp import verify_token as otp_verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tuoyu.accounts.catalogue import AccountsAction, AccountsError
from tuoyu.accounts.models import (
    ActivationCode,
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
from tuoyu.core.db import is_transient
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
    is_active: bool = True,
    is_scope_admin: bool = False,
    must_change_password: bool = False,
) -> User:
    """`password_hash` (an already-hashed password) lets generated accounts share one hash;
    people's accounts pass `password`. An account without a password is created inactive
    by `user_account_add` and set up with an activation code ([accounts-ux] #9 point 1)."""
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
        is_active=is_active,
        is_scope_admin=is_scope_admin,
        must_change_password=must_change_password,
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
                [
                    "username",
                    "display_name",
                    "scope_kind",
                    "department",
                    "township",
                    "institution",
                    "is_active",
                    "is_scope_admin",
                ],
            ),
        ),
    )
    return user


# --- the account lifecycle ([accounts-ux] #9 point 1, docs/accounts.md) ---------------------
#
# An account is created without a password and inactive; its first password is set with a
# one-time activation code (100 random bits, shown once, stored as a SHA-256, valid
# TUOYU_ACTIVATION_CODE_DAYS days) handed over in a letter (accounts.handover). Issuing a
# code again revokes the live one. Administrators (`is_scope_admin`) add, disable, enable
# and reset the accounts of their own unit (`scopes.users_manageable`); the operators'
# command `tuoyu user_admin` calls the same functions with acting_user=None.


def activation_code_days() -> int:
    return int(getattr(settings, "TUOYU_ACTIVATION_CODE_DAYS", 30))


def activation_code_digest(code: str) -> str:
    """What an activation code's row holds: the SHA-256 of its letters and digits, lower
    case (spaces, hyphens and case in what is typed do not matter)."""
    normal = "".join(ch for ch in (code or "").lower() if ch.isalnum())
    return hashlib.sha256(normal.encode()).hexdigest()


def _activation_code_new() -> str:
    raw = base64.b32encode(secrets.token_bytes(15)).decode().lower()  # 24 characters, 120 bits
    return "-".join(raw[i : i + 4] for i in range(0, 24, 4))


def _manage_check(acting_user, user: User) -> None:
    """`acting_user` administers `user` (None: an operator's command, which may do all)."""
    if acting_user is None:
        return
    if not acting_user.has_perm("accounts.manage_users"):
        raise PermissionDenied
    from tuoyu.accounts.scopes import users_manageable

    if not users_manageable(User.objects.filter(pk=user.pk), acting_user=acting_user).exists():
        raise NotFound()


def _self_check(acting_user, user: User, what: str) -> None:
    if acting_user is not None and acting_user.pk == user.pk:
        raise DomainError(
            AccountsError.USER_SELF_MANAGE,
            f"不能{what}自己的账号，请由本单位其他管理员或区卫健局管理员操作",
            status=403,
        )


def _live_codes_revoke(user: User, now) -> int:
    return ActivationCode.objects.filter(
        user=user, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)


def _actor(acting_user):
    return acting_user if getattr(acting_user, "pk", None) else None


@transaction.atomic
def user_activation_code_issue(*, acting_user, user: User) -> tuple[ActivationCode, str]:
    """A new activation code for `user` (the live one, if any, is revoked): returns the row
    and the clear code, which is shown once and never stored. Refused for a disabled
    account (`user_disabled`)."""
    _manage_check(acting_user, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.disabled_at is not None:
        raise DomainError(
            AccountsError.USER_DISABLED, "该账号已停用，请先启用再签发激活码", status=409
        )
    now = timezone.now()
    revoked = _live_codes_revoke(user, now)
    raw = _activation_code_new()
    code = ActivationCode.objects.create(
        user=user,
        code_hash=activation_code_digest(raw),
        created_by=_actor(acting_user),
        expires_at=now + dt.timedelta(days=activation_code_days()),
    )
    audit_record(
        action=AccountsAction.USER_ACTIVATION_CODE_ISSUED,
        kind=AuditEvent.Kind.AUTH,
        actor=acting_user,
        obj=user,
        detail={"expires_at": code.expires_at.isoformat(), "revoked_earlier": revoked},
    )
    return code, raw


def activation_code_live(*, user: User, code: str) -> ActivationCode | None:
    """The live, unexpired code of `user` that `code` is (for the handover letter)."""
    return ActivationCode.objects.filter(
        user=user,
        code_hash=activation_code_digest(code),
        used_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).first()


def _scope_of_new_account(acting_user, *, department=None, township=None, institution=None) -> dict:
    """The unit a new account belongs to: an administrator's own unit, unless it
    administers the district (区卫健局) or the platform, which name one."""
    from tuoyu.accounts.rules import is_district_admin, is_system

    if acting_user is None or is_system(acting_user) or is_district_admin(acting_user):
        named = [x for x in (department, township, institution) if x is not None]
        if len(named) != 1:
            raise DomainError(
                CoreError.REQUIRED, "请选择新账号所属的部门、镇乡街道或机构", field="scope"
            )
        return {"department": department, "township": township, "institution": institution}
    kind = acting_user.scope_kind
    return {
        "department": acting_user.department if kind == User.ScopeKind.DEPARTMENT else None,
        "township": acting_user.township if kind == User.ScopeKind.TOWNSHIP else None,
        "institution": acting_user.institution if kind == User.ScopeKind.INSTITUTION else None,
    }


@transaction.atomic
def user_account_add(
    *,
    acting_user,
    username: str,
    display_name: str = "",
    department: Department | None = None,
    township=None,
    institution=None,
    is_scope_admin: bool = False,
) -> tuple[User, str]:
    """An administrator adds an account to its unit (区卫健局's administrator and operators
    name the unit): inactive, without a password, with an activation code. Returns the
    account and the clear code (shown once)."""
    if acting_user is not None and not acting_user.has_perm("accounts.manage_users"):
        raise PermissionDenied
    if not (username or "").strip():
        raise DomainError(CoreError.REQUIRED, "请填写用户名", field="username")
    scope = _scope_of_new_account(
        acting_user, department=department, township=township, institution=institution
    )
    user = user_create(
        acting_user=acting_user,
        username=username,
        display_name=display_name,
        is_active=False,
        is_scope_admin=is_scope_admin,
        **scope,
    )
    _manage_check(acting_user, user)  # the unit named is within the administrator's
    _, code = user_activation_code_issue(acting_user=acting_user, user=user)
    return user, code


def _free_usernames(bases: list[str]) -> dict[str, str]:
    """base → a username not taken in any case: the base itself, else base-2, base-3…
    (one query for all)."""
    from django.db.models import Q

    query = Q()
    for base in bases:
        query |= Q(username__istartswith=base)
    taken = {u.lower() for u in User.objects.filter(query).values_list("username", flat=True)}
    out: dict[str, str] = {}
    for base in bases:
        name, n = base, 1
        while name.lower() in taken:
            n += 1
            name = f"{base}-{n}"
        taken.add(name.lower())
        out[base] = name
    return out


def _institution_account(institution, username: str) -> User:
    user = User(
        username=username,
        display_name=f"{institution.name[:50]}管理员",
        scope_kind=User.ScopeKind.INSTITUTION,
        institution_id=institution.pk,
        is_active=False,
        is_scope_admin=True,
    )
    user.set_unusable_password()
    return user


def institution_account_open(*, acting_user, institution) -> User:
    """[accounts-ux] #9 point 1: a newly registered institution gets its account — named by
    its USCC (what the institution knows), its administrator, inactive until activated with
    the code 区卫健局 hands over. Called by the registration push in its transaction, for
    an institution just inserted (so without an account): two statements (the name, the
    insert); the push's own audit event records the account (`detail["account"]`), as
    [scale] #10 point 7 bounds a push's statements."""
    base = institution.uscc.upper()
    user = _institution_account(institution, _free_usernames([base])[base])
    user.save(force_insert=True)
    return user


def institution_accounts_open_bulk(*, acting_user, institutions) -> int:
    """The same for the new institutions of an upload, set-based (`core.bulk.bulk_insert`;
    the caller's transaction), with one audit event for the batch. Returns how many."""
    from tuoyu.audit.services import audit_record_bulk
    from tuoyu.core.bulk import bulk_insert

    institutions = [i for i in institutions if i.pk is not None]
    if not institutions:
        return 0
    names: dict[str, str] = {}
    bases = sorted({i.uscc.upper() for i in institutions})
    for start in range(0, len(bases), 200):
        names.update(_free_usernames(bases[start : start + 200]))
    rows = [_institution_account(i, names[i.uscc.upper()]) for i in institutions]
    bulk_insert(User, rows)
    ids = []
    usernames = [r.username for r in rows]
    for start in range(0, len(usernames), 500):
        ids += list(
            User.objects.filter(username__in=usernames[start : start + 500]).values_list(
                "pk", flat=True
            )
        )
    audit_record_bulk(
        action=AccountsAction.USER_CREATED,
        actor=acting_user,
        object_type="accounts.user",
        object_ids=ids,
        detail={"institution_accounts": len(ids), "active": False},
    )
    return len(ids)


@transaction.atomic
def user_disable(*, acting_user, user: User) -> User:
    """Disable an account: it can no longer log in, its sessions and API tokens stop at the
    next request (both check `is_active`), its live activation code is revoked."""
    _manage_check(acting_user, user)
    _self_check(acting_user, user, "停用")
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.disabled_at is not None:
        return user
    now = timezone.now()
    before = {"is_active": user.is_active}
    user.is_active = False
    user.disabled_at = now
    user.save(update_fields=["is_active", "disabled_at"])
    revoked = _live_codes_revoke(user, now)
    audit_record(
        action=AccountsAction.USER_DISABLED,
        kind=AuditEvent.Kind.AUTH,
        actor=acting_user,
        obj=user,
        changes=diff(before, {"is_active": False}),
        detail={"activation_codes_revoked": revoked},
    )
    return user


@transaction.atomic
def user_scope_admin_set(*, acting_user, user: User, is_scope_admin: bool) -> User:
    """Make an account its unit's administrator or take the right away ([accounts-ux] 1):
    by an administrator of the same scope (区卫健局's district-wide), never on one's own
    account (a unit cannot lose its last administrator by a slip of its own); audited."""
    _manage_check(acting_user, user)
    if acting_user is not None and acting_user.pk == user.pk:
        raise DomainError(
            AccountsError.USER_SELF_MANAGE,
            "不能更改自己账号的管理员权限，请由本单位其他管理员或区卫健局管理员操作",
            status=403,
        )
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_scope_admin == is_scope_admin:
        return user
    before = {"is_scope_admin": user.is_scope_admin}
    user.is_scope_admin = is_scope_admin
    user.save(update_fields=["is_scope_admin"])
    audit_record(
        action=AccountsAction.USER_SCOPE_ADMIN_CHANGED,
        kind=AuditEvent.Kind.AUTH,
        actor=acting_user,
        obj=user,
        changes=diff(before, {"is_scope_admin": is_scope_admin}),
    )
    return user


@transaction.atomic
def user_enable(*, acting_user, user: User) -> User:
    """Enable a disabled account again; one never activated stays waiting for its code."""
    _manage_check(acting_user, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.disabled_at is None:
        return user
    user.disabled_at = None
    user.is_active = user.has_usable_password()
    user.save(update_fields=["is_active", "disabled_at"])
    audit_record(
        action=AccountsAction.USER_ENABLED,
        kind=AuditEvent.Kind.AUTH,
        actor=acting_user,
        obj=user,
        changes=diff({"is_active": False}, {"is_active": user.is_active}),
    )
    return user


def _temporary_password() -> str:
    return secrets.token_urlsafe(12)  # 16 characters, 96 bits


@transaction.atomic
def user_password_reset(*, acting_user, user: User) -> str:
    """Reset a (not disabled) account's password to a temporary one, returned once: the
    account must change it at its next login (`must_change_password`); its sessions end
    (the session hash follows the password); a live activation code is revoked."""
    _manage_check(acting_user, user)
    _self_check(acting_user, user, "重置")
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.disabled_at is not None:
        raise DomainError(
            AccountsError.USER_DISABLED, "该账号已停用，请先启用再重置密码", status=409
        )
    temporary = _temporary_password()
    user.set_password(temporary)
    user.must_change_password = True
    user.is_active = True
    user.save(update_fields=["password", "must_change_password", "is_active"])
    revoked = _live_codes_revoke(user, timezone.now())
    audit_record(
        action=AccountsAction.USER_PASSWORD_RESET,
        kind=AuditEvent.Kind.AUTH,
        actor=acting_user,
        obj=user,
        detail={"activation_codes_revoked": revoked},
    )
    return temporary


def _password_check(password: str, again: str, user: User) -> None:
    """Django's validators (settings.AUTH_PASSWORD_VALIDATORS, at least 10 characters)."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    if not password:
        raise DomainError(CoreError.REQUIRED, "请输入新密码", field="password")
    if password != again:
        raise DomainError(
            AccountsError.PASSWORD_MISMATCH, "两次输入的新密码不一致", field="password_again"
        )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(
            AccountsError.PASSWORD_INVALID, "；".join(exc.messages), field="password"
        ) from None


def user_activate(
    *, username: str, code: str, password: str, password_again: str, ip: str, user_agent: str = ""
) -> User:
    """The activation page: `code` sets the first password of `username`'s account and
    activates it. Throttled and recorded like a login (the same account and address
    locks count wrong codes); a code works once, until it expires. Returns the user (the
    caller logs it in) or raises `activation_invalid` (one answer for an unknown name, a
    wrong, used, revoked or expired code) or a password problem (the code stays valid)."""
    username = (username or "").strip()
    state, attempt = _attempt_begin(
        username=username, ip=ip, user_agent=user_agent, factor=LoginAttempt.Factor.ACTIVATION
    )
    if attempt is None:
        raise _locked_error(state)
    user = User.objects.filter(username__iexact=username, disabled_at__isnull=True).first()
    found = activation_code_live(user=user, code=code) if user is not None and code else None
    if found is None:
        with transaction.atomic():
            audit_record(
                action=AccountsAction.USER_ACTIVATION_FAILED,
                kind=AuditEvent.Kind.AUTH,
                object_type="accounts.user",
                object_id=username[:150],
            )
        security_log.warning("activation failed user=%s ip=%s", _for_log(username), ip)
        state = login_lock_state(username=username, ip=ip)
        if state.locked:
            raise _locked_error(state)
        raise DomainError(
            AccountsError.ACTIVATION_INVALID,
            "用户名或激活码错误，或激活码已过期、已作废；请核对交接函，或请管理员重新签发",
            field="code",
            status=401,
        )
    # The code was right: the attempt counts as no failure, whatever the password.
    LoginAttempt.objects.filter(pk=attempt.pk).update(succeeded=True)
    _password_check(password, password_again, user)
    with transaction.atomic():
        row = ActivationCode.objects.select_for_update().get(pk=found.pk)
        if row.used_at is not None or row.revoked_at is not None:
            raise DomainError(
                AccountsError.ACTIVATION_INVALID, "该激活码已使用或已作废", field="code", status=401
            )
        now = timezone.now()
        row.used_at = now
        row.save(update_fields=["used_at"])
        user.set_password(password)
        user.is_active = True
        user.must_change_password = False
        user.save(update_fields=["password", "is_active", "must_change_password"])
        LoginAttempt.objects.filter(pk=attempt.pk).update(signed_in=True)
        audit_record(
            action=AccountsAction.USER_ACTIVATED,
            kind=AuditEvent.Kind.AUTH,
            actor=user,
            obj=user,
        )
    return user


@transaction.atomic
def user_password_change(
    *, acting_user, current_password: str, password: str, password_again: str
) -> User:
    """Change one's own password (the page every `must_change_password` account is sent to
    first): the current one, then a new one passing Django's validators and differing from
    the current one."""
    user = User.objects.select_for_update().get(pk=acting_user.pk)
    if not user.check_password(current_password or ""):
        raise DomainError(
            AccountsError.PASSWORD_CURRENT_WRONG, "当前密码错误", field="current_password"
        )
    _password_check(password, password_again, user)
    if password == current_password:
        raise DomainError(
            AccountsError.PASSWORD_INVALID, "新密码不能与当前密码相同", field="password"
        )
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit_record(
        action=AccountsAction.USER_PASSWORD_CHANGED,
        kind=AuditEvent.Kind.AUTH,
        actor=user,
        obj=user,
    )
    return user


@transaction.atomic
def user_handover_letter(*, acting_user, user: User, code: str, activation_url: str) -> bytes:
    """The handover letter (PDF) of `user`'s live activation code `code` — which only the
    page that issued it knows (it is stored hashed). Audited like every download."""
    _manage_check(acting_user, user)
    found = activation_code_live(user=user, code=code)
    if found is None:
        raise DomainError(
            AccountsError.ACTIVATION_INVALID,
            "激活码已过期或已作废，请重新签发后再打印交接函",
            field="code",
            status=409,
        )
    from tuoyu.accounts.handover import handover_letter_pdf

    pdf = handover_letter_pdf(
        user=user, code=code, expires_at=found.expires_at, activation_url=activation_url
    )
    audit_record(
        action=AccountsAction.USER_HANDOVER_LETTER_DOWNLOADED,
        actor=acting_user,
        obj=user,
        detail={"activation_code": found.pk, "bytes": len(pdf)},
    )
    return pdf


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
        # Best effort: "last used" is a hint for the token list. A request is never refused
        # because another writer holds the database at this moment (SQLite's single writer).
        try:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        except OperationalError as exc:
            if not is_transient(exc):
                raise
            security_log.info("api token %s: last use not recorded (database busy)", token.prefix)
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
