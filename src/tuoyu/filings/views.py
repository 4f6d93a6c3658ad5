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

import dataclasses
import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from tuoyu import policy
from tuoyu.core import bounds
from tuoyu.core.errors import DomainError, NotFound
from tuoyu.core.scope import scope_of
from tuoyu.filings import checks, receipt, selectors, services, staff_source
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


# --- decisions are confirmed ([accounts-ux] point 6) -----------------------------------------
# A decision form posts here without `confirmed`: the page then states what will happen and
# offers a final button carrying the same values plus `confirmed=1`; only that runs the
# service. Server-side (no script; CSP forbids inline JS), so it works and is tested without
# a browser.


def _confirmed(request) -> bool:
    return request.POST.get("confirmed") == "1"


class _WouldSucceed(Exception):
    """Raised inside the dry run's savepoint to roll back a write that succeeded."""


def _refusal(action) -> DomainError | None:
    """What the service would refuse, before the confirmation is asked: `action` runs in a
    savepoint that is always rolled back (its writes, audit events and on-commit receivers
    are discarded), so a confirmation is only offered for a decision that can be made and
    a refusal shows at once with the service's own message."""
    try:
        with transaction.atomic():
            action()
            raise _WouldSucceed
    except DomainError as exc:
        return exc
    except _WouldSucceed:
        return None


def _confirmation(
    request,
    *,
    title,
    subject,
    consequences,
    fields,
    button,
    back,
    shown=(),
    button_class="btn-primary",
):
    """The confirmation page: `consequences` (sentences: what will happen), `shown` (label,
    value) of what was entered, `fields` (name, value) re-posted with `confirmed=1`."""
    return render(
        request,
        "web/confirm.html",
        {
            "confirm": {
                "title": title,
                "subject": subject,
                "consequences": consequences,
                "shown": shown,
                "fields": fields,
                "button": button,
                "button_class": button_class,
                "action": request.path,
                "back": back,
            }
        },
    )


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
        reason = request.POST.get("reason", "")

        def action():
            return services.filing_cancellation_request(
                acting_user=request.user,
                institution=institution,
                reason=reason,
                cancelled_on=cancelled_on,
            )

        # [accounts-ux] 6: what will happen is confirmed before the request is made
        errors = None if _confirmed(request) else _refusal(action)
        if errors is None and not _confirmed(request):
            return _cancel_confirmation(request, institution, cancelled_on, reason)
        if errors is None:
            try:
                application = action()
            except DomainError as exc:
                errors = exc
        if errors is None:
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


