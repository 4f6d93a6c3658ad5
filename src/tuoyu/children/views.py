"""Pages of children: an institution's classes with what needs doing (outgrown children,
missing entry examinations, vaccination checks overdue), the class page on which a caregiver
records the morning or noon check for the whole class (P-HC-3: defaults present and normal,
only exceptions typed, keyboard only, phone-sized), and outbreak alerts (P-HC-6) for the
institution, its township and 区卫健局. Thin: services decide, selectors read with scope."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tuoyu.children import selectors
from tuoyu.children.forms import CertificateForm, EnrolForm, MealAccountForm
from tuoyu.children.models import SYMPTOMS, Child, HealthCheck, OutbreakAlert
from tuoyu.children.scopes import children_visible
from tuoyu.children.services.certificates import (
    medical_certificate_record,
    medical_certificate_scan_download_record,
    scan_content_type,
    scan_extension,
)
from tuoyu.children.services.enrolment import age_in_months, child_enrol
from tuoyu.children.services.examinations import (
    examination_record,
    examination_scan_download_record,
)
from tuoyu.children.services.health_checks import health_checks_receive
from tuoyu.children.services.health_checks_csv import COLUMNS, health_checks_csv_receive
from tuoyu.children.services.meals import meal_account_record, publish_by_day
from tuoyu.children.services.outbreak import alert_acknowledge, alert_close
from tuoyu.core import bounds
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError, NotFound
from tuoyu.institutions.models import CareClass, Institution
from tuoyu.web.tables import paginate

RECORD = "children.record_checks"


def _own_institution(request) -> Institution:
    institution_id = request.user.scope.institution_id
    if institution_id is None:
        raise NotFound()
    return Institution.objects.get(pk=institution_id)


def _own_class(request, class_id: int) -> CareClass:
    care_class = CareClass.objects.filter(
        pk=class_id, institution_id=request.user.scope.institution_id
    ).first()
    if care_class is None:
        raise NotFound()
    return care_class


@login_required
@permission_required(RECORD, raise_exception=True)
def classes(request):
    institution = _own_institution(request)
    today = timezone.localdate()
    rows = []
    for c in institution.classes.filter(status=CareClass.Status.FILED).order_by(
        "class_type", "name"
    ):
        rows.append(
            {
                "care_class": c,
                "children": Child.objects.filter(care_class=c, status="active").count(),
            }
        )
    user = request.user
    return render(
        request,
        "children/classes.html",
        {
            "institution": institution,
            "rows": rows,
            "outgrown": selectors.outgrown(acting_user=user, institution=institution, on=today),
            "exam_missing": selectors.entry_exam_missing(acting_user=user, institution=institution),
            "vaccination_late": selectors.vaccination_overdue(
                acting_user=user, institution=institution, on=today
            ),
        },
    )


def _day_and_session(request) -> tuple[dt.date, str]:
    source = request.POST if request.method == "POST" else request.GET
    today = timezone.localdate()
    try:
        day = dt.date.fromisoformat(source.get("date", "")) if source.get("date") else today
    except ValueError:
        day = today
    if not bounds.date_in_range(day) or day > today:
        day = today
    default = "morning" if timezone.localtime().hour < 11 else "noon"
    session = source.get("session") or default
    if session not in HealthCheck.Session.values:
        session = default
    return day, session


def _records_from_form(post, roster, care_class, day, session) -> list[dict]:
    """Every child of the roster: present and normal unless the row says otherwise. The
    record id is the class, child, day and session, so submitting twice stores once."""
    records = []
    for child in roster:
        temperature = (post.get(f"temp-{child.pk}") or "").strip()
        try:
            temperature_c = float(temperature) if temperature else None
        except ValueError:
            temperature_c = -1.0  # shown back as temperature_out_of_range
        records.append(
            {
                "record_id": f"web-{care_class.pk}-{child.pk}-{day:%Y%m%d}-{session}",
                "child_id": child.pk,
                "date": day,
                "session": session,
                "attendance": post.get(f"att-{child.pk}") or "present",
                "temperature_c": temperature_c,
                "symptoms": post.getlist(f"sym-{child.pk}"),
                "action": post.get(f"act-{child.pk}") or "none",
            }
        )
    return records


def _report(request, result, roster) -> None:
    names = {c.pk: c.name_masked for c in roster}
    if result.accepted:
        messages.success(request, gettext("已保存 %(n)s 名儿童的检查记录") % {"n": result.accepted})
    if result.duplicates:
        messages.info(request, gettext("%(n)s 条此前已保存，未重复记录") % {"n": result.duplicates})
    for r in result.rejected:
        child_id = int(r["record_id"].split("-")[2]) if r["record_id"] else None
        text = "；".join(e["message"] for e in r["errors"])
        messages.error(request, f"{names.get(child_id, '')}：{text}")
    for alert in result.alerts:
        messages.warning(
            request,
            gettext("传染病聚集性预警：%(kind)s，%(symptom)s %(n)s 例，请在 24 小时内报告")
            % {"kind": alert.get_kind_display(), "symptom": alert.symptom_label, "n": alert.cases},
        )


@login_required
@permission_required(RECORD, raise_exception=True)
@require_http_methods(["GET", "POST"])
def class_check(request, class_id: int):
    care_class = _own_class(request, class_id)
    day, session = _day_and_session(request)
    roster = selectors.class_roster(acting_user=request.user, care_class=care_class, on=day)
    done = selectors.checks_of_class_day(
        acting_user=request.user, care_class=care_class, on=day, session=session
    )
    if request.method == "POST":
        # Children already checked this session (by the page or the institution's own
        # software) are not recorded again.
        to_do = [c for c in roster if c.pk not in done]
        records = _records_from_form(request.POST, to_do, care_class, day, session)
        try:
            result = health_checks_receive(
                acting_user=request.user,
                institution=care_class.institution,
                records=records,
                require_certificate=True,  # P-HC-3: back only with a medical certificate
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            _report(request, result, roster)
        return redirect(f"{request.path}?date={day:%Y-%m-%d}&session={session}")
    awaiting = selectors.awaiting_certificate(
        acting_user=request.user, care_class=care_class, on=day
    )
    return render(
        request,
        "children/class_check.html",
        {
            "care_class": care_class,
            "day": day,
            "session": session,
            "sessions": HealthCheck.Session.choices,
            "attendances": HealthCheck.Attendance.choices,
            "actions": HealthCheck.Action.choices,
            "symptoms": list(SYMPTOMS.items()),
            "rows": [(c, done.get(c.pk), c.pk in awaiting) for c in roster],
            "all_done": bool(roster) and len(done) == len(roster),
            "today": timezone.localdate(),
        },
    )


@login_required
@permission_required(RECORD, raise_exception=True)
@require_http_methods(["GET", "POST"])
def checks_upload(request):
    """P-HC-3: a CSV file of checks in the shape of API-CONTRACT §3, one batch through the
    same service; every rejected row shown with its row number and message."""
    institution = _own_institution(request)
    context = {"institution": institution, "columns": COLUMNS, "symptoms": list(SYMPTOMS)}
    status = 200
    if request.method == "POST":
        try:
            result = health_checks_csv_receive(
                acting_user=request.user, institution=institution, file=request.FILES.get("file")
            )
        except DomainError as exc:
            context["error"] = exc
            status = 400
        else:
            context["result"] = result
    return render(request, "children/checks_upload.html", context, status=status)


@login_required
@permission_required(RECORD, raise_exception=True)
@require_http_methods(["GET", "POST"])
def certificate_new(request, child_id: int):
    """P-HC-3: the medical certificate of a child sent home (date, hospital, optional
    scan); only then can the class page record the child present again."""
    child = selectors.child_get(acting_user=request.user, child_id=child_id)
    if child.institution_id != request.user.scope.institution_id:
        raise NotFound()
    form = CertificateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            medical_certificate_record(
                acting_user=request.user,
                child=child,
                issued_on=form.cleaned_data["issued_on"],
                hospital=form.cleaned_data["hospital"],
                scan=form.cleaned_data.get("scan") or None,
            )
        except DomainError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                gettext("已登记 %(name)s 的医学证明，可记为出勤") % {"name": child.name_masked},
            )
            return redirect("children:class_check", class_id=child.care_class_id)
    pending = selectors.awaiting_certificate_of(acting_user=request.user, child=child)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "children/certificate_new.html",
        {
            "child": child,
            "form": form,
            "pending": pending,
            "certificates": selectors.certificates_of(acting_user=request.user, child=child),
        },
        status=status,
    )


@login_required
@require_GET
@never_cache
def certificate_scan(request, certificate_id: int):
    """P-HC-3: a medical certificate's scan as a download, for the child's institution, the
    township it is located in and 区卫健局 (`selectors.certificate_scan_get`). No permission
    check before the selector: a role that may not see children gets the same 404 as a
    certificate that does not exist, not a 403 saying there is something to refuse.
    Audited on every download; never cached (a child's health document)."""
    try:
        certificate = selectors.certificate_scan_get(
            acting_user=request.user, certificate_id=certificate_id
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc
    scan, name, content_type = _scan_download(
        certificate.scan,
        document=gettext("返园医学证明"),
        day=certificate.issued_on,
        record=lambda size: medical_certificate_scan_download_record(
            acting_user=request.user, certificate=certificate, size=size
        ),
    )
    response = FileResponse(scan, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _scan_download(field, *, document: str, day: dt.date, record) -> tuple:
    """A stored scan to send as an attachment (P-HC-1, P-HC-3): (open file, name, content
    type), the type recognised again by content, the name the document and its date only
    (it stays in download histories: no personal data). `record(size)` writes the audit
    event. The view sends it with `nosniff`."""
    # Opened before the event is written, so a file missing from storage records no
    # download; closed again if the event cannot be written (the response closes it else).
    scan = field.open("rb")
    try:
        content_type = scan_content_type(scan)
        record(field.size)
    except BaseException:
        scan.close()
        raise
    return scan, f"{document}-{day:%Y%m%d}{scan_extension(content_type)}", content_type


@login_required
@require_GET
@never_cache
def examination_scan(request, exam_id: int):
    """P-HC-1: an examination form's scan (入托体检表) as a download, for the child's
    institution, the township it is located in and 区卫健局 (`selectors.examination_scan_get`),
    as `certificate_scan`: no permission check before the selector (a role that may not see
    children gets the 404 of an examination that does not exist), audited on every
    download, never cached, never sniffed."""
    try:
        exam = selectors.examination_scan_get(acting_user=request.user, exam_id=exam_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    scan, name, content_type = _scan_download(
        exam.form_scan,
        document=gettext("入托体检表") if exam.kind == exam.Kind.ENTRY else gettext("体检表"),
        day=exam.examined_on,
        record=lambda size: examination_scan_download_record(
            acting_user=request.user, exam=exam, size=size
        ),
    )
    response = FileResponse(scan, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@permission_required("children.view_children", raise_exception=True)
@require_http_methods(["GET", "POST"])
def meals(request):
    """P-HC-7: the institution records and publishes each month's meal-fee account; 区卫健局
    and a township see the institutions with months not published by the deadline."""
    today = timezone.localdate()
    if request.user.scope.institution_id is None:
        if request.method == "POST":
            raise NotFound()
        overdue = selectors.meal_accounts_overdue(acting_user=request.user, today=today)
        return render(request, "children/meals_overview.html", {"overdue": overdue})
    institution = _own_institution(request)
    may_keep = request.user.has_perm("children.keep_meal_accounts")
    form = MealAccountForm(request.POST or None) if may_keep else None
    status = 200
    if request.method == "POST" and form is not None:
        if form.is_valid():
            try:
                meal_account_record(
                    acting_user=request.user,
                    institution=institution,
                    publish=request.POST.get("do") == "publish",
                    **form.cleaned_data,
                )
            except DomainError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, gettext("伙食费账目已保存"))
                return redirect("children:meals")
        status = 400
    return render(
        request,
        "children/meals.html",
        {
            "institution": institution,
            "form": form,
            "rows": selectors.meal_months(
                acting_user=request.user, institution=institution, today=today
            ),
            "publish_by_day": publish_by_day(today),
        },
        status=status,
    )


@login_required
@permission_required("children.view_alerts", raise_exception=True)
def alerts(request):
    status = request.GET.get("status", "")
    if status not in OutbreakAlert.Status.values:
        status = ""
    qs = selectors.alerts_visible(acting_user=request.user, status=status or None)
    return render(
        request,
        "children/alerts.html",
        {"alerts": qs[:200], "status": status, "statuses": OutbreakAlert.Status.choices},
    )


@login_required
@permission_required("children.view_alerts", raise_exception=True)
def alert_detail(request, alert_id: int):
    alert = selectors.alert_get(acting_user=request.user, alert_id=alert_id)
    return render(
        request,
        "children/alert_detail.html",
        {
            "alert": alert,
            "children": selectors.alert_children(alert),
            "may_handle": request.user.has_perm("children.handle_alerts"),
        },
    )


@login_required
@permission_required("children.handle_alerts", raise_exception=True)
@require_POST
def alert_handle(request, alert_id: int):
    alert = selectors.alert_get(acting_user=request.user, alert_id=alert_id)
    try:
        if request.POST.get("do") == "close":
            alert_close(
                acting_user=request.user,
                alert=alert,
                action_taken=request.POST.get("action_taken", ""),
            )
            messages.success(request, gettext("预警已关闭"))
        else:
            alert_acknowledge(acting_user=request.user, alert=alert)
            messages.success(request, gettext("预警已确认"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("children:alert", alert_id=alert.pk)


@login_required
@permission_required("children.enrol", raise_exception=True)
@require_http_methods(["GET", "POST"])
def child_new(request):
    """Enrolment from the institution's children page (API-CONTRACT §2 through the same
    service; P-HC-1, P-STD-1, P-STD-4): every error next to its field, input kept."""
    institution = _own_institution(request)
    classes = selectors.classes_open(acting_user=request.user, institution=institution)
    form = EnrolForm(request.POST or None, request.FILES or None, classes=classes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            child = child_enrol(
                acting_user=request.user,
                institution=institution,
                name=data["name"],
                gender=data["gender"],
                birth_date=data["birth_date"],
                id_number=data["id_number"] or None,
                class_id=data["class_id"],
                enrolled_on=data["enrolled_on"],
                guardian_name=data["guardian_name"],
                guardian_phone=data["guardian_phone"],
                entry_examination=form.entry_examination(),
            )
        except DomainError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, gettext("%(name)s 已入托") % {"name": child.name_masked})
            return redirect("children:child", child_id=child.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "children/child_new.html",
        {"form": form, "institution": institution},
        status=status,
    )


@login_required
@permission_required("children.view_children", raise_exception=True)
def child_list(request):
    """The children in care the user sees (masked names), by institution and class."""
    qs = (
        children_visible(Child.objects.filter(status=Child.Status.ACTIVE), request.user.scope)
        .select_related("institution", "care_class")
        .order_by("institution__name", "care_class__name", "pk")
    )
    context = {"page": paginate(request, qs), "may_enrol": request.user.has_perm("children.enrol")}
    institution_id = request.user.scope.institution_id
    if institution_id is not None:
        institution = Institution.objects.get(pk=institution_id)
        today = timezone.localdate()
        context["rechecks"] = selectors.vaccination_rechecks_marked(
            acting_user=request.user, institution=institution, year=today.year
        )
        context["recheck_year"] = today.year
    return render(request, "children/child_list.html", context)


def _chart(child, exams) -> dict:
    return {
        "labels": {
            "age": gettext("月龄"),
            "waz": gettext("年龄别体重"),
            "haz": gettext("年龄别身长/身高"),
            "whz": gettext("身长/身高别体重"),
        },
        "points": [
            {
                "age": age_in_months(child.birth_date, e.examined_on),
                "waz": float(e.waz) if e.waz is not None else None,
                "haz": float(e.haz) if e.haz is not None else None,
                "whz": float(e.whz) if e.whz is not None else None,
            }
            for e in exams
            if e.growth_reference
        ],
    }


@login_required
@permission_required("children.view_children", raise_exception=True)
@require_http_methods(["GET", "POST"])
def child_detail(request, child_id: int):
    child = selectors.child_get(acting_user=request.user, child_id=child_id)
    may_record = request.user.scope.institution_id == child.institution_id
    if request.method == "POST" and may_record:
        try:
            examination_record(
                acting_user=request.user,
                child=child,
                kind=request.POST.get("kind", "periodic"),
                examined_on=_date_or_none(request.POST.get("examined_on")),
                weight_kg=request.POST.get("weight_kg") or None,
                height_cm=request.POST.get("height_cm") or None,
                haemoglobin_g_l=_int_or_none(request.POST.get("haemoglobin_g_l")),
                examined_by=request.POST.get("examined_by", ""),
                # P-HC-1: the examination form's scan, checked by content in the service
                form_scan=request.FILES.get("form_scan"),
            )
            messages.success(request, gettext("体检记录已保存"))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("children:child", child_id=child.pk)
    exams = list(child.examinations.order_by("examined_on", "pk"))
    today = timezone.localdate()
    last = max((e.examined_on for e in exams), default=None)
    return render(
        request,
        "children/child.html",
        {
            "child": child,
            "age_months": age_in_months(child.birth_date, today),
            "exams": exams,
            "chart": _chart(child, exams),
            "next_exam": selectors.exam_due_on(child, last, today),
            "may_record": may_record,
            "today": today,
            "certificates": selectors.certificates_of(acting_user=request.user, child=child),
        },
    )


def _date_or_none(value):
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        raise DomainError(CoreError.DATE_PARSING, field="examined_on") from None


def _int_or_none(value):
    try:
        return int(value) if value else None
    except ValueError:
        raise DomainError(CoreError.INT_PARSING, field="haemoglobin_g_l") from None


@login_required
@permission_required("children.view_rates", raise_exception=True)
def rates_page(request):
    from tuoyu.children import rates

    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, bounds.DATE_MIN.year), today.year)
    on = today if year == today.year else dt.date(year, 12, 31)
    township = None
    code = request.GET.get("township") or ""
    if code:
        township = rates.townships_visible(acting_user=request.user).filter(code=code).first()
    anyf, syst, definition = rates.health_management_rates(
        acting_user=request.user,
        year=year,
        township_id=township.pk if township else None,
        with_children=True,
    )
    return render(
        request,
        "children/rates.html",
        {
            "year": year,
            "on": on,
            "township": township,
            "any_followup": anyf,
            "systematic": syst,
            "definition": definition,
            "children": anyf.children[:500],
            "systematic_ids": {c.pk for c, ok in syst.children if ok},
            "enrolment": rates.enrolment_rates(acting_user=request.user, on=on),
        },
    )
