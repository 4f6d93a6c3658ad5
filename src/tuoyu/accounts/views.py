import base64
import datetime as dt
from urllib.parse import quote, urlencode

import segno
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_not_required, login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from tuoyu.accounts import selectors, services
from tuoyu.accounts.catalogue import AccountsError
from tuoyu.accounts.handover import activation_url
from tuoyu.accounts.models import LIFECYCLE_LABELS, Department, User
from tuoyu.accounts.rules import is_district_admin, is_system
from tuoyu.core import clock
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError
from tuoyu.core.http import client_ip
from tuoyu.web.tables import paginate


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


@login_required
def tokens(request):
    _require(request, "accounts.manage_own_tokens")
    new_token = None
    if request.method == "POST":
        name = request.POST.get("name", "")
        try:
            _, new_token = services.api_token_issue(
                user=request.user, name=name, acting_user=request.user
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "令牌已签发。请立即复制保存，离开本页后将无法再次查看。")
    return render(
        request,
        "accounts/tokens.html",
        {"tokens": selectors.api_tokens_for(acting_user=request.user), "new_token": new_token},
    )


@login_required
@require_POST
def token_revoke(request, token_id: int):
    _require(request, "accounts.manage_own_tokens")
    token = selectors.api_token_get(acting_user=request.user, token_id=token_id)
    services.api_token_revoke(token=token, acting_user=request.user)
    messages.success(request, f"令牌 {token.prefix}… 已吊销")
    return redirect("accounts:tokens")


@login_required
def leading_group(request):
    _require(request, "accounts.view_leading_group")
    return render(
        request,
        "accounts/leading_group.html",
        {
            "group": selectors.leading_group_structure(),
            "can_manage": request.user.has_perm("accounts.manage_leading_group"),
            "today": clock.today(),
        },
    )


