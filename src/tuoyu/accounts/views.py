import datetime as dt

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from tuoyu.accounts import selectors, services
from tuoyu.core.errors import DomainError
from tuoyu.core.http import client_ip


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
            "positions": selectors.leading_group(),
            "departments": selectors.departments(),
            "can_manage": request.user.has_perm("accounts.manage_leading_group"),
            "today": dt.date.today(),
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


@never_cache
@csrf_protect
def login_view(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = ""
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
