"""Affordable (普惠性) designations (P-MODE-2) for 区卫健局: the list of designations, the
designation form and the withdrawal form. The institution page shows the same history on
its 普惠认定 tab. Thin: forms parse, services decide (and audit)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from tuoyu import policy
from tuoyu.core import bounds
from tuoyu.core.errors import DomainError, NotFound
from tuoyu.institutions.models import AffordableDesignation
from tuoyu.institutions.selectors import affordable as selectors
from tuoyu.institutions.selectors.directory import institution_by_uscc
from tuoyu.institutions.services import affordable as services
from tuoyu.institutions.services.downloads import affordable_document_download_record
from tuoyu.institutions.views.chains import BoundedDateField, search_text
from tuoyu.web.forms import add_service_errors
from tuoyu.web.tables import paginate

DESIGNATE = "institutions.designate_affordable"
VIEW = "institutions.view_directory"


REF_MAX = AffordableDesignation._meta.get_field("decision_ref").max_length


class DesignateForm(forms.Form):
    uscc = forms.CharField(label=_("机构统一社会信用代码"), max_length=18)
    starts_on = BoundedDateField(label=_("起始日期"))
    ends_on = BoundedDateField(label=_("终止日期"), required=False, help_text=_("不填为长期有效"))
    decision_ref = forms.CharField(
        label=_("认定文号"), max_length=REF_MAX, help_text=bounds.max_length_hint(REF_MAX)
    )
    decision_document = forms.FileField(
        label=_("认定文件（PDF）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )


class WithdrawForm(forms.Form):
    withdrawn_on = BoundedDateField(label=_("撤销日期（普惠性认定的最后一天）"))
    withdrawal_ref = forms.CharField(
        label=_("撤销文号"), max_length=REF_MAX, help_text=bounds.max_length_hint(REF_MAX)
    )
    reason = forms.CharField(
        label=_("撤销原因"),
        max_length=services.WITHDRAWAL_REASON_MAX,
        help_text=bounds.max_length_hint(services.WITHDRAWAL_REASON_MAX),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


@login_required
@permission_required(DESIGNATE, raise_exception=True)
def affordable_list(request):
    status = request.GET.get("status", "current")
    if status not in ("current", "future", "ended", "all"):
        status = "current"
    q, q_error = search_text(request)
    qs = selectors.affordable_designations(
        acting_user=request.user, status=None if status == "all" else status, q=q
    )
    return render(
        request,
        "institutions/affordable/list.html",
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
@permission_required(DESIGNATE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def affordable_designate(request):
    initial = {"uscc": request.GET.get("uscc", "")}
    form = DesignateForm(request.POST or None, request.FILES or None, initial=initial)
    next_url = _next_url(request, reverse("institutions:affordable"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            institution = institution_by_uscc(acting_user=request.user, uscc=data["uscc"])
            services.affordable_designate(
                acting_user=request.user,
                institution=institution,
                starts_on=data["starts_on"],
                ends_on=data.get("ends_on"),
                decision_ref=data["decision_ref"],
                decision_document=data["decision_document"],
            )
        except DomainError as exc:
            add_service_errors(form, exc, {"institution": "uscc"})
        else:
            messages.success(
                request, gettext("已认定 %(name)s 为普惠性托育机构") % {"name": institution.name}
            )
            return redirect(next_url)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "institutions/affordable/designate.html",
        {"form": form, "next": next_url},
        status=status,
    )


def _designation_or_404(request, pk: int):
    try:
        return selectors.affordable_designation_get(acting_user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
@permission_required(DESIGNATE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def affordable_withdraw(request, pk: int):
    designation = _designation_or_404(request, pk)
    form = WithdrawForm(request.POST or None, initial={"withdrawn_on": policy.today()})
    next_url = _next_url(request, reverse("institutions:affordable"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.affordable_withdraw(
                acting_user=request.user,
                designation=designation,
                withdrawn_on=data["withdrawn_on"],
                withdrawal_ref=data["withdrawal_ref"],
                reason=data["reason"],
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                gettext("已撤销 %(name)s 的普惠性认定") % {"name": designation.institution.name},
            )
            return redirect(next_url)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "institutions/affordable/withdraw.html",
        {"form": form, "designation": designation, "next": next_url},
        status=status,
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def affordable_document(request, pk: int):
    designation = _designation_or_404(request, pk)
    if not designation.decision_document:
        raise Http404
    affordable_document_download_record(acting_user=request.user, designation=designation)
    return FileResponse(
        designation.decision_document.open("rb"),
        as_attachment=False,
        filename=f"普惠性认定-{designation.decision_ref}.pdf",
        content_type="application/pdf",
    )


urlpatterns = [
    path("affordable/", affordable_list, name="affordable"),
    path("affordable/new/", affordable_designate, name="affordable_designate"),
    path("affordable/<int:pk>/withdraw/", affordable_withdraw, name="affordable_withdraw"),
    path("affordable/<int:pk>/document/", affordable_document, name="affordable_document"),
]
