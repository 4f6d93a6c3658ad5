"""Pages of the filing workflow (thin: selectors read with scope, services write).

- the institution: `filings:mine` (where its filing stands, history, receipt), the draft
  editor `filings:edit` (basic facts, classes, staff, materials, submit);
- reviewers: `filings:queue` (pending reviews of their own subjects; 区卫健局 also the
  applications awaiting its decision), `filings:detail` with the review / decision forms,
  `filings:report` (how long each subject waited);
- anyone: `filings:verify` (the receipt's QR code, no login) and `filings:rejections` (the
  published notices of filings not accepted, P-FIL-2: name, date, reason category).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from tuoyu import policy
from tuoyu.core import bounds
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError, NotFound
from tuoyu.core.scope import scope_of
from tuoyu.filings import checks, receipt, selectors, services
from tuoyu.filings.models import FilingApplication, FilingMaterial, Subject, SubjectReview
from tuoyu.filings.scopes import may_see_materials
from tuoyu.institutions.models import CareClass
from tuoyu.institutions.models.institution import InstitutionForm, OperatingMode
from tuoyu.institutions.selectors.classes import institution_slots
from tuoyu.institutions.views.public import FILING_NUMBER
from tuoyu.regions import workdays
from tuoyu.web.tables import paginate

FILE_OWN = "filings.file_own"
# What a refused form shows again of a typed value: more than any basic fact may hold.
POSTED_ECHO_MAX = 500
REVIEW = "filings.review"


def _get_application(request, pk):
    try:
        return selectors.application_get(acting_user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


# --- the institution ------------------------------------------------------------------------


@login_required
@permission_required(FILE_OWN, raise_exception=True)
def mine(request):
    institution = selectors.own_institution(acting_user=request.user)
    current = selectors.open_application(institution)
    history = selectors.application_history(acting_user=request.user, institution=institution)
    return render(
        request,
        "filings/mine.html",
        {
            "institution": institution,
            "current": current,
            "statuses": selectors.subject_statuses(current) if current else [],
            "decider": selectors.decider_name(current) if current else "",
            "returned": selectors.returned_reasons(current) if current else [],
            "history": history,
            "slots": institution_slots(institution),
            "classes": institution.classes.exclude(status=CareClass.Status.CLOSED).order_by(
                "class_type", "name"
            ),
            # P-FIL-3: premises the registration authority pushed, not yet filed
            "pushed_premises": pushed_premises_view(checks.pushed_premises_pending(institution)),
            "verify_url": selectors.verify_url(institution.filing_number)
            if institution.filing_number
            else "",
            "today": policy.today(),
            "deadline_days": policy.at(policy.today()).filing.registration_to_filing_deadline_days,
            "days_since_registration": (
                policy.today() - policy.as_date(institution.registered_at)
            ).days,
        },
    )


@login_required
@permission_required(FILE_OWN, raise_exception=True)
@require_POST
def start(request):
    institution = selectors.own_institution(acting_user=request.user)
    kind = request.POST.get("kind", FilingApplication.Kind.INITIAL)
    try:
        application = services.filing_start(
            acting_user=request.user, institution=institution, kind=kind
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("filings:mine")
    return redirect("filings:edit", pk=application.pk)


@login_required
@permission_required(FILE_OWN, raise_exception=True)
def cancel_request(request):
    institution = selectors.own_institution(acting_user=request.user)
    errors = None
    if request.method == "POST":
        try:
            cancelled_on = dt.date.fromisoformat(request.POST.get("cancelled_on", ""))
        except ValueError:
            cancelled_on = None
        try:
            application = services.filing_cancellation_request(
                acting_user=request.user,
                institution=institution,
                reason=request.POST.get("reason", ""),
                cancelled_on=cancelled_on,
            )
        except DomainError as exc:
            errors = exc
        else:
            messages.success(
                request,
                gettext("注销申请已提交，等待%(unit)s决定。")
                % {"unit": selectors.decider_name(application)},
            )
            return redirect("filings:mine")
    return render(
        request,
        "filings/cancel.html",
        {
            "institution": institution,
            "errors": errors,
            "today": policy.today(),
            "reason_max": checks.CANCELLATION_REASON_MAX,
            "date_min": bounds.DATE_MIN,
            "date_max": bounds.DATE_MAX,
            # what was typed, shown again after an error (bounded like the fields)
            "cancelled_on": request.POST.get("cancelled_on", "")[:10]
            if request.method == "POST"
            else policy.today().isoformat(),
            "reason": request.POST.get("reason", "")[: checks.CANCELLATION_REASON_MAX]
            if request.method == "POST"
            else "",
        },
        status=422 if errors else 200,
    )


def class_rows(application) -> list[dict]:
    return [
        {**c, "type_label": CareClass.ClassType(c["class_type"]).label}
        for c in checks.open_classes(application)
    ]


def staff_rows(staff: dict) -> list[tuple]:
    return [
        (
            role,
            label,
            (staff.get(role) or {}).get("count", 0),
            (staff.get(role) or {}).get("certified", 0),
        )
        for role, label in checks.STAFF_ROLES
    ]


def pushed_premises_view(pushed: dict | None) -> dict | None:
    """The premises a registration push moved (P-FIL-3), in words: address, township name
    and the day it was pushed."""
    if not pushed:
        return None
    try:
        day = dt.datetime.fromisoformat(pushed.get("occurred_at") or "").date()
    except ValueError:
        day = None
    return {
        "address": pushed.get("address") or "",
        "township": selectors.fact_display("township", pushed.get("township"))
        if pushed.get("township")
        else "",
        "day": day,
    }


def standards_form_rows(standards: dict, field_errors: dict | None = None) -> list[dict]:
    """The standards section's fields for the edit form (P-STD-2 / P-STD-3), each with the
    error of its field (`standards.<name>`) if the last save or submission had one."""
    field_errors = field_errors or {}
    return [
        {
            "name": f.name,
            "label": f.label,
            "kind": f.kind,
            "value": standards.get(f.name),
            "choices": checks.STANDARD_CHOICES.get(f.name, ()),
            "low": f.low,
            "high": f.high,
            "error": field_errors.get(f"standards.{f.name}", ""),
        }
        for f in checks.STANDARD_FACTS
    ]


def standards_view(application, user) -> dict:
    """The standards section on the application's page, grouped per subject (P-STD-2/3):
    a subject reviewer sees what its subjects judge; 区卫健局, the institution and the
    others see every group. For a change, the facts it changes (before → after)."""
    subjects = services.reviewer_subjects(user)
    deciders = user.has_perm("filings.decide")
    standards = application.facts.get("standards") or {}
    shown = None if deciders or not subjects else sorted(subjects)
    changed = []
    if application.kind == FilingApplication.Kind.CHANGE:
        before = (application.facts_before or {}).get("standards") or {}
        by_name = {f.name: f for f in checks.STANDARD_FACTS}
        changed = [
            (
                by_name[n].label,
                checks.standard_display(by_name[n], before.get(n)),
                checks.standard_display(by_name[n], standards.get(n)),
            )
            for n in checks.standards_changed_names(before, standards)
        ]
    return {
        "groups": checks.standards_by_subject(
            standards, application.facts.get("staff") or {}, shown
        ),
        "changed": changed,
        "filled": bool(standards),
    }


def _edit_context(request, application, *, errors=None, section=None, posted=None):
    basic = dict(application.facts.get("basic") or {})
    if section == "basic" and posted is not None:
        basic.update(posted)
    standards = dict(application.facts.get("standards") or {})
    if section == "standards" and posted is not None:
        standards.update(posted)
    township = basic.get("township") or ""
    return {
        "application": application,
        "institution": application.institution,
        "basic": basic,
        "staff_rows": staff_rows(application.facts.get("staff") or {}),
        "standards_rows": standards_form_rows(
            standards, {e.field: e.message for e in errors.errors} if errors else {}
        ),
        "health_workers": int(
            ((application.facts.get("staff") or {}).get("health_worker") or {}).get("count", 0)
        ),
        "pushed_premises": pushed_premises_view(application.facts.get("pushed_premises")),
        "classes": class_rows(application),
        "class_types": CareClass.ClassType.choices,
        "class_standards": policy.at(policy.today()).classes.items(),
        "materials": selectors.materials_of(application),
        "material_kinds": FilingMaterial.Kind.choices,
        "required_materials": checks.required_materials(
            application, basic, checks.institution_basic_facts(application.institution)
        ),
        "max_mb": checks.material_max_bytes() // (1024 * 1024),
        "modes": OperatingMode.choices,
        "forms": InstitutionForm.choices,
        "townships": selectors.district_townships(),
        "villages": selectors.township_villages(township),
        "warnings": checks.filing_warnings(application, on=policy.today()),
        "returned": selectors.returned_reasons(application),
        "errors": errors,
        "error_section": section,
        "field_errors": {e.field: e.message for e in errors.errors} if errors else {},
        "text_limits": {f.name: f.max_length for f in checks.BASIC_FACTS if f.max_length},
        "class_name_max": CareClass._meta.get_field("name").max_length,
        "max_staff": checks.MAX_STAFF_PER_ROLE,
        "max_class_capacity": max(
            s.max_children for _, s in policy.at(policy.today()).classes.items()
        ),
    }


def _editable(request, pk):
    application = _get_application(request, pk)
    if request.user.institution_id != application.institution_id:
        raise Http404()
    return application


@login_required
@permission_required(FILE_OWN, raise_exception=True)
def edit(request, pk):
    application = _editable(request, pk)
    if application.status not in (
        FilingApplication.Status.DRAFT,
        FilingApplication.Status.RETURNED,
    ):
        return redirect("filings:detail", pk=pk)
    return render(request, "filings/edit.html", _edit_context(request, application))


def _section_post(request, pk, section, action):
    application = _editable(request, pk)
    try:
        action(application)
    except DomainError as exc:
        # shown again in the form: bounded (a refused 100,000-character value is not echoed)
        if section == "standards":
            posted = _standards_posted(request)
        else:
            posted = {n: request.POST.get(n, "")[:POSTED_ECHO_MAX] for n in checks.BASIC_FACT_NAMES}
            posted["serves_meals"] = request.POST.get("serves_meals") == "on"
        return render(
            request,
            "filings/edit.html",
            _edit_context(request, application, errors=exc, section=section, posted=posted),
            status=exc.status,
        )
    messages.success(request, gettext("已保存。"))
    return redirect(reverse("filings:edit", kwargs={"pk": pk}) + f"#{section}")


@login_required
@permission_required(FILE_OWN, raise_exception=True)
@require_POST
def save_basic(request, pk):
    data = {n: request.POST.get(n, "") for n in checks.BASIC_FACT_NAMES}
    return _section_post(
        request,
        pk,
        "basic",
        lambda app: services.filing_update_basic(
            acting_user=request.user, application=app, data=data
        ),
    )


@login_required
@permission_required(FILE_OWN, raise_exception=True)
@require_POST
def save_staff(request, pk):
    staff = {
        role: {
            "count": request.POST.get(f"staff-{role}-count", "0"),
            "certified": request.POST.get(f"staff-{role}-certified", "0"),
        }
        for role in checks.STAFF_ROLE_NAMES
    }
    return _section_post(
        request,
        pk,
        "staff",
        lambda app: services.filing_update_staff(
            acting_user=request.user, application=app, staff=staff
        ),
    )


def _standards_posted(request) -> dict:
    """The standards form's values (`std-<name>`), bounded like the basic facts' echo."""
    out = {}
    for f in checks.STANDARD_FACTS:
        if f.kind == "bool":
            out[f.name] = request.POST.get(f"std-{f.name}") == "on"
        else:
            out[f.name] = request.POST.get(f"std-{f.name}", "")[:POSTED_ECHO_MAX]
    return out


@login_required
@permission_required(FILE_OWN, raise_exception=True)
@require_POST
def save_standards(request, pk):
    """The standards section (P-STD-2 / P-STD-3)."""
    standards = _standards_posted(request)
    return _section_post(
        request,
        pk,
        "standards",
        lambda app: services.filing_update_standards(
            acting_user=request.user, application=app, standards=standards
        ),
    )


@login_required
@permission_required(FILE_OWN, raise_exception=True)
@require_POST
def class_add(request, pk):
    return _section_post(
        request,
        pk,
        "classes",
        lambda app: services.filing_class_add(
            acting_user=request.user,
            application=app,
            name=request.POST.get("name", ""),
            class_type=request.POST.get("class_type", ""),
            capacity=request.POST.get("capacity", ""),
        ),
    )


@login_required
@permission_required(FILE_OWN, raise_exception=True)
@require_POST
def class_remove(request, pk, class_id):
    return _section_post(
        request,
        pk,
        "classes",
        lambda app: services.filing_class_remove(
            acting_user=request.user, application=app, class_id=class_id
        ),
    )


@login_required
@permission_required(FILE_OWN, raise_exception=True)
@require_POST
def class_keep(request, pk, class_id):
    return _section_post(
        request,
        pk,
        "classes",
        lambda app: services.filing_class_keep(
            acting_user=request.user, application=app, class_id=class_id
        ),
    )


@login_required
@permission_required(FILE_OWN, raise_exception=True)
@require_POST
def material_upload(request, pk):
    upload = request.FILES.get("file")

    def action(app):
        if upload is None:
            raise DomainError(CoreError.FILE_MISSING, gettext("请选择要上传的文件"), field="file")
        services.filing_material_upload(
            acting_user=request.user,
            application=app,
            kind=request.POST.get("kind", ""),
            file=upload,
        )

    return _section_post(request, pk, "materials", action)


@login_required
@permission_required(FILE_OWN, raise_exception=True)
@require_POST
def submit(request, pk):
    application = _editable(request, pk)
    try:
        services.filing_submit(
            acting_user=request.user,
            application=application,
            commitment_accepted=request.POST.get("commitment_accepted") == "on",
        )
    except DomainError as exc:
        return render(
            request,
            "filings/edit.html",
            _edit_context(request, application, errors=exc, section="submit"),
            status=exc.status,
        )
    application.refresh_from_db()
    if application.path == FilingApplication.Path.CHAIN_SIMPLIFIED:
        # P-REG-13: reviewed on the four subjects, then filed without a separate decision
        messages.success(
            request,
            gettext(
                "备案申请已提交：连锁经营协议范围内的分支机构，各事项审核通过后即予备案，不再单独报批。"
            ),
        )
    else:
        messages.success(request, gettext("备案申请已提交。"))
    return redirect("filings:mine")


@login_required
@permission_required(FILE_OWN, raise_exception=True)
@require_POST
def withdraw(request, pk):
    application = _editable(request, pk)
    try:
        services.filing_withdraw(
            acting_user=request.user, application=application, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("申请已撤回。"))
    return redirect("filings:mine")


# --- everyone with access: the application ------------------------------------------------


@login_required
def detail(request, pk):
    application = _get_application(request, pk)
    user = request.user
    subjects = services.reviewer_subjects(user)
    my_reviews = [
        r
        for r in SubjectReview.objects.filter(
            application=application, status=SubjectReview.Status.PENDING, subject__in=subjects
        )
        if application.status
        in (FilingApplication.Status.IN_REVIEW, FilingApplication.Status.RETURNED)
    ]
    can_see_materials = may_see_materials(scope_of(user))
    return render(
        request,
        "filings/detail.html",
        {
            "application": application,
            "institution": application.institution,
            "fact_rows": selectors.fact_rows(application),
            "staff_rows": staff_rows(application.facts.get("staff") or {}),
            "standards": standards_view(application, user),
            "pushed_premises": pushed_premises_view(application.facts.get("pushed_premises")),
            "classes": class_rows(application),
            "materials": selectors.materials_of(application) if can_see_materials else [],
            "can_see_materials": can_see_materials,
            "statuses": selectors.subject_statuses(application),
            "reviews": selectors.reviews_of(application),
            "changes": selectors.fact_changes(application),
            "warnings": checks.filing_warnings(application, on=policy.today())
            if application.kind != FilingApplication.Kind.CANCELLATION
            else [],
            "my_reviews": my_reviews,
            # object-aware (P-REG-10): 区教体局 decides 托幼一体化, 区卫健局 every other
            "can_decide": user.has_perm("filings.decide", application)
            and application.status == FilingApplication.Status.AWAITING_DECISION,
            "decider": selectors.decider_name(application),
            # P-FIL-2: the deadline in working days (or "期限待定" for a missing year)
            "deadline": selectors.with_deadlines([application])[0].deadline,
            "rejection_categories": FilingApplication.RejectionCategory.choices,
            "is_owner": user.institution_id == application.institution_id,
            "cancellation": application.facts.get("cancellation"),
            "limits": {
                "reason": checks.RETURN_REASON_MAX,
                "reasons": checks.RETURN_REASONS_MAX,
                # the textarea holds every reason, one a line
                "reasons_chars": checks.RETURN_REASONS_MAX * (checks.RETURN_REASON_MAX + 1),
                "comment": checks.REVIEW_COMMENT_MAX,
                "note": checks.DECISION_NOTE_MAX,
            },
        },
    )


@login_required
def material_download(request, pk):
    try:
        material = selectors.material_get(acting_user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    services.filing_material_download_record(acting_user=request.user, material=material)
    return FileResponse(
        material.file.open("rb"),
        as_attachment=True,
        filename=material.original_name,
        content_type=material.content_type,
    )


@login_required
@permission_required(REVIEW, raise_exception=True)
@require_POST
def review(request, pk):
    try:
        subject_review = selectors.review_get_for_action(acting_user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    approve = request.POST.get("decision") == "approve"
    reasons = [line for line in request.POST.get("reasons", "").splitlines() if line.strip()]
    try:
        services.subject_review_decide(
            acting_user=request.user,
            review=subject_review,
            approve=approve,
            reasons=reasons,
            comment=request.POST.get("comment", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("filings:detail", pk=subject_review.application_id)
    messages.success(request, gettext("已审核通过。") if approve else gettext("已退回机构。"))
    return redirect("filings:queue")


@login_required
@permission_required("filings.decide", raise_exception=True)
@require_POST
def decide(request, pk):
    application = _get_application(request, pk)
    approve = request.POST.get("decision") == "approve"
    try:
        services.filing_decide(
            acting_user=request.user,
            application=application,
            approve=approve,
            note=request.POST.get("note", ""),
            rejection_category=request.POST.get("rejection_category", "")[:40],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("filings:detail", pk=pk)
    messages.success(request, gettext("已作出备案决定。"))
    return redirect("filings:detail", pk=pk)


@login_required
@permission_required(REVIEW, raise_exception=True)
def queue(request):
    status = request.GET.get("status") or ""
    if status not in FilingApplication.Status.values:
        status = ""
    # P-FIL-2: waits in working days and deadlines on the official calendar, loaded once
    calendar, today = workdays.calendar(), policy.today()
    reviews = selectors.review_queue_rows(acting_user=request.user, calendar=calendar, today=today)
    decisions = selectors.decision_queue_rows(
        acting_user=request.user, calendar=calendar, today=today
    )
    page = paginate(
        request, selectors.applications_list(acting_user=request.user, status=status or None)
    )
    page.object_list = selectors.with_deadlines(page.object_list, calendar=calendar, today=today)
    return render(
        request,
        "filings/queue.html",
        {
            "reviews": reviews,
            "decisions": decisions,
            "page": page,
            "status": status,
            "statuses": FilingApplication.Status.choices,
            "subjects": [
                Subject(s).label
                for s in Subject.values
                if s in services.reviewer_subjects(request.user)
            ],
        },
    )


@login_required
@permission_required(REVIEW, raise_exception=True)
def report(request):
    return render(
        request,
        "filings/report.html",
        {"rows": selectors.waiting_report(acting_user=request.user)},
    )


@login_required
def receipt_download(request, institution_id):
    try:
        institution = selectors.receipt_institution(
            acting_user=request.user, institution_id=institution_id
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc
    pdf = receipt.receipt_pdf(institution)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="receipt-{institution.filing_number}.pdf"'
    )
    return response


@login_required
@require_GET
def villages(request):
    """<option>s of the community select for the chosen township (htmx)."""
    return render(
        request,
        "filings/_village_options.html",
        {"villages": selectors.township_villages(request.GET.get("township")), "selected": ""},
    )


# --- public: receipt verification (no login, no personal data) ------------------------------


@require_GET
def verify_form(request):
    """The verification form: on to the number's page. [hardening] point 8: a number that
    cannot be a filing number (a slash, too long …) is a 400 with a message, never an
    attempt to build its URL (`a/b` was a NoReverseMatch, a 500)."""
    number = (request.GET.get("number") or "").strip()
    if number and not FILING_NUMBER.match(number):
        return render(
            request,
            "filings/verify.html",
            {**_verify_context(None, number[: bounds.FILING_NUMBER_MAX_LENGTH]), "error": True},
            status=400,
        )
    if number:
        return redirect("filings:verify", number=number)
    return render(request, "filings/verify.html", _verify_context(None, ""))


def _verify_context(result, number: str) -> dict:
    return {"result": result, "number": number, "max_length": bounds.FILING_NUMBER_MAX_LENGTH}


@require_GET
def verify(request, number):
    result = selectors.filing_verify(number)
    shown = number if len(number) <= bounds.FILING_NUMBER_MAX_LENGTH else ""
    return render(
        request,
        "filings/verify.html",
        _verify_context(result, shown),
        status=200 if result else 404,
    )


# --- public: filings not accepted (不予备案公示, P-FIL-2; no login, no personal data) -----------


@require_GET
def rejections(request):
    """The published notices of filings not accepted: institution name, decision date and
    reason category only, newest first, paginated."""
    page = paginate(request, selectors.public_rejections(), per_page=20)
    page.object_list = list(page.object_list)
    for row in page.object_list:
        row["category_label"] = FilingApplication.RejectionCategory(row["rejection_category"]).label
        row["kind_label"] = FilingApplication.Kind(row["kind"]).label
    return render(request, "filings/rejections.html", {"page": page})


urlpatterns = [
    path("mine/", mine, name="mine"),
    path("mine/start/", start, name="start"),
    path("mine/cancel/", cancel_request, name="cancel_request"),
    path("applications/<int:pk>/", detail, name="detail"),
    path("applications/<int:pk>/edit/", edit, name="edit"),
    path("applications/<int:pk>/basic/", save_basic, name="save_basic"),
    path("applications/<int:pk>/staff/", save_staff, name="save_staff"),
    path("applications/<int:pk>/standards/", save_standards, name="save_standards"),
    path("applications/<int:pk>/classes/", class_add, name="class_add"),
    path(
        "applications/<int:pk>/classes/<int:class_id>/remove/",
        class_remove,
        name="class_remove",
    ),
    path("applications/<int:pk>/classes/<int:class_id>/keep/", class_keep, name="class_keep"),
    path("applications/<int:pk>/materials/", material_upload, name="material_upload"),
    path("applications/<int:pk>/submit/", submit, name="submit"),
    path("applications/<int:pk>/withdraw/", withdraw, name="withdraw"),
    path("applications/<int:pk>/decide/", decide, name="decide"),
    path("materials/<int:pk>/", material_download, name="material_download"),
    path("reviews/<int:pk>/", review, name="review"),
    path("queue/", queue, name="queue"),
    path("report/", report, name="report"),
    path("receipt/<int:institution_id>/", receipt_download, name="receipt"),
    path("villages/", villages, name="villages"),
    path("verify/", verify_form, name="verify_form"),
    path("verify/<str:number>/", verify, name="verify"),
    path("public/rejections/", rejections, name="rejections"),
]
