import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tuoyu.accounts import selectors, services
from tuoyu.core.errors import DomainError


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
