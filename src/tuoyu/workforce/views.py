"""Pages of workforce: the roster (list, add form, Excel upload, staff detail), the ban
pages of 区卫健局 (propose, approve by a second officer, lift, attempts), the district lists
(compliance gaps, double posts, expiry, certification rate) and the training export for
区人力社保局 (P-WF-3). Thin: selectors read (scope applied), services write."""

from __future__ import annotations

import datetime as dt
import os

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from tuoyu import policy
from tuoyu.audit.services import audit_record
from tuoyu.core.errors import DomainError, NotFound
from tuoyu.core.scope import scope_of
from tuoyu.institutions.models import CareClass
from tuoyu.institutions.tabs import InstitutionTab, register_tab
from tuoyu.web.tables import paginate
from tuoyu.workforce import excel_roster, selectors, services
from tuoyu.workforce.catalogue import WorkforceAction
from tuoyu.workforce.models import Ban, CertificateKind, Education, Role, Training
from tuoyu.workforce.scopes import may_manage_roster, may_see_certificate_scans

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE = forms.DateInput(attrs={"type": "date"})


def _institution(request, pk: int):
    try:
        return selectors.institution_for_staff(acting_user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _apply_errors(form: forms.Form, exc: DomainError) -> None:
    """Each error beside its field (or above the form), the message never the code."""
    for e in exc.errors:
        name = (e.field or "").split("[")[0]
        if e.field and e.field.startswith("certificates["):
            name = "cert_" + e.field.rsplit(".", 1)[-1]
        if e.field == "care_class_id":
            name = "care_class"
        if e.field == "scan" and "scan" not in form.fields:
            name = "file"
        form.add_error(name if name in form.fields else None, str(e.message))


# --- the roster ----------------------------------------------------------------------------------


@login_required
@permission_required("workforce.keep_roster", raise_exception=True)
def my_roster(request):
    # The institution's own roster at the address its navigation names (no redirect: every
    # link on a home page answers 200, [accounts-ux] #9 point 2).
    institution = _institution(request, scope_of(request.user).institution_id)
    return render(request, "workforce/roster.html", _roster_context(request, institution))


def _roster_context(request, institution) -> dict:
    day = policy.today()
    return {
        "institution": institution,
        "page": paginate(
            request, selectors.roster(acting_user=request.user, institution=institution)
        ),
        "gaps": selectors.institution_gaps(
            acting_user=request.user, institution=institution, day=day
        ),
        "expiring": selectors.expiring(acting_user=request.user, institution=institution, day=day),
        "rate": selectors.certification_rate(
            acting_user=request.user, day=day, institution=institution
        )["total"],
        "may_manage": may_manage_roster(scope_of(request.user), institution.pk),
        "day": day,
    }


@login_required
@permission_required("workforce.view_rosters", raise_exception=True)
def roster(request, pk: int):
    institution = _institution(request, pk)
    return render(request, "workforce/roster.html", _roster_context(request, institution))


def _roster_tab(request, institution) -> dict:
    return _roster_context(request, institution)


def register_institution_tab() -> None:
    register_tab(
        InstitutionTab(
            "workforce", _("从业人员"), "workforce/_institution_tab.html", _roster_tab, order=35
        )
    )


class StaffForm(forms.Form):
    name = forms.CharField(
        label=_("姓名"), max_length=60, widget=forms.TextInput(attrs={"autofocus": True})
    )
    id_number = forms.CharField(label=_("身份证号码"), max_length=40)
    role = forms.ChoiceField(label=_("岗位"), choices=Role.choices)
    care_class = forms.TypedChoiceField(
        label=_("所在班级（保育人员）"), required=False, coerce=int, empty_value=None
    )
    hired_on = forms.DateField(label=_("入职日期"), widget=DATE)
    full_time = forms.BooleanField(label=_("专职"), required=False, initial=True)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    education = forms.ChoiceField(label=_("学历"), choices=Education.choices, required=False)
    experience_years = forms.IntegerField(
        label=_("相关工作年限"), min_value=0, max_value=60, initial=0
    )
    head_training = forms.BooleanField(label=_("已参加负责人岗位培训"), required=False)
    cert_kind = forms.ChoiceField(
        label=_("证书类型"), choices=[("", "—"), *CertificateKind.choices], required=False
    )
    cert_number = forms.CharField(label=_("证书编号"), max_length=60, required=False)
    cert_valid_from = forms.DateField(label=_("有效期起"), required=False, widget=DATE)
    cert_valid_until = forms.DateField(label=_("有效期至"), required=False, widget=DATE)

    def __init__(self, *args, institution, **kwargs):
        super().__init__(*args, **kwargs)
        classes = CareClass.objects.filter(institution=institution).exclude(
            status=CareClass.Status.CLOSED
        )
        self.fields["care_class"].choices = [("", "—"), *[(c.pk, c.name) for c in classes]]

    def data_for_service(self) -> dict:
        d = self.cleaned_data
        certificates = []
        if d.get("cert_kind"):
            certificates.append(
                services.CertificateInput(
                    kind=d["cert_kind"],
                    number=d.get("cert_number") or "",
                    valid_from=d.get("cert_valid_from"),
                    valid_until=d.get("cert_valid_until"),
                )
            )
        return {
            "name": d["name"],
            "id_number": d["id_number"],
            "role": d["role"],
            "care_class_id": d.get("care_class"),
            "hired_on": d["hired_on"],
            "full_time": d.get("full_time", False),
            "phone": d.get("phone") or "",
            "education": d.get("education") or "",
            "experience_years": d.get("experience_years") or 0,
            "head_training": d.get("head_training", False),
            "certificates": certificates,
        }


@login_required
@permission_required("workforce.keep_roster", raise_exception=True)
@require_http_methods(["GET", "POST"])
def staff_new(request, pk: int):
    institution = _institution(request, pk)
    form = StaffForm(request.POST or None, institution=institution)
    refused = None
    if request.method == "POST" and form.is_valid():
        try:
            staff = services.staff_add(
                acting_user=request.user, institution=institution, data=form.data_for_service()
            )
        except DomainError as exc:
            if exc.status == 409 and exc.code == "lifetime_ban":
                refused = exc
            _apply_errors(form, exc)
        else:
            messages.success(request, gettext("已登记：%(name)s") % {"name": staff.name})
            if "add_another" in request.POST:
                return redirect("workforce:staff_new", pk=institution.pk)
            return redirect("workforce:roster", pk=institution.pk)
    return render(
        request,
        "workforce/staff_new.html",
        {"form": form, "institution": institution, "refused": refused},
    )


class CertificateForm(forms.Form):
    kind = forms.ChoiceField(label=_("证书类型"), choices=CertificateKind.choices)
    number = forms.CharField(label=_("证书编号"), max_length=60, required=False)
    issuer = forms.CharField(label=_("发证机关"), max_length=100, required=False)
    valid_from = forms.DateField(label=_("有效期起"), widget=DATE)
    valid_until = forms.DateField(label=_("有效期至"), required=False, widget=DATE)
    # P-WF-1: the scan, checked by content in the service (core.uploads.check_upload).
    scan = forms.FileField(
        label=_("扫描件（PDF、JPEG 或 PNG）"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class ScanForm(forms.Form):
    """Upload or replace the scan of an existing certificate (P-WF-1)."""

    certificate = forms.IntegerField(widget=forms.HiddenInput)
    file = forms.FileField(label=_("扫描件"))


class TrainingForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Training.Kind.choices)
    title = forms.CharField(label=_("培训（认定）项目"), max_length=100)
    provider = forms.CharField(
        label=_("培训机构"), max_length=100, initial=_("区妇计中心（托育指导中心）")
    )
    hours = forms.DecimalField(
        label=_("学时"), min_value=0, max_digits=6, decimal_places=1, initial=8
    )
    completed_on = forms.DateField(label=_("完成日期"), widget=DATE)
    appraisal_level = forms.CharField(label=_("技能等级"), max_length=20, required=False)


class LeaveForm(forms.Form):
    left_on = forms.DateField(label=_("离职日期"), widget=DATE)


def _staff(request, pk: int):
    try:
        return selectors.staff_get(acting_user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _staff_post(request, staff, forms_):
    """Handle one of the detail page's forms; returns a redirect or None."""
    action = request.POST.get("action")
    form = forms_.get(action)
    if form is None or not form.is_valid():
        return None
    d = form.cleaned_data
    try:
        if action == "certificate":
            scan = d.pop("scan", None)
            services.certificate_add(
                acting_user=request.user,
                staff=staff,
                certificate=services.CertificateInput(**d),
                scan=scan,
            )
        elif action == "scan":
            certificate = staff.certificates.filter(pk=d["certificate"]).first()
            if certificate is None:
                raise Http404()
            services.certificate_scan_attach(
                acting_user=request.user, certificate=certificate, file=d["file"]
            )
        elif action == "training":
            services.training_add(acting_user=request.user, staff=staff, **d)
        else:
            services.staff_leave(acting_user=request.user, staff=staff, left_on=d["left_on"])
    except DomainError as exc:
        _apply_errors(form, exc)
        return None
    messages.success(request, gettext("已保存"))
    return redirect("workforce:staff", pk=staff.pk)


@login_required
@permission_required("workforce.view_rosters", raise_exception=True)
@require_http_methods(["GET", "POST"])
def staff_detail(request, pk: int):
    staff = _staff(request, pk)
    may_manage = may_manage_roster(scope_of(request.user), staff.institution_id)
    posted = request.POST if request.method == "POST" and may_manage else None
    files = request.FILES if posted is not None else None
    action = request.POST.get("action") if posted else None
    forms_ = {
        "certificate": CertificateForm(
            posted if action == "certificate" else None,
            files if action == "certificate" else None,
            prefix="c",
        ),
        "scan": ScanForm(
            posted if action == "scan" else None, files if action == "scan" else None, prefix="s"
        ),
        "training": TrainingForm(posted if action == "training" else None, prefix="t"),
        "leave": LeaveForm(posted if action == "leave" else None, prefix="l"),
    }
    if posted is not None:
        done = _staff_post(request, staff, forms_)
        if done is not None:
            return done
    day = policy.today()
    for c in staff.certificates.all():
        c.valid_today = c.valid_on(day)
    return render(
        request,
        "workforce/staff_detail.html",
        {
            "staff": staff,
            "may_manage": may_manage,
            "may_see_scans": may_see_certificate_scans(scope_of(request.user)),
            "forms": forms_,
            "day": day,
        },
    )


@login_required
@permission_required("workforce.view_rosters", raise_exception=True)
@require_GET
def certificate_scan(request, pk: int, inline: bool = False):
    """A certificate's scan (P-WF-1) as a download, or (`inline`, the preview address)
    shown in the browser with the content type sniffed at upload. The institution, 区卫健局
    and the township in scope (`selectors.certificate_scan_get`; anyone else 404); audited
    as downloaded or viewed."""
    try:
        certificate = selectors.certificate_scan_get(acting_user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    services.certificate_scan_download_record(
        acting_user=request.user, certificate=certificate, inline=inline
    )
    response = FileResponse(
        certificate.scan.open("rb"),
        as_attachment=not inline,
        filename=certificate.scan_name or os.path.basename(certificate.scan.name),
        content_type=certificate.scan_content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("从业人员名单（.xlsx）"),
        help_text=_("请使用下载的模板填写；全部行校验通过才会导入。"),
    )


@login_required
@permission_required("workforce.keep_roster", raise_exception=True)
def roster_template(request, pk: int):
    institution = _institution(request, pk)
    names = (
        CareClass.objects.filter(institution=institution)
        .exclude(status=CareClass.Status.CLOSED)
        .values_list("name", flat=True)
    )
    response = HttpResponse(
        excel_roster.roster_template(class_names=list(names)), content_type=XLSX
    )
    response["Content-Disposition"] = 'attachment; filename="roster-template.xlsx"'
    return response


@login_required
@permission_required("workforce.keep_roster", raise_exception=True)
@require_http_methods(["GET", "POST"])
def roster_upload(request, pk: int):
    institution = _institution(request, pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    errors = None
    if request.method == "POST" and form.is_valid():
        try:
            count = services.staff_import(
                acting_user=request.user, institution=institution, file=form.cleaned_data["file"]
            )
        except DomainError as exc:
            errors = exc
        else:
            messages.success(request, gettext("导入成功：共 %(n)s 人") % {"n": count})
            return redirect("workforce:roster", pk=institution.pk)
    return render(
        request,
        "workforce/upload.html",
        {
            "form": form,
            "errors": errors,
            "institution": institution,
            "max_rows": excel_roster.MAX_IMPORT_ROWS,
            "max_mb": excel_roster.MAX_IMPORT_BYTES // 1024 // 1024,
        },
    )


# --- bans (区卫健局, P-SUP-6) ------------------------------------------------------------------


class BanForm(forms.Form):
    name = forms.CharField(
        label=_("姓名"), max_length=60, widget=forms.TextInput(attrs={"autofocus": True})
    )
    id_number = forms.CharField(label=_("身份证号码"), max_length=40)
    party = forms.ChoiceField(label=_("责任类型"), choices=Ban.Party.choices)
    reason = forms.CharField(label=_("禁入事由"), widget=forms.Textarea(attrs={"rows": 3}))
    decided_on = forms.DateField(label=_("决定日期"), widget=DATE)
    decision_ref = forms.CharField(label=_("决定文号"), max_length=100, required=False)
    case_ref = forms.CharField(label=_("所涉案件"), max_length=100, required=False)


class LiftForm(forms.Form):
    lifted_on = forms.DateField(label=_("解除日期"), widget=DATE)
    authority = forms.CharField(label=_("作出解除决定的法院或机关"), max_length=100, required=False)
    decision_ref = forms.CharField(label=_("解除决定文号"), max_length=100, required=False)
    reason = forms.CharField(
        label=_("解除理由"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


MANAGE_BANS = "workforce.manage_bans"


@login_required
@permission_required(MANAGE_BANS, raise_exception=True)
def ban_list(request):
    status = request.GET.get("status") or None
    page = paginate(request, selectors.bans(acting_user=request.user, status=status))
    return render(
        request,
        "workforce/bans.html",
        {
            "page": page,
            "status": status,
            "statuses": Ban.Status.choices,
            "flagged": selectors.flagged_staff(acting_user=request.user),
            "attempts": selectors.ban_attempts(acting_user=request.user)[:20],
        },
    )


@login_required
@permission_required(MANAGE_BANS, raise_exception=True)
@require_http_methods(["GET", "POST"])
def ban_new(request):
    form = BanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ban = services.ban_propose(acting_user=request.user, **form.cleaned_data)
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, gettext("已提出，待另一名工作人员审核后生效"))
            return redirect("workforce:ban", pk=ban.pk)
    return render(request, "workforce/ban_new.html", {"form": form})


@login_required
@permission_required(MANAGE_BANS, raise_exception=True)
@require_http_methods(["GET", "POST"])
def ban_detail(request, pk: int):
    try:
        ban = selectors.ban_get(acting_user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    lift = LiftForm(request.POST if request.POST.get("action") == "lift" else None)
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "approve":
                services.ban_approve(acting_user=request.user, ban=ban)
                messages.success(request, gettext("终身禁入已生效"))
                return redirect("workforce:ban", pk=ban.pk)
            if lift.is_valid():
                services.ban_lift(acting_user=request.user, ban=ban, **lift.cleaned_data)
                messages.success(request, gettext("已依决定解除终身禁入"))
                return redirect("workforce:ban", pk=ban.pk)
        except DomainError as exc:
            error = exc
            if request.POST.get("action") == "lift":
                _apply_errors(lift, exc)
    return render(
        request,
        "workforce/ban_detail.html",
        {
            "ban": ban,
            "lift": lift,
            "error": error,
            "attempts": ban.attempts.select_related("institution", "attempted_by"),
            "flagged": ban.flagged.filter(left_on__isnull=True).select_related("institution"),
            "may_approve": ban.status == Ban.Status.PROPOSED
            and ban.proposed_by_id != request.user.pk,
        },
    )


@login_required
@permission_required(MANAGE_BANS, raise_exception=True)
def ban_attempts(request):
    page = paginate(request, selectors.ban_attempts(acting_user=request.user))
    return render(request, "workforce/attempts.html", {"page": page})


# --- district lists --------------------------------------------------------------------------


def _day(request) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return policy.today()


@login_required
@permission_required("workforce.view_gaps", raise_exception=True)
def gaps(request):
    day = _day(request)
    # [scale] #10: a page of institutions is judged, never the whole scope (a province-wide
    # scope judged every institution on every request: 13.5 s on SQLite)
    page = selectors.district_gaps_page(
        acting_user=request.user, page=request.GET.get("page"), day=day
    )
    query = request.GET.copy()
    query.pop("page", None)
    page.querystring = query.urlencode()
    return render(
        request,
        "workforce/gaps.html",
        {
            "day": day,
            "page": page,
            "double_posts": selectors.double_posts(acting_user=request.user),
            "flagged": selectors.flagged_staff(acting_user=request.user),
        },
    )


@login_required
@permission_required("workforce.view_gaps", raise_exception=True)
def expiry(request):
    day = _day(request)
    return render(
        request,
        "workforce/expiry.html",
        {
            "day": day,
            "rows": selectors.expiring(acting_user=request.user, day=day),
            "window": policy.at(day).workforce.expiry_warning_days,
        },
    )


@login_required
@permission_required("workforce.view_gaps", raise_exception=True)
def certification(request):
    day = _day(request)
    rate = selectors.certification_rate(acting_user=request.user, day=day)
    return render(request, "workforce/certification.html", {"day": day, **rate})


@login_required
@permission_required("workforce.export_trainings", raise_exception=True)
def trainings_export(request):
    try:
        year = int(request.GET.get("year") or policy.today().year)
    except ValueError:
        year = policy.today().year
    if "download" not in request.GET:
        return render(
            request,
            "workforce/trainings.html",
            {"year": year, "years": range(2020, policy.today().year + 1)},
        )
    rows = list(selectors.trainings_of_year(acting_user=request.user, year=year))
    audit_record(
        action=WorkforceAction.TRAINING_EXPORTED,
        actor=request.user,
        object_type="workforce.training",
        detail={"year": year, "rows": len(rows)},
    )
    response = HttpResponse(excel_roster.trainings_workbook(rows, year=year), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="trainings-{year}.xlsx"'
    return response


app_urls = [
    path("roster/", my_roster, name="my_roster"),
    path("institutions/<int:pk>/", roster, name="roster"),
    path("institutions/<int:pk>/new/", staff_new, name="staff_new"),
    path("institutions/<int:pk>/upload/", roster_upload, name="upload"),
    path("institutions/<int:pk>/template.xlsx", roster_template, name="template"),
    path("staff/<int:pk>/", staff_detail, name="staff"),
    path("certificates/<int:pk>/scan/", certificate_scan, name="certificate_scan"),
    path(
        "certificates/<int:pk>/scan/view/",
        certificate_scan,
        {"inline": True},
        name="certificate_scan_preview",
    ),
    path("bans/", ban_list, name="bans"),
    path("bans/new/", ban_new, name="ban_new"),
    path("bans/<int:pk>/", ban_detail, name="ban"),
    path("bans/attempts/", ban_attempts, name="attempts"),
    path("gaps/", gaps, name="gaps"),
    path("expiry/", expiry, name="expiry"),
    path("certification/", certification, name="certification"),
    path("trainings/", trainings_export, name="trainings"),
]