def _cancel_confirmation(request, institution, cancelled_on, reason):
    return _confirmation(
        request,
        title=gettext("确认提交注销申请"),
        subject=gettext("%(name)s（备案编号 %(number)s）")
        % {"name": institution.name, "number": institution.filing_number},
        consequences=[
            gettext("注销申请提交后送%(unit)s决定，办理期间不能再提交其他备案申请。")
            % {"unit": selectors.institution_decider_name(institution)},
            gettext(
                "准予注销后，机构备案状态变为已注销，班级全部撤销，普惠性认定同时终止；"
                "备案回执核验显示“已注销”。"
            ),
        ],
        shown=[
            (gettext("拟注销日期"), cancelled_on.isoformat()),
            (gettext("注销原因"), reason.strip()),
        ],
        fields=[("cancelled_on", cancelled_on.isoformat()), ("reason", reason)],
        button=gettext("确认提交注销申请"),
        button_class="btn-danger",
        back=reverse("filings:cancel_request"),
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


# --- the draft editor: one form, posted to its own address ([accounts-ux] #9 point 3) ---------
#
# Every section of the application (basic facts, classes, staff, standards, materials, the
# commitment) is one <form> posted to `filings:edit` itself: whichever button is pressed, each
# section the form carries is saved as a draft (each validated on its own; a refused one is
# shown again with what was typed and its errors, the others are saved), then the button's
# own action (add / remove a class, upload / remove materials, submit). After an error the
# page is rendered at its own address, so reloading or reopening it never answers 405.

EDIT_ANCHORS = ("basic", "classes", "staff", "standards", "materials", "submit")
# what a refused staff count shows again (digits; more is refused anyway)
STAFF_ECHO_MAX = 12


def _basic_posted(request) -> dict | None:
    """The basic-facts fields of the form, or None when the POST does not carry them."""
    if not any(n in request.POST for n in checks.BASIC_FACT_NAMES if n != "serves_meals"):
        return None
    data = {n: request.POST.get(n, "") for n in checks.BASIC_FACT_NAMES}
    data["serves_meals"] = request.POST.get("serves_meals") == "on"
    return data


def _staff_posted(request) -> dict | None:
    if not any(k.startswith("staff-") for k in request.POST):
        return None
    return {
        role: {
            "count": request.POST.get(f"staff-{role}-count", "0"),
            "certified": request.POST.get(f"staff-{role}-certified", "0"),
        }
        for role in checks.STAFF_ROLE_NAMES
    }


def _standards_posted(request) -> dict | None:
    """The standards form's values (`std-<name>`), or None when the POST has none."""
    if not any(k.startswith("std-") for k in request.POST):
        return None
    out = {}
    for f in checks.STANDARD_FACTS:
        if f.kind == "bool":
            out[f.name] = request.POST.get(f"std-{f.name}") == "on"
        else:
            out[f.name] = request.POST.get(f"std-{f.name}", "")
    return out


def _echo(data: dict | None, limit: int = POSTED_ECHO_MAX) -> dict | None:
    """What a refused form shows again: bounded (a 100,000-character value is not echoed)."""
    if data is None:
        return None
    return {
        k: (v[:limit] if isinstance(v, str) else _echo(v, limit) if isinstance(v, dict) else v)
        for k, v in data.items()
    }


def _edit_context(request, application, *, errors=None, posted=None):
    posted = posted or {}
    basic = dict(application.facts.get("basic") or {})
    basic.update(posted.get("basic") or {})
    standards = dict(application.facts.get("standards") or {})
    standards.update(posted.get("standards") or {})
    # P-STD-2 / P-WF-1: with a roster the section shows (read-only) what the submission files;
    # the warnings below judge the same counts (in memory only, never saved here)
    roster = staff_source.roster_staff(application.institution_id, policy.today())
    if roster is not None:
        application.facts = {**application.facts, "staff": roster}
    staff = roster or posted.get("staff") or application.facts.get("staff") or {}
    field_errors = {e.field: e.message for e in errors.errors if e.field} if errors else {}
    township = basic.get("township") or ""
    kind = posted.get("kind") or request.GET.get("kind") or ""
    return {
        "application": application,
        "institution": application.institution,
        "basic": basic,
        "staff_rows": [
            (
                *row,
                field_errors.get(f"staff.{row[0]}.count", ""),
                field_errors.get(f"staff.{row[0]}.certified", ""),
            )
            for row in staff_rows(staff)
        ],
        "staff_from_roster": roster is not None,
        "standards_rows": standards_form_rows(standards, field_errors),
        "health_workers": _int_or_zero(
            ((application.facts.get("staff") or {}).get("health_worker") or {}).get("count", 0)
        ),
        "pushed_premises": pushed_premises_view(application.facts.get("pushed_premises")),
        "classes": class_rows(application),
        "class_types": CareClass.ClassType.choices,
        "class_standards": policy.at(policy.today()).classes.items(),
        "class_posted": posted.get("class") or {},
        "class_errors": {k[6:]: v for k, v in field_errors.items() if k.startswith("class.")},
        "materials": selectors.materials_of(application),
        "material_kinds": FilingMaterial.Kind.choices,
        # [accounts-ux] #9 point 4: the type chosen stays chosen after an upload or an error
        "material_kind": kind if kind in FilingMaterial.Kind.values else "",
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
        "field_errors": field_errors,
        "commitment_accepted": posted.get("commitment_accepted", False),
        "text_limits": {f.name: f.max_length for f in checks.BASIC_FACTS if f.max_length},
        "class_name_max": CareClass._meta.get_field("name").max_length,
        "max_staff": checks.MAX_STAFF_PER_ROLE,
        "max_class_capacity": max(
            s.max_children for _, s in policy.at(policy.today()).classes.items()
        ),
    }


def _int_or_zero(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _editable(request, pk):
    application = _get_application(request, pk)
    if request.user.institution_id != application.institution_id:
        raise Http404()
    return application


@login_required
@permission_required(FILE_OWN, raise_exception=True)
def edit(request, pk):
    application = _editable(request, pk)
    if request.method == "POST":
        return _edit_post(request, application)
    if application.status not in (
        FilingApplication.Status.DRAFT,
        FilingApplication.Status.RETURNED,
    ):
        return redirect("filings:detail", pk=pk)
    return render(request, "filings/edit.html", _edit_context(request, application))


def _prefixed(exc: DomainError, prefix: str) -> list:
    """The errors of a sub-form whose field names other sections also use (`name`)."""
    return [
        dataclasses.replace(e, field=f"{prefix}.{e.field}") if e.field else e for e in exc.errors
    ]


def _edit_post(request, application):
    """One POST of the editor (see above). `action` is the button: `save:<section>`,
    `class_add`, `class_remove:<id>`, `class_keep:<id>`, `upload`, `material_remove:<id>`,
    `submit`."""
    user = request.user
    verb, _, arg = (request.POST.get("action") or "save")[:60].partition(":")
    failed: list[DomainError] = []

    def attempt(action, prefix=None) -> bool:
        try:
            action()
        except DomainError as exc:
            failed.append(DomainError(errors=_prefixed(exc, prefix)) if prefix else exc)
            failed[-1].status = exc.status
            return False
        return True

    # 1. the sections as drafts, each on its own; unchanged ones are not saved again
    basic, staff, standards = (
        _basic_posted(request),
        _staff_posted(request),
        _standards_posted(request),
    )
    sections = [
        (
            "basic",
            basic,
            lambda d: checks.clean_basic(d, institution=application.institution),
            lambda d: services.filing_update_basic(
                acting_user=user, application=application, data=d
            ),
        ),
        (
            "staff",
            staff,
            checks.clean_staff,
            lambda d: services.filing_update_staff(
                acting_user=user, application=application, staff=d
            ),
        ),
        (
            "standards",
            standards,
            checks.clean_standards,
            lambda d: services.filing_update_standards(
                acting_user=user, application=application, standards=d
            ),
        ),
    ]
    # P-WF-1: typed counts of an institution keeping a roster go to the service, which
    # refuses them (staff_from_roster), even when they equal the draft's
    from_roster = staff is not None and (
        staff_source.roster_staff(application.institution_id, policy.today()) is not None
    )
    for name, data, clean, save in sections:
        if data is None:
            continue

        def save_section(name=name, data=data, clean=clean, save=save):
            if (name == "staff" and from_roster) or clean(data) != application.facts.get(name):
                save(data)
                application.refresh_from_db()

        attempt(save_section)

    # 2. a class typed in (or the button pressed) is added; removed / kept by its button
    class_posted = {
        "name": request.POST.get("class-name", ""),
        "class_type": request.POST.get("class-class_type", ""),
        "capacity": request.POST.get("class-capacity", ""),
    }
    if verb == "class_add" or class_posted["name"].strip() or class_posted["capacity"].strip():
        added = attempt(
            lambda: services.filing_class_add(
                acting_user=user, application=application, **class_posted
            ),
            prefix="class",
        )
        if added:
            class_posted = {}
    else:
        class_posted = {}
    if verb in ("class_remove", "class_keep") and arg.isdigit():
        act = services.filing_class_remove if verb == "class_remove" else services.filing_class_keep
        attempt(lambda: act(acting_user=user, application=application, class_id=int(arg)))

    # 3. materials: the files chosen (several at once, all or none), or one taken off
    kind = request.POST.get("kind", "")[:40]
    files = request.FILES.getlist("file")
    if verb == "upload" or files:
        attempt(
            lambda: services.filing_materials_upload(
                acting_user=user, application=application, kind=kind, files=files
            )
        )
    if verb == "material_remove" and arg.isdigit():
        attempt(
            lambda: services.filing_material_remove(
                acting_user=user, application=application, material_id=int(arg)
            )
        )

    # 4. the submission, only of what the page shows (no section refused)
    commitment = request.POST.get("commitment_accepted") == "on"
    if (
        verb == "submit"
        and not failed
        and attempt(
            lambda: services.filing_submit(
                acting_user=user, application=application, commitment_accepted=commitment
            )
        )
    ):
        return _submitted(request, application)

    application.refresh_from_db()
    if failed:
        errors = DomainError(
            errors=[e for exc in failed for e in exc.errors],
            status=failed[0].status,
            title=failed[0].title,
        )
        posted = {
            "basic": _echo(basic),
            "staff": _echo(staff, STAFF_ECHO_MAX),
            "standards": _echo(standards),
            "class": _echo(class_posted),
            "kind": kind,
            "commitment_accepted": commitment,
        }
        return render(
            request,
            "filings/edit.html",
            _edit_context(request, application, errors=errors, posted=posted),
            status=errors.status,
        )
    messages.success(request, gettext("已保存。"))
    anchor = {
        "class_add": "classes",
        "class_remove": "classes",
        "class_keep": "classes",
        "upload": "materials",
        "material_remove": "materials",
    }.get(verb, arg if arg in EDIT_ANCHORS else "basic")
    url = reverse("filings:edit", kwargs={"pk": application.pk})
    if anchor == "materials" and kind in FilingMaterial.Kind.values:
        url += "?" + urlencode({"kind": kind})
    return redirect(f"{url}#{anchor}")


def _submitted(request, application):
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
    """The institution withdraws its open application — after a confirmation."""
    application = _editable(request, pk)
    reason = request.POST.get("reason", "")

    def action():
        services.filing_withdraw(acting_user=request.user, application=application, reason=reason)

    error = None if _confirmed(request) else _refusal(action)
    if error is None and not _confirmed(request):
        consequences = [gettext("撤回后，本申请办结，尚未完成的各事项审核全部终止，不能恢复。")]
        if application.kind == FilingApplication.Kind.INITIAL:
            consequences.append(gettext("机构回到“已登记未备案”，如需备案须重新开始填报。"))
        return _confirmation(
            request,
            title=gettext("确认撤回申请"),
            subject=gettext("%(institution)s：%(kind)s #%(pk)s")
            % {
                "institution": application.institution.name,
                "kind": application.get_kind_display(),
                "pk": application.pk,
            },
            consequences=consequences,
            shown=[(gettext("撤回原因"), reason.strip())] if reason.strip() else [],
            fields=[("reason", reason)],
            button=gettext("确认撤回申请"),
            button_class="btn-danger",
            back=reverse("filings:mine"),
        )
    if error is None:
        try:
            action()
        except DomainError as exc:
            error = exc
    if error is not None:
        messages.error(request, error.message)
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
            # [accounts-ux] 6: the receipt of an approved filing, for the decider too
            "receipt": selectors.receipt_links(application.institution)
            if application.status == FilingApplication.Status.APPROVED
            else None,
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
@require_GET
def material_preview(request, pk):
    """A material shown in the browser ([accounts-ux] #9 point 4): the same access rule as
    the download (out of scope: 404), served inline with its stored content type (sniffed
    at upload: PDF, JPEG or PNG only) and audited as viewed."""
    try:
        material = selectors.material_get(acting_user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    services.filing_material_download_record(
        acting_user=request.user, material=material, inline=True
    )
    response = FileResponse(
        material.file.open("rb"),
        as_attachment=False,
        filename=material.original_name,
        content_type=material.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@permission_required(REVIEW, raise_exception=True)
@require_POST
def review(request, pk):
    """Approve or return one subject's review — after a confirmation ([accounts-ux] 6)."""
    try:
        subject_review = selectors.review_get_for_action(acting_user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    approve = request.POST.get("decision") == "approve"
    # one textarea (a reason a line) or, re-posted by the confirmation, one field a reason
    reasons = [
        line for line in "\n".join(request.POST.getlist("reasons")).splitlines() if line.strip()
    ]
    comment = request.POST.get("comment", "")

    def action():
        services.subject_review_decide(
            acting_user=request.user,
            review=subject_review,
            approve=approve,
            reasons=reasons,
            comment=comment,
        )

    error = None if _confirmed(request) else _refusal(action)
    if error is None and not _confirmed(request):
        return _review_confirmation(request, subject_review, approve, reasons, comment)
    if error is None:
        try:
            action()
        except DomainError as exc:
            error = exc
    if error is not None:
        messages.error(request, error.message)
        return redirect("filings:detail", pk=subject_review.application_id)
    messages.success(request, gettext("已审核通过。") if approve else gettext("已退回机构。"))
    return redirect("filings:queue")


def _review_confirmation(request, subject_review, approve, reasons, comment):
    application = subject_review.application
    subject = subject_review.get_subject_display()
    heading = gettext("%(institution)s：%(subject)s（第 %(n)s 轮）") % {
        "institution": subject_review.institution.name,
        "subject": subject,
        "n": subject_review.round,
    }
    if approve:
        then = (
            gettext("所有事项均通过后，依连锁经营协议直接备案，不再单独报批。")
            if application.path == FilingApplication.Path.CHAIN_SIMPLIFIED
            else gettext("所有事项均通过后，申请送%(unit)s决定。")
            % {"unit": selectors.decider_name(application)}
        )
        consequences = [
            gettext("审核通过后，“%(subject)s”事项记为通过，不能再更改。") % {"subject": subject},
            then,
        ]
        title = button = gettext("确认审核通过")
        button_class = "btn-success"
    else:
        consequences = [
            gettext("退回后，申请回到%(institution)s修改，机构可以看到退回理由。")
            % {"institution": subject_review.institution.name},
            gettext("机构修改并重新提交后，只重新审核被退回的事项。"),
        ]
        title = button = gettext("确认退回")
        button_class = "btn-danger"
    return _confirmation(
        request,
        title=title,
        subject=heading,
        consequences=consequences,
        shown=[
            *([(gettext("退回理由"), "\n".join(reasons))] if not approve else []),
            (gettext("审核意见"), comment.strip()),
        ],
        fields=[
            ("decision", "approve" if approve else "return"),
            *(("reasons", r) for r in reasons),
            ("comment", comment),
        ],
        button=button,
        button_class=button_class,
        back=reverse("filings:detail", kwargs={"pk": application.pk}),
    )


@login_required
@permission_required("filings.decide", raise_exception=True)
@require_POST
def decide(request, pk):
    """准予 / 不予备案 (or 注销) — after a confirmation ([accounts-ux] 6)."""
    application = _get_application(request, pk)
    approve = request.POST.get("decision") == "approve"
    note = request.POST.get("note", "")
    category = request.POST.get("rejection_category", "")[:40]

    def action():
        services.filing_decide(
            acting_user=request.user,
            application=application,
            approve=approve,
            note=note,
            rejection_category=category,
        )

    error = None if _confirmed(request) else _refusal(action)
    if error is None and not _confirmed(request):
        return _decide_confirmation(request, application, approve, note, category)
    if error is None:
        try:
            action()
        except DomainError as exc:
            error = exc
    if error is not None:
        messages.error(request, error.message)
        return redirect("filings:detail", pk=pk)
    messages.success(request, gettext("已作出备案决定。"))
    return redirect("filings:detail", pk=pk)


def _decide_confirmation(request, application, approve, note, category):
    kind = application.kind
    cancellation = kind == FilingApplication.Kind.CANCELLATION
    if approve and cancellation:
        title = gettext("确认准予注销")
        consequences = [
            gettext(
                "准予注销后，机构备案状态变为已注销，班级全部撤销，普惠性认定同时终止；"
                "备案回执核验显示“已注销”。"
            )
        ]
    elif approve and kind == FilingApplication.Kind.CHANGE:
        title = gettext("确认准予备案")
        consequences = [gettext("准予备案后，变更内容即时生效，备案回执按变更后的信息生成。")]
    elif approve:
        title = gettext("确认准予备案")
        consequences = [
            gettext("准予备案后将发放备案编号并生成备案回执，机构状态变为已备案。"),
        ]
    elif cancellation:
        title = gettext("确认不予注销")
        consequences = [gettext("不予注销后，本注销申请办结，机构备案继续有效。")]
    else:
        title = gettext("确认不予备案")
        consequences = [
            gettext(
                "不予备案后，本申请办结；机构名称、决定日期和原因类别将在不予备案公示中公开"
                "（决定意见不公开）。"
            )
        ]
    consequences.append(gettext("决定作出后不能撤回。"))
    shown = [(gettext("决定意见"), note.strip())]
    if not approve and category in FilingApplication.RejectionCategory.values:
        shown.append(
            (gettext("不予备案原因类别"), FilingApplication.RejectionCategory(category).label)
        )
    return _confirmation(
        request,
        title=title,
        subject=gettext("%(institution)s：%(kind)s #%(pk)s")
        % {
            "institution": application.institution.name,
            "kind": application.get_kind_display(),
            "pk": application.pk,
        },
        consequences=consequences,
        shown=shown,
        fields=[
            ("decision", "approve" if approve else "reject"),
            ("note", note),
            ("rejection_category", category),
        ],
        button=title,
        button_class="btn-success" if approve else "btn-danger",
        back=reverse("filings:detail", kwargs={"pk": application.pk}),
    )


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
    services.filing_receipt_download_record(acting_user=request.user, institution=institution)
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
    path("applications/<int:pk>/withdraw/", withdraw, name="withdraw"),
    path("applications/<int:pk>/decide/", decide, name="decide"),
    path("materials/<int:pk>/", material_download, name="material_download"),
    path("materials/<int:pk>/view/", material_preview, name="material_preview"),
    path("reviews/<int:pk>/", review, name="review"),
    path("queue/", queue, name="queue"),
    path("report/", report, name="report"),
    path("receipt/<int:institution_id>/", receipt_download, name="receipt"),
    path("villages/", villages, name="villages"),
    path("verify/", verify_form, name="verify_form"),
    path("verify/<str:number>/", verify, name="verify"),
    path("public/rejections/", rejections, name="rejections"),
]
