"""Pages of 综合监管 (thin: selectors read with scope, services write).

Public, no login: the complaint form and its status page, the published blacklist.
Staff: complaints, plans and the draw, inspections (a phone-sized checklist page),
rectification orders, credit files, the risk ranking, the blacklist, the township view."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tuoyu import policy
from tuoyu.core.errors import DomainError
from tuoyu.core.http import client_ip
from tuoyu.core.scope import HEALTH_BUREAU, Scope, ScopeKind, scope_of
from tuoyu.institutions.models import Institution
from tuoyu.institutions.selectors.public import public_townships
from tuoyu.regions.models import Region
from tuoyu.supervision import draw as drawing
from tuoyu.supervision import forms, selectors, services
from tuoyu.supervision.duties import checklist_for
from tuoyu.supervision.models import Complaint, Inspection, ItemResult, RectificationOrder
from tuoyu.supervision.services.credit import points_table as credit_points_table
from tuoyu.supervision.services.risk import CONTRIBUTION_LABELS
from tuoyu.web.forms import add_service_errors
from tuoyu.web.tables import paginate

INSPECT = "supervision.inspect"
HANDLE = "supervision.handle_complaints"
VIEW = "supervision.view"
VIEW_INSPECTIONS = "supervision.view_inspections"
BLACKLIST = "supervision.blacklist"
RECORD_CREDIT = "supervision.record_credit"
# The public pages read plans as the district's lead department does (published draws).
_DISTRICT = Scope(kind=ScopeKind.DEPARTMENT, department_code=HEALTH_BUREAU)


# --- public: complaints, status, blacklist ---------------------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def complaint_new(request):
    """The portal form (P-SUP-4): no login; anonymity respected."""
    initial = {"uscc": (request.GET.get("uscc") or "")[:18]}
    form = forms.ComplaintForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint = services.complaint_file(
                uscc=data["uscc"],
                category=data["category"],
                description=data["description"],
                contact_phone=data["contact_phone"],
                anonymous=data["anonymous"],
                channel=Complaint.Channel.PORTAL,
                source_ip=client_ip(request),
            )
        except DomainError as exc:
            add_service_errors(form, exc)
            status = 429 if exc.status == 429 else 400
            return render(
                request, "supervision/public/complaint_new.html", {"form": form}, status=status
            )
        return render(request, "supervision/public/complaint_filed.html", {"complaint": complaint})
    status = 400 if request.method == "POST" else 200
    return render(request, "supervision/public/complaint_new.html", {"form": form}, status=status)


@login_not_required
@require_GET
def complaint_status(request):
    number = (request.GET.get("number") or "").strip()[:24]
    result, status = None, 200
    if number:
        try:
            result = services.complaint_public_status(number)
        except DomainError:
            status = 404
    return render(
        request,
        "supervision/public/complaint_status.html",
        {"number": number, "result": result, "labels": dict(Complaint.Status.choices)},
        status=status,
    )


@login_not_required
@require_GET
def public_blacklist(request):
    return render(
        request, "supervision/public/blacklist.html", {"rows": selectors.public_blacklist()}
    )


@login_not_required
@require_GET
def public_plans(request):
    """双随机、一公开: the drawn plans, their seed, the drawn institutions and the results."""
    plans = (
        selectors.plans(acting_user=_DISTRICT)
        .filter(drawn_at__isnull=False)
        .prefetch_related("inspections__institution")[:50]
    )
    return render(request, "supervision/public/plans.html", {"plans": plans})


# --- complaints (staff) ------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def complaints(request):
    qs = selectors.complaints(acting_user=request.user, open_only=request.GET.get("open") == "1")
    page = paginate(request, qs, per_page=20)
    return render(
        request,
        "supervision/complaints.html",
        {"page": page, "today": policy.today(), "may_enter": request.user.has_perm(HANDLE)},
    )


@login_required
@permission_required(HANDLE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def complaint_hotline(request):
    """A complaint taken on the 12345 hotline, entered by staff."""
    form = forms.ComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint = services.complaint_file(
                acting_user=request.user,
                uscc=data["uscc"],
                category=data["category"],
                description=data["description"],
                contact_phone=data["contact_phone"],
                anonymous=data["anonymous"],
                channel=Complaint.Channel.HOTLINE,
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("已登记 12345 热线投诉，查询码 %(n)s") % {"n": complaint.tracking_number}
            )
            return redirect("supervision:complaint", pk=complaint.pk)
    return render(request, "supervision/complaint_hotline.html", {"form": form})


@login_required
@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def complaint_detail(request, pk: int):
    complaint = selectors.complaint_get(acting_user=request.user, pk=pk)
    scope = scope_of(request.user)
    may_answer = complaint.status == Complaint.Status.RECEIVED and (
        scope.is_health_bureau or scope.department_code == complaint.department_code
    )
    form = forms.AnswerForm(request.POST or None)
    if request.method == "POST":
        if not may_answer:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.complaint_answer(
                    acting_user=request.user,
                    complaint_id=complaint.pk,
                    reply=form.cleaned_data["reply"],
                    substantiated=form.cleaned_data["substantiated"] == "yes",
                )
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已答复，投诉人可凭查询码查看"))
                return redirect("supervision:complaint", pk=complaint.pk)
    return _complaint_page(request, complaint, form)


def _complaint_page(request, complaint, form, revealed_phone: str = ""):
    scope = scope_of(request.user)
    may_answer = complaint.status == Complaint.Status.RECEIVED and (
        scope.is_health_bureau or scope.department_code == complaint.department_code
    )
    return render(
        request,
        "supervision/complaint_detail.html",
        {
            "complaint": complaint,
            "form": form,
            "may_answer": may_answer,
            # P-SUP-4: who complained is never shown to the institution or the township.
            "show_contact": scope.is_district and not complaint.anonymous,
            "may_reveal": request.user.has_perm(HANDLE) and bool(complaint.contact_phone),
            "revealed_phone": revealed_phone,
            "today": policy.today(),
        },
    )


@login_required
@permission_required(HANDLE, raise_exception=True)
@require_POST
def complaint_phone(request, pk: int):
    """查看: the complainant's phone in clear, audited (`personal_value_reveal`)."""
    complaint = selectors.complaint_get(acting_user=request.user, pk=pk)
    phone = services.complaint_phone_reveal(acting_user=request.user, complaint_id=complaint.pk)
    return _complaint_page(request, complaint, forms.AnswerForm(), revealed_phone=phone)


