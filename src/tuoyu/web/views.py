from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from tuoyu.accounts.services import user_logged_out, user_login_attempt
from tuoyu.audit.middleware import client_ip
from tuoyu.core.errors import DomainError
from tuoyu.web.navigation import entries_for


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
            error = "请输入用户名和密码"
        else:
            try:
                user = user_login_attempt(
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
    user_logged_out(user=request.user)
    logout(request)
    messages.info(request, "您已安全退出")
    return redirect("web:login")


@login_required
def home(request):
    user = request.user
    entries = [e for e in entries_for(user) if e["url_name"] != "web:home"]
    return render(
        request,
        "web/home.html",
        {
            "entries": entries,
            "department": user.department if user.scope_kind == "department" else None,
        },
    )
