"""Chain agreements (P-REG-13) for 区卫健局: list, create, edit, end; attach and detach
branches. Thin: forms parse, services decide (and audit), selectors read with scope."""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from tuoyu import policy
from tuoyu.core import bounds
from tuoyu.core.errors import DomainError, NotFound
from tuoyu.institutions.selectors import chains as selectors
from tuoyu.institutions.selectors.directory import institution_by_uscc
from tuoyu.institutions.services import chains as services
from tuoyu.institutions.services.downloads import chain_document_download_record
from tuoyu.regions.models import Region
from tuoyu.regions.selectors import jurisdiction_code
from tuoyu.web.forms import add_service_errors
from tuoyu.web.tables import paginate

MANAGE = "institutions.manage_chains"
VIEW = "institutions.view_directory"
DATE = forms.DateInput(
    attrs={"type": "date", "min": bounds.DATE_MIN.isoformat(), "max": bounds.DATE_MAX.isoformat()},
    format="%Y-%m-%d",
)


class BoundedDateField(forms.DateField):
    """A date within bounds.DATE_MIN..DATE_MAX ([hardening] point 6; the services check the
    same, with the code `date_out_of_range`)."""

    widget = DATE

    def validate(self, value):
        super().validate(value)
        if not bounds.date_in_range(value):
            item = bounds.date_out_of_range_item(field=None, label=str(self.label or ""))
            raise forms.ValidationError(item.message, code=str(item.code))


class TownshipsField(forms.ModelMultipleChoiceField):
    """Townships by primary key. A value that cannot be a key (not digits, or more digits
    than a 64-bit key has) is `invalid_pk_value` before the query: SQLite cannot bind an
    integer of 30 digits (it was an OverflowError, a 500)."""

    def _check_values(self, value):
        for pk in value:
            if not PK_TEXT.fullmatch(str(pk).strip()):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": str(pk)[:20]},
                )
        return super()._check_values(value)


PK_TEXT = re.compile(r"[0-9]{1,18}")


def search_text(request) -> tuple[str, str | None]:
    """The list's search text and, when it is longer than a search can be, the error to
    show (the search is then not run)."""
    q = request.GET.get("q", "")
    if len(q) > bounds.SEARCH_MAX_LENGTH:
        return "", gettext("搜索内容最多 %(max)s 字") % {"max": bounds.SEARCH_MAX_LENGTH}
    return q, None


def district_townships():
    return Region.objects.filter(
        level=Region.Level.TOWNSHIP, code__startswith=jurisdiction_code()
    ).order_by("code")