# --- plans and the draw ----------------------------------------------------------------------


@login_required
@permission_required(INSPECT, raise_exception=True)
@require_http_methods(["GET", "POST"])
def plans(request):
    form = forms.PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(acting_user=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("supervision:plan", pk=plan.pk)
    page = paginate(request, selectors.plans(acting_user=request.user), per_page=20)
    return render(request, "supervision/plans.html", {"form": form, "page": page})


def _inspector_names(usernames: list[str]) -> str:
    """The drawn pool as people's names, in the pool's (user-name) order the draw uses; the
    user name stays only where a name is missing."""
    from tuoyu.accounts.models import User

    names = dict(
        User.objects.filter(username__in=usernames).values_list("username", "display_name")
    )
    return "、".join(names.get(u) or u for u in usernames)


@login_required
@permission_required(INSPECT, raise_exception=True)
@require_http_methods(["GET", "POST"])
def plan_detail(request, pk: int):
    plan = selectors.plan_get(acting_user=request.user, pk=pk)
    error = None
    if request.method == "POST":
        try:
            services.plan_draw(acting_user=request.user, plan_id=plan.pk)
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("已完成随机抽取"))
            return redirect("supervision:plan", pk=plan.pk)
    return render(
        request,
        "supervision/plan_detail.html",
        {
            "plan": plan,
            "error": error,
            "inspections": plan.inspections.select_related("institution", "inspector"),
            "method": drawing.METHOD,
            "inspector_names": _inspector_names(plan.draw_inspectors),
        },
        status=400 if error else 200,
    )


# --- inspections -----------------------------------------------------------------------------


@login_required
@permission_required(VIEW_INSPECTIONS, raise_exception=True)
def inspections(request):
    qs = selectors.inspections(acting_user=request.user)
    if request.GET.get("mine") == "1":
        qs = qs.filter(inspector=request.user, status=Inspection.Status.PLANNED)
    page = paginate(request, qs, per_page=20)
    return render(request, "supervision/inspections.html", {"page": page})