@login_required
@require_POST
def position_assign(request, position_id: int):
    _require(request, "accounts.manage_leading_group")
    position = selectors.position_get(position_id)
    try:
        started_on = dt.date.fromisoformat(request.POST.get("started_on", ""))
    except ValueError:
        messages.error(request, "任职日期格式错误，应为 YYYY-MM-DD")
        return redirect("accounts:leading_group")
    try:
        services.position_assign_holder(
            acting_user=request.user,
            position=position,
            holder_name=request.POST.get("holder_name", ""),
            holder_post=request.POST.get("holder_post", ""),
            started_on=started_on,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已更新“{position.title}”的任职人，职责保持不变")
    return redirect("accounts:leading_group")


# --- the door: login and logout, only through the throttled, audited service ---


def _next_url(request) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        return ""
    return next_url


def _with_next(name: str, next_url: str) -> str:
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


@never_cache
@csrf_protect
def login_view(request):
    next_url = _next_url(request)
    if request.user.is_authenticated and request.method == "GET":
        return redirect(next_url or "web:home")
    error = None
    username = ""
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        password = request.POST.get("password", "")
        if not username or not password:
            error = _("请输入用户名和密码")
        else:
            try:
                user = services.user_login_attempt(
                    request=request,
                    username=username,
                    password=password,
                    ip=client_ip(request),
                    user_agent=request.headers.get("User-Agent", ""),
                )
            except DomainError as exc:
                error = exc.message
            else:
                login(request, user)
                if services.second_factor_enforced(user):
                    # [hardening] point 5: the login completes with the second factor.
                    step = (
                        "accounts:second_factor_verify"
                        if services.second_factor_device(user)
                        else "accounts:second_factor_enrol"
                    )
                    return redirect(_with_next(step, next_url))
                return redirect(next_url or "web:home")
    status = 200 if error is None else 400
    return render(
        request,
        "registration/login.html",
        {"error": error, "username": username, "next": next_url},
        status=status,
    )


@require_POST
def logout_view(request):
    services.user_logged_out(user=request.user)
    logout(request)
    messages.info(request, _("您已安全退出"))
    return redirect("accounts:login")


# --- the second factor ([hardening] point 5) ---


def _second_factor_context(request, **extra) -> dict:
    # No navigation until the login is complete: its links would only lead back here.
    return {"nav_entries": [], "next": _next_url(request), **extra}


def _second_factor_pending(request):
    """None if `request.user` is to give a second factor now, else where to go instead."""
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    if not services.second_factor_enforced(user) or user.is_verified():
        return redirect(_next_url(request) or "web:home")
    return None


@never_cache
@csrf_protect
def second_factor_verify(request):
    """The second page of a login: the 6-digit code of the authenticator app, or a recovery
    code; throttled and recorded like passwords. A lock ends the half-done login."""
    elsewhere = _second_factor_pending(request)
    if elsewhere is not None:
        return elsewhere
    if services.second_factor_device(request.user) is None:
        return redirect(_with_next("accounts:second_factor_enrol", _next_url(request)))
    error = None
    if request.method == "POST":
        try:
            device = services.user_second_factor_verify(
                user=request.user,
                token=request.POST.get("token", ""),
                ip=client_ip(request),
                user_agent=request.headers.get("User-Agent", ""),
            )
        except DomainError as exc:
            if exc.errors[0].code == AccountsError.LOGIN_LOCKED:
                logout(request)
                return render(
                    request,
                    "registration/login.html",
                    {"error": exc.message, "username": "", "next": ""},
                    status=400,
                )
            error = exc.message
        else:
            otp_login(request, device)
            return redirect(_next_url(request) or "web:home")
    return render(
        request,
        "accounts/second_factor_verify.html",
        _second_factor_context(request, error=error),
        status=200 if error is None else 400,
    )


def _qr_svg(uri: str) -> str:
    """The otpauth:// URI as an inline SVG (no image host, no external address)."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=2)


@never_cache
@csrf_protect
def second_factor_enrol(request):
    """First login of an account that requires a second factor: scan the QR code (or type
    the key), confirm with a code; the recovery codes are then shown once."""
    elsewhere = _second_factor_pending(request)
    if elsewhere is not None:
        return elsewhere
    if services.second_factor_device(request.user) is not None:
        return redirect(_with_next("accounts:second_factor_verify", _next_url(request)))
    error = None
    if request.method == "POST":
        try:
            device, codes = services.second_factor_enrolment_confirm(
                acting_user=request.user, token=request.POST.get("token", "")
            )
        except DomainError as exc:
            error = exc.message
        else:
            otp_login(request, device)
            return render(
                request,
                "accounts/second_factor_recovery_codes.html",
                _second_factor_context(request, codes=codes),
            )
    device = services.second_factor_enrolment_start(acting_user=request.user)
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/second_factor_enrol.html",
        _second_factor_context(
            request,
            error=error,
            qr_svg=_qr_svg(device.config_url),
            secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        ),
        status=200 if error is None else 400,
    )


@login_required
def second_factor_colleagues(request):
    """区卫健局 (operators: the operators) reset a colleague's second factor — a lost phone;
    never their own."""
    _require(request, "accounts.reset_second_factor")
    return render(
        request,
        "accounts/second_factor_colleagues.html",
        {"colleagues": selectors.second_factor_colleagues(acting_user=request.user)},
    )


@login_required
@require_POST
def second_factor_reset(request, user_id: int):
    _require(request, "accounts.reset_second_factor")
    user = selectors.second_factor_colleague_get(acting_user=request.user, user_id=user_id)
    try:
        services.second_factor_reset(acting_user=request.user, user=user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("已重置 %(name)s 的二次验证：其下次登录时需重新绑定") % {"name": user}
        )
    return redirect("accounts:second_factor_colleagues")


# --- the account lifecycle ([accounts-ux] #9 point 1) ---


def _error_fields(exc: DomainError) -> dict:
    """{field: message} of a refused form, for the page to show by its fields."""
    out: dict[str, str] = {}
    for item in exc.errors:
        key = item.field or "form"
        out[key] = f"{out[key]}；{item.message}" if key in out else str(item.message)
    return out


@login_not_required  # a body from someone not yet logged in (web.limits)
@never_cache
@csrf_protect
def activate(request):
    """Public: the username and the activation code of the handover letter, then the new
    password (Django's validators); the account is activated and logged in. Throttled like
    the login."""
    if request.user.is_authenticated and request.method == "GET":
        return redirect("web:home")
    errors: dict = {}
    username = (request.POST.get("username") or request.GET.get("username") or "").strip()[:150]
    if request.method == "POST":
        try:
            user = services.user_activate(
                username=username,
                code=request.POST.get("code", ""),
                password=request.POST.get("password", ""),
                password_again=request.POST.get("password_again", ""),
                ip=client_ip(request),
                user_agent=request.headers.get("User-Agent", ""),
            )
        except DomainError as exc:
            errors = _error_fields(exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("账号已激活，欢迎使用。"))
            return redirect("web:home")
    return render(
        request,
        "accounts/activate.html",
        {"errors": errors, "username": username, "nav_entries": []},
        status=400 if errors else 200,
    )


@never_cache
@login_required
@csrf_protect
def password_change(request):
    """Change one's own password; accounts with `must_change_password` come here first
    (PasswordChangeMiddleware)."""
    errors: dict = {}
    if request.method == "POST":
        try:
            user = services.user_password_change(
                acting_user=request.user,
                current_password=request.POST.get("current_password", ""),
                password=request.POST.get("password", ""),
                password_again=request.POST.get("password_again", ""),
            )
        except DomainError as exc:
            errors = _error_fields(exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("密码已修改。"))
            return redirect("web:home")
    return render(
        request,
        "accounts/password_change.html",
        {"errors": errors, "forced": request.user.must_change_password},
        status=400 if errors else 200,
    )


@login_required
def users(request):
    _require(request, "accounts.manage_users")
    q = request.GET.get("q", "")
    status = request.GET.get("status", "")
    page = paginate(request, selectors.users_managed(acting_user=request.user, q=q, status=status))
    return render(
        request,
        "accounts/users.html",
        {"page": page, "q": q, "status": status, "statuses": LIFECYCLE_LABELS},
    )


def _names_unit(user) -> bool:
    """Whether `user` names the unit of a new account (区卫健局's administrator, operators)."""
    return bool(is_system(user) or is_district_admin(user))


def _unit_from_post(post) -> dict:
    """The unit a district administrator chose: "department:<id>", "township:<id>" or
    "institution" with a USCC."""
    from tuoyu.regions.models import Region

    choice = post.get("unit", "")
    kind, _sep, pk = choice.partition(":")
    if kind == "department" and pk.isdigit():
        return {"department": Department.objects.filter(pk=pk).first()}
    if kind == "township" and pk.isdigit():
        return {"township": Region.objects.filter(pk=pk, level=Region.Level.TOWNSHIP).first()}
    if kind == "institution":
        uscc = post.get("uscc", "").strip().upper()[:18]
        model = User._meta.get_field("institution").related_model
        institution = model.objects.filter(uscc=uscc).first() if uscc else None
        if institution is None:
            raise DomainError(CoreError.NOT_FOUND, "未找到该统一社会信用代码的机构", field="uscc")
        return {"institution": institution}
    return {}


@never_cache
@login_required
@csrf_protect
def user_add(request):
    _require(request, "accounts.manage_users")
    names_unit = _names_unit(request.user)
    errors: dict = {}
    if request.method == "POST":
        try:
            unit = _unit_from_post(request.POST) if names_unit else {}
            user, code = services.user_account_add(
                acting_user=request.user,
                username=request.POST.get("username", ""),
                display_name=request.POST.get("display_name", ""),
                is_scope_admin=request.POST.get("is_scope_admin") == "on",
                **unit,
            )
        except DomainError as exc:
            errors = _error_fields(exc)
        else:
            return _code_page(request, user, code)
    from tuoyu.regions.models import Region

    return render(
        request,
        "accounts/user_add.html",
        {
            "errors": errors,
            "names_unit": names_unit,
            "data": request.POST,
            "departments": Department.objects.all() if names_unit else [],
            "townships": Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("code")
            if names_unit
            else [],
        },
        status=400 if errors else 200,
    )


@login_required
def user_detail(request, user_id: int):
    _require(request, "accounts.manage_users")
    user = selectors.user_managed_get(acting_user=request.user, user_id=user_id)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": user,
            "live_code": selectors.user_activation_code_current(user),
            "is_self": user.pk == request.user.pk,
        },
    )


def _code_page(request, user, code: str):
    """The page that shows a new activation code once, with the handover letter's button."""
    response = render(
        request,
        "accounts/user_code.html",
        {
            "account": user,
            "code": code,
            "days": services.activation_code_days(),
            "activation_url": activation_url(user.username),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def user_activation_code(request, user_id: int):
    _require(request, "accounts.manage_users")
    user = selectors.user_managed_get(acting_user=request.user, user_id=user_id)
    try:
        _, code = services.user_activation_code_issue(acting_user=request.user, user=user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:user_detail", user_id=user.pk)
    return _code_page(request, user, code)


@login_required
@require_POST
def user_handover_letter(request, user_id: int):
    """The handover letter PDF of the code just issued (posted back by its page)."""
    _require(request, "accounts.manage_users")
    user = selectors.user_managed_get(acting_user=request.user, user_id=user_id)
    try:
        pdf = services.user_handover_letter(
            acting_user=request.user,
            user=user,
            code=request.POST.get("code", ""),
            activation_url=activation_url(user.username),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:user_detail", user_id=user.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="handover-{user.pk}.pdf"; '
        f"filename*=UTF-8''{quote(f'账号交接函-{user.username}.pdf')}"
    )
    response["Cache-Control"] = "no-store"
    return response


def _confirmation(request, user, *, title, consequences, button, button_class, action, fields=()):
    """[accounts-ux] 6: the server-side confirmation page (no JavaScript) before an account
    change: what will happen, then the button that does it (`confirmed=1`)."""
    confirm = {
        "title": title,
        "subject": _("账号：%(name)s（%(username)s）")
        % {"name": user.display_name or user.username, "username": user.username},
        "consequences": consequences,
        "button": button,
        "button_class": button_class,
        "action": action,
        "fields": list(fields),
        "back": reverse("accounts:user_detail", args=[user.pk]),
        "shown": [],
    }
    return render(request, "web/confirm.html", {"confirm": confirm})


@login_required
@require_POST
def user_scope_admin(request, user_id: int):
    """Give or take an account's administrator right, after a confirmation page."""
    _require(request, "accounts.manage_users")
    user = selectors.user_managed_get(acting_user=request.user, user_id=user_id)
    grant = request.POST.get("is_scope_admin") == "1"
    if request.POST.get("confirmed") != "1":
        return _confirmation(
            request,
            user,
            title=_("设为本单位管理员") if grant else _("取消管理员权限"),
            consequences=[
                _("管理员可以新增、停用、启用本单位的账号，重置密码，签发激活码。")
                if grant
                else _("取消后该账号不能再管理本单位的账号，其本人的工作不受影响。"),
                _("此操作记入审计日志。"),
            ],
            button=_("确认设为管理员") if grant else _("确认取消"),
            button_class="btn-primary" if grant else "btn-warning",
            action=reverse("accounts:user_scope_admin", args=[user.pk]),
            fields=[("is_scope_admin", "1" if grant else "0")],
        )
    try:
        services.user_scope_admin_set(acting_user=request.user, user=user, is_scope_admin=grant)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            (_("已将 %(name)s 设为本单位管理员") if grant else _("已取消 %(name)s 的管理员权限"))
            % {"name": user},
        )
    return redirect("accounts:user_detail", user_id=user.pk)


@login_required
@require_POST
def user_disable(request, user_id: int):
    _require(request, "accounts.manage_users")
    user = selectors.user_managed_get(acting_user=request.user, user_id=user_id)
    if request.POST.get("confirmed") != "1":
        return _confirmation(
            request,
            user,
            title=_("停用账号"),
            consequences=[
                _("停用后该账号立即不能登录，其接口令牌同时失效，未使用的激活码作废。"),
                _("需要时可以再启用。"),
            ],
            button=_("确认停用"),
            button_class="btn-danger",
            action=reverse("accounts:user_disable", args=[user.pk]),
        )
    try:
        services.user_disable(acting_user=request.user, user=user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已停用 %(name)s：其登录和接口令牌立即失效") % {"name": user})
    return redirect("accounts:user_detail", user_id=user.pk)


@login_required
@require_POST
def user_enable(request, user_id: int):
    _require(request, "accounts.manage_users")
    user = selectors.user_managed_get(acting_user=request.user, user_id=user_id)
    services.user_enable(acting_user=request.user, user=user)
    messages.success(request, _("已启用 %(name)s") % {"name": user})
    return redirect("accounts:user_detail", user_id=user.pk)


@login_required
@require_POST
def user_password_reset(request, user_id: int):
    _require(request, "accounts.manage_users")
    user = selectors.user_managed_get(acting_user=request.user, user_id=user_id)
    if request.POST.get("confirmed") != "1":
        return _confirmation(
            request,
            user,
            title=_("重置密码"),
            consequences=[
                _("重置后原密码立即失效，将生成临时密码，使用人登录后须修改。"),
            ],
            button=_("确认重置"),
            button_class="btn-warning",
            action=reverse("accounts:user_reset", args=[user.pk]),
        )
    try:
        temporary = services.user_password_reset(acting_user=request.user, user=user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:user_detail", user_id=user.pk)
    response = render(
        request, "accounts/user_password_reset.html", {"account": user, "temporary": temporary}
    )
    response["Cache-Control"] = "no-store"
    return response