class AgreementForm(forms.Form):
    head_uscc = forms.CharField(
        label=_("总部机构统一社会信用代码"),
        max_length=18,
        help_text=_("总部须为已登记且未注销的机构"),
    )
    agreement_number = forms.CharField(
        label=_("协议编号"), max_length=60, help_text=bounds.max_length_hint(60)
    )
    townships = TownshipsField(
        label=_("适用镇乡街道"),
        queryset=Region.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    max_branches = forms.IntegerField(
        label=_("分支机构上限"), min_value=1, max_value=services.MAX_BRANCHES
    )
    valid_from = BoundedDateField(label=_("生效日期"))
    valid_until = BoundedDateField(label=_("截止日期"))
    document = forms.FileField(
        label=_("协议文件（PDF）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["townships"].queryset = district_townships()
        if editing:
            del self.fields["head_uscc"]
        else:
            self.fields["document"].required = True


class EndForm(forms.Form):
    ended_on = BoundedDateField(label=_("终止日期（协议适用的最后一天）"))
    reason = forms.CharField(
        label=_("终止原因"),
        max_length=services.END_REASON_MAX,
        help_text=bounds.max_length_hint(services.END_REASON_MAX),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AttachForm(forms.Form):
    uscc = forms.CharField(label=_("分支机构统一社会信用代码"), max_length=18)


def _agreement_or_404(request, pk: int):
    try:
        return selectors.chain_agreement_get(acting_user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
@permission_required(MANAGE, raise_exception=True)
def chain_list(request):
    status = request.GET.get("status") or ""
    q, q_error = search_text(request)
    qs = selectors.chain_agreements_list(acting_user=request.user, status=status or None, q=q)
    return render(
        request,
        "institutions/chains/list.html",
        {
            "page": paginate(request, qs),
            "status": status,
            "q": q,
            "q_error": q_error,
            "q_max": bounds.SEARCH_MAX_LENGTH,
            "today": policy.today(),
        },
        status=400 if q_error else 200,
    )


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def chain_create(request):
    form = AgreementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            head = institution_by_uscc(acting_user=request.user, uscc=data["head_uscc"])
            agreement = services.chain_agreement_create(
                acting_user=request.user,
                head=head,
                agreement_number=data["agreement_number"],
                townships=list(data["townships"]),
                max_branches=data["max_branches"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                document=data.get("document"),
            )
        except DomainError as exc:
            add_service_errors(form, exc, {"uscc": "head_uscc", "head": "head_uscc"})
        else:
            messages.success(request, gettext("连锁经营协议已创建"))
            return redirect("institutions:chain_detail", pk=agreement.pk)
    status = 400 if form.is_bound else 200
    return render(
        request, "institutions/chains/form.html", {"form": form, "agreement": None}, status=status
    )


@login_required
@permission_required(MANAGE, raise_exception=True)
def chain_detail(request, pk: int):
    agreement = _agreement_or_404(request, pk)
    branches = list(selectors.chain_branches(acting_user=request.user, agreement=agreement))
    return render(
        request,
        "institutions/chains/detail.html",
        {
            "agreement": agreement,
            "branches": branches,
            "attach_form": AttachForm(),
            "end_form": EndForm(),
            "today": policy.today(),
        },
    )


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def chain_edit(request, pk: int):
    agreement = _agreement_or_404(request, pk)
    initial = {
        "agreement_number": agreement.agreement_number,
        "townships": list(agreement.townships.all()),
        "max_branches": agreement.max_branches,
        "valid_from": agreement.valid_from,
        "valid_until": agreement.valid_until,
    }
    form = AgreementForm(request.POST or None, request.FILES or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.chain_agreement_update(
                acting_user=request.user,
                agreement=agreement,
                agreement_number=data["agreement_number"],
                townships=list(data["townships"]),
                max_branches=data["max_branches"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                document=data.get("document"),
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("连锁经营协议已保存"))
            return redirect("institutions:chain_detail", pk=agreement.pk)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "institutions/chains/form.html",
        {"form": form, "agreement": agreement},
        status=status,
    )


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def chain_end(request, pk: int):
    agreement = _agreement_or_404(request, pk)
    form = EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.chain_agreement_end(
                acting_user=request.user,
                agreement=agreement,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("连锁经营协议已提前终止"))
            return redirect("institutions:chain_detail", pk=agreement.pk)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "institutions/chains/end.html",
        {"form": form, "agreement": agreement},
        status=status,
    )


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_POST
def chain_attach(request, pk: int):
    agreement = _agreement_or_404(request, pk)
    form = AttachForm(request.POST)
    if form.is_valid():
        try:
            institution = institution_by_uscc(
                acting_user=request.user, uscc=form.cleaned_data["uscc"]
            )
            result = services.chain_branch_attach(
                acting_user=request.user, agreement=agreement, institution=institution
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if result.in_scope:
                messages.success(
                    request,
                    gettext("已挂靠分支机构 %(name)s：位于协议范围内，按连锁简化备案办理")
                    % {"name": result.institution.name},
                )
            else:
                messages.warning(
                    request,
                    gettext("已挂靠分支机构 %(name)s：不在协议适用镇乡街道内，须按完整备案流程办理")
                    % {"name": result.institution.name},
                )
    else:
        messages.error(request, gettext("请填写分支机构的统一社会信用代码"))
    return redirect("institutions:chain_detail", pk=agreement.pk)


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_POST
def chain_detach(request, pk: int, institution_pk: int):
    agreement = _agreement_or_404(request, pk)
    branch = next(
        (
            b
            for b in selectors.chain_branches(acting_user=request.user, agreement=agreement)
            if b.pk == institution_pk
        ),
        None,
    )
    if branch is None:
        raise Http404
    if request.POST.get("confirmed") != "1":
        # [accounts-ux] 6: a server-side confirmation page (no JavaScript) first.
        confirm = {
            "title": gettext("解除分支机构"),
            "subject": f"{branch.name}（{branch.uscc}）",
            "consequences": [
                gettext("解除后该机构不再属于连锁协议 %(number)s。")
                % {"number": agreement.agreement_number},
                gettext("它此后的备案不再适用连锁简化备案；此操作记入审计日志。"),
            ],
            "button": gettext("确认解除"),
            "button_class": "btn-danger",
            "action": request.path,
            "fields": [("reason", request.POST.get("reason", ""))],
            "back": reverse("institutions:chain_detail", args=[agreement.pk]),
            "shown": [],
        }
        return render(request, "web/confirm.html", {"confirm": confirm})
    try:
        services.chain_branch_detach(
            acting_user=request.user,
            agreement=agreement,
            institution=branch,
            reason=request.POST.get("reason", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("已解除分支机构 %(name)s") % {"name": branch.name})
    return redirect("institutions:chain_detail", pk=agreement.pk)


@login_required
@permission_required(VIEW, raise_exception=True)
def chain_document(request, pk: int):
    agreement = _agreement_or_404(request, pk)
    if not agreement.document:
        raise Http404
    chain_document_download_record(acting_user=request.user, agreement=agreement)
    return FileResponse(
        agreement.document.open("rb"),
        as_attachment=False,
        filename=f"连锁经营协议-{agreement.agreement_number}.pdf",
        content_type="application/pdf",
    )


urlpatterns = [
    path("chains/", chain_list, name="chains"),
    path("chains/new/", chain_create, name="chain_create"),
    path("chains/<int:pk>/", chain_detail, name="chain_detail"),
    path("chains/<int:pk>/edit/", chain_edit, name="chain_edit"),
    path("chains/<int:pk>/end/", chain_end, name="chain_end"),
    path("chains/<int:pk>/branches/", chain_attach, name="chain_attach"),
    path(
        "chains/<int:pk>/branches/<int:institution_pk>/detach/",
        chain_detach,
        name="chain_detach",
    ),
    path("chains/<int:pk>/document/", chain_document, name="chain_document"),
]