@login_required
@permission_required(INSPECT, raise_exception=True)
@require_http_methods(["GET", "POST"])
def inspection_new(request):
    """A targeted inspection (after a complaint or an alert), or a re-inspection of an order."""
    order_id = request.GET.get("order") or request.POST.get("order")
    form = forms.TargetedForm(request.POST or None, initial={"uscc": request.GET.get("uscc", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        institution = Institution.objects.filter(uscc=data["uscc"].strip().upper()).first()
        try:
            if institution is None and not order_id:
                raise Http404
            inspection = services.inspection_create_targeted(
                acting_user=request.user,
                institution_id=institution.pk if institution else 0,
                scheduled_on=data["scheduled_on"],
                reason=data["reason"],
                order_id=int(order_id) if order_id and order_id.isdigit() else None,
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("supervision:inspection", pk=inspection.pk)
    return render(request, "supervision/inspection_new.html", {"form": form, "order": order_id})


def _posted_results(request, checklist) -> tuple[dict, dict]:
    results, photos = {}, {}
    for item in checklist.items:
        results[item.code] = {
            "outcome": request.POST.get(f"outcome_{item.code}", ""),
            "severity": request.POST.get(f"severity_{item.code}", ""),
            "note": request.POST.get(f"note_{item.code}", ""),
        }
        if f"photo_{item.code}" in request.FILES:
            photos[item.code] = request.FILES[f"photo_{item.code}"]
    return results, photos


@login_required
@permission_required(VIEW_INSPECTIONS, raise_exception=True)
@require_http_methods(["GET", "POST"])
def inspection_detail(request, pk: int):
    """The phone-sized checklist page (P-SUP-3): each item pass / fail / n.a., a note, a photo."""
    inspection = selectors.inspection_get(acting_user=request.user, pk=pk)
    checklist = checklist_for(inspection.department_code)
    scope = scope_of(request.user)
    may_record = (
        inspection.status == Inspection.Status.PLANNED
        and scope.department_code == inspection.department_code
        and request.user.has_perm(INSPECT)
    )
    error, posted = None, {}
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied
        posted, photos = _posted_results(request, checklist)
        try:
            services.inspection_record(
                acting_user=request.user,
                inspection_id=inspection.pk,
                performed_on=policy.today(),
                results=posted,
                photos=photos,
                summary=request.POST.get("summary", ""),
            )
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("检查结果已保存"))
            return redirect("supervision:inspection", pk=inspection.pk)
    recorded = {r.item_code: r for r in inspection.items.all()}
    rows = [
        {"item": item, "result": recorded.get(item.code), "posted": posted.get(item.code, {})}
        for item in checklist.items
    ]
    return render(
        request,
        "supervision/inspection_detail.html",
        {
            "inspection": inspection,
            "checklist": checklist,
            "rows": rows,
            "may_record": may_record,
            "error": error,
            "outcomes": ItemResult.Outcome.choices,
            "severities": forms.SEVERITY_CHOICES,
            "orders": inspection.orders.all(),
        },
        status=400 if error else 200,
    )


# --- rectification orders ----------------------------------------------------------------------


@login_required
@permission_required(VIEW_INSPECTIONS, raise_exception=True)
def orders(request):
    state = request.GET.get("state", "open")
    page = paginate(request, selectors.orders(acting_user=request.user, state=state), per_page=20)
    return render(
        request, "supervision/orders.html", {"page": page, "state": state, "today": policy.today()}
    )


@login_required
@permission_required(VIEW_INSPECTIONS, raise_exception=True)
@require_http_methods(["GET", "POST"])
def order_detail(request, pk: int):
    order = selectors.order_get(acting_user=request.user, pk=pk)
    scope = scope_of(request.user)
    reply_form = forms.OrderReplyForm(
        request.POST if request.POST.get("action") == "reply" else None,
        request.FILES if request.POST.get("action") == "reply" else None,
    )
    decide_form = forms.OrderDecideForm(
        request.POST if request.POST.get("action") == "decide" else None
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "reply" and reply_form.is_valid():
                services.order_reply(
                    acting_user=request.user,
                    order_id=order.pk,
                    reply=reply_form.cleaned_data["reply"],
                    evidence=reply_form.cleaned_data.get("evidence"),
                )
                return redirect("supervision:order", pk=order.pk)
            if request.POST.get("action") == "decide" and decide_form.is_valid():
                services.order_decide(
                    acting_user=request.user,
                    order_id=order.pk,
                    accept=decide_form.cleaned_data["decision"] == "accept",
                    note=decide_form.cleaned_data["note"],
                )
                return redirect("supervision:order", pk=order.pk)
        except DomainError as exc:
            add_service_errors(
                reply_form if request.POST.get("action") == "reply" else decide_form, exc
            )
    return render(
        request,
        "supervision/order_detail.html",
        {
            "order": order,
            "reply_form": reply_form,
            "decide_form": decide_form,
            "may_reply": scope.is_institution and order.status == RectificationOrder.Status.OPEN,
            "may_decide": scope.department_code == order.department_code
            and order.status == RectificationOrder.Status.REPLIED,
            "may_reinspect": scope.department_code == order.department_code
            and request.user.has_perm(INSPECT),
            "today": policy.today(),
        },
    )


# --- credit, risk, blacklist, township ---------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def credit_file(request, institution_id: int):
    data = selectors.credit_file(acting_user=request.user, institution_id=institution_id)
    risk = data.get("risk")
    data["risk_rows"] = [
        (key, CONTRIBUTION_LABELS.get(key, key), c)
        for key, c in (risk.contributions.items() if risk else ())
    ]
    data["may_enter"] = request.user.has_perm(RECORD_CREDIT)
    return render(request, "supervision/credit_file.html", data)


@login_required
@permission_required(RECORD_CREDIT, raise_exception=True)
@require_http_methods(["GET", "POST"])
def credit_event_new(request, institution_id: int):
    """P-SUP-5: 区卫健局 or a department with a supervisory duty enters a penalty, a
    commendation or a demonstration status; points and rule from policy data."""
    data = selectors.credit_file(acting_user=request.user, institution_id=institution_id)
    points = credit_points_table(policy.today())
    form = forms.CreditEventForm(request.POST or None, points=points)
    if request.method == "POST" and form.is_valid():
        try:
            services.credit_event_enter(
                acting_user=request.user, institution_id=institution_id, **form.cleaned_data
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已记录信用事件，信用等级已重新计算"))
            return redirect("supervision:credit", institution_id=institution_id)
    return render(
        request,
        "supervision/credit_event_new.html",
        {"form": form, "institution": data["institution"], "points": points},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@permission_required(HANDLE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def practitioner_credit(request):
    """A practitioner's credit file (P-SUP-5), for departments: found by the ID number
    (posted, never in the address), shown with the name masked."""
    form = forms.PractitionerLookupForm(request.POST or None)
    found = None
    if request.method == "POST" and form.is_valid():
        try:
            found = selectors.practitioner_credit(
                acting_user=request.user, id_number=form.cleaned_data["id_number"]
            )
        except DomainError as exc:
            add_service_errors(form, exc)
    return render(request, "supervision/practitioner_credit.html", {"form": form, "found": found})


@login_required
@permission_required(INSPECT, raise_exception=True)
def risk_ranking(request):
    rows = selectors.risk_ranking(acting_user=request.user)
    return render(request, "supervision/risk.html", {"rows": rows})


@login_required
@permission_required(BLACKLIST, raise_exception=True)
@require_http_methods(["GET", "POST"])
def blacklist(request):
    form = forms.BlacklistForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        institution = Institution.objects.filter(uscc=(data["uscc"] or "").strip().upper()).first()
        try:
            services.blacklist_propose(
                acting_user=request.user,
                subject=data["subject"],
                institution_id=institution.pk if institution else None,
                person_name=data["person_name"],
                id_number=data["id_number"],
                reason=data["reason"],
                decision_ref=data["decision_ref"],
                decided_on=data["decided_on"],
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已提议，待另一名区卫健局工作人员审核"))
            return redirect("supervision:blacklist")
    entries = selectors.blacklist_entries(acting_user=request.user)
    return render(request, "supervision/blacklist.html", {"form": form, "entries": entries})


@login_required
@permission_required(BLACKLIST, raise_exception=True)
@require_POST
def blacklist_approve(request, pk: int):
    try:
        services.blacklist_approve(acting_user=request.user, entry_id=pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已审核同意，黑名单已公开"))
    return redirect("supervision:blacklist")


@login_required
@permission_required("supervision.view_case", raise_exception=True)
@require_http_methods(["GET", "POST"])
def cases(request):
    """Zero-tolerance cases (P-SUP-6): 区卫健局 opens one; every department told sees it."""
    form = forms.CaseForm(request.POST or None) if request.user.has_perm(BLACKLIST) else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            institution = Institution.objects.filter(uscc=data["uscc"].strip().upper()).first()
            try:
                if institution is None:
                    raise Http404
                services.case_open(
                    acting_user=request.user,
                    institution_id=institution.pk,
                    description=data["description"],
                    decision_ref=data["decision_ref"],
                    suspended_on=data["suspended_on"],
                    suspended_until=data["suspended_until"],
                    persons=[
                        {"name": data["offender_name"], "id_number": data["offender_id_number"]},
                        {
                            "name": data["manager_name"],
                            "id_number": data["manager_id_number"],
                            "manager": True,
                        },
                    ],
                )
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已立案，黑名单提议待另一名区卫健局工作人员审核"))
                return redirect("supervision:cases")
    rows = selectors.cases(acting_user=request.user)
    return render(
        request,
        "supervision/cases.html",
        {
            "form": form,
            "cases": rows,
            "today": policy.today(),
            "lift_form": forms.LiftSuspensionForm() if form is not None else None,
        },
    )


@login_required
@permission_required(BLACKLIST, raise_exception=True)
@require_POST
def case_lift(request, pk: int):
    """区卫健局 lifts the suspension of a zero-tolerance case by a recorded decision."""
    selectors.case_get(acting_user=request.user, pk=pk)
    form = forms.LiftSuspensionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写解除停业日期和决定文号"))
        return redirect("supervision:cases")
    try:
        services.case_suspension_lift(
            acting_user=request.user,
            case_id=pk,
            lifted_on=form.cleaned_data["lifted_on"],
            decision_ref=form.cleaned_data["lift_decision_ref"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已解除责令停业"))
    return redirect("supervision:cases")


@login_required
@permission_required(VIEW, raise_exception=True)
def township(request):
    """P-ORG-2: a township's institutions, open orders and complaints. A township user sees
    its own; a department chooses the township."""
    scope = scope_of(request.user)
    if scope.is_institution:
        raise PermissionDenied
    townships = public_townships()
    chosen = None
    if scope.is_township:
        chosen = scope.township_id
    elif request.GET.get("township"):
        code = request.GET["township"][:12]
        if code not in {c for c, _name in townships}:
            raise Http404
        chosen = Region.objects.filter(code=code).values_list("pk", flat=True).first()
    data = (
        selectors.township_overview(acting_user=request.user, township_id=chosen) if chosen else {}
    )
    return render(
        request,
        "supervision/township.html",
        {
            **data,
            "townships": townships if not scope.is_township else [],
            "chosen": Region.objects.filter(pk=chosen).first() if chosen else None,
            "today": policy.today(),
        },
    )


urlpatterns = [
    path("public/complaints/new/", complaint_new, name="complaint_new"),
    path("public/complaints/status/", complaint_status, name="complaint_status"),
    path("public/blacklist/", public_blacklist, name="public_blacklist"),
    path("public/plans/", public_plans, name="public_plans"),
    path("complaints/", complaints, name="complaints"),
    path("complaints/hotline/", complaint_hotline, name="complaint_hotline"),
    path("complaints/<int:pk>/", complaint_detail, name="complaint"),
    path("complaints/<int:pk>/phone/", complaint_phone, name="complaint_phone"),
    path("plans/", plans, name="plans"),
    path("plans/<int:pk>/", plan_detail, name="plan"),
    path("inspections/", inspections, name="inspections"),
    path("inspections/new/", inspection_new, name="inspection_new"),
    path("inspections/<int:pk>/", inspection_detail, name="inspection"),
    path("orders/", orders, name="orders"),
    path("orders/<int:pk>/", order_detail, name="order"),
    path("credit/<int:institution_id>/", credit_file, name="credit"),
    path("credit/<int:institution_id>/new/", credit_event_new, name="credit_event_new"),
    path("credit/practitioners/", practitioner_credit, name="practitioner_credit"),
    path("risk/", risk_ranking, name="risk"),
    path("blacklist/", blacklist, name="blacklist"),
    path("blacklist/<int:pk>/approve/", blacklist_approve, name="blacklist_approve"),
    path("townships/", township, name="township"),
    path("cases/", cases, name="cases"),
    path("cases/<int:pk>/lift/", case_lift, name="case_lift"),
]
