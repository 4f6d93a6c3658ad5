"""Every read of supervision, filtered by `scopes.py` (outside the scope is 404)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from tuoyu import policy
from tuoyu.core.errors import NotFound
from tuoyu.core.scope import scope_of
from tuoyu.institutions.models import Institution
from tuoyu.institutions.scopes import institutions_visible
from tuoyu.supervision import scopes
from tuoyu.supervision.models import (
    BlacklistEntry,
    Complaint,
    CreditEvent,
    CreditRating,
    Inspection,
    InspectionPlan,
    RectificationOrder,
    RiskScore,
    ZeroToleranceCase,
)


def _get(qs: QuerySet, pk: int):
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise NotFound()
    return obj


# --- complaints --------------------------------------------------------------------------


def complaints(*, acting_user, open_only: bool = False) -> QuerySet:
    qs = Complaint.objects.select_related("institution", "institution__township")
    if open_only:
        qs = qs.filter(status=Complaint.Status.RECEIVED)
    return scopes.complaints_visible(qs, scope_of(acting_user))


def complaint_get(*, acting_user, pk: int) -> Complaint:
    return _get(complaints(acting_user=acting_user), pk)


def complaint_counts(*, acting_user, today: dt.date | None = None) -> dict:
    today = today or policy.today()
    return complaints(acting_user=acting_user, open_only=True).aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        urgent=Count("pk", filter=Q(urgent=True)),
    )


# --- plans, inspections, orders ------------------------------------------------------------


def plans(*, acting_user) -> QuerySet:
    return scopes.plans_visible(InspectionPlan.objects.all(), scope_of(acting_user))


def plan_get(*, acting_user, pk: int) -> InspectionPlan:
    return _get(plans(acting_user=acting_user), pk)


def inspections(*, acting_user) -> QuerySet:
    qs = Inspection.objects.select_related("institution", "inspector", "plan")
    return scopes.department_owned_visible(qs, scope_of(acting_user))


def inspection_get(*, acting_user, pk: int) -> Inspection:
    return _get(inspections(acting_user=acting_user), pk)


def orders(*, acting_user, state: str = "") -> QuerySet:
    qs = RectificationOrder.objects.select_related("institution", "inspection")
    today = policy.today()
    if state == "open":
        qs = qs.exclude(status=RectificationOrder.Status.ACCEPTED)
    elif state == "overdue":
        qs = qs.exclude(status=RectificationOrder.Status.ACCEPTED).filter(due_on__lt=today)
    elif state in RectificationOrder.Status.values:
        qs = qs.filter(status=state)
    return scopes.department_owned_visible(qs, scope_of(acting_user))


def order_get(*, acting_user, pk: int) -> RectificationOrder:
    return _get(orders(acting_user=acting_user), pk)


# --- credit, risk, blacklist ----------------------------------------------------------------


def credit_file(*, acting_user, institution_id: int) -> dict:
    scope = scope_of(acting_user)
    institution = _get(institutions_visible(Institution.objects.all(), scope), institution_id)
    events = scopes.institution_owned_visible(CreditEvent.objects.all(), scope).filter(
        institution_id=institution_id
    )
    rating = CreditRating.objects.filter(institution_id=institution_id).first()
    risk = RiskScore.objects.filter(institution_id=institution_id).first()
    return {"institution": institution, "events": events, "rating": rating, "risk": risk}


def practitioner_credit(*, acting_user, id_number: str, day: dt.date | None = None) -> dict:
    """A practitioner's credit events at every institution (P-SUP-5): departments only;
    the name shown masked."""
    from tuoyu.supervision.services.credit import practitioner_credit as compute

    if not scope_of(acting_user).is_district:
        raise NotFound()
    score, rating, events = compute(id_number, day or policy.today())
    name = events[0].person_name.masked if events else ""
    return {"score": score, "rating": rating, "events": events, "name": name}


def risk_ranking(*, acting_user, limit: int = 100) -> QuerySet:
    """The ranked list per department: its inspectable population by risk score."""
    from tuoyu.supervision.services.inspections import inspectable_institutions

    scope = scope_of(acting_user)
    qs = RiskScore.objects.select_related("institution", "institution__township")
    if scope.is_district:
        ids = inspectable_institutions(scope.department_code).values("pk")
        qs = qs.filter(institution_id__in=ids)
    qs = scopes.institution_owned_visible(qs, scope)
    return qs.order_by("-score", "institution__uscc")[:limit]


def blacklist_entries(*, acting_user) -> QuerySet:
    if not scope_of(acting_user).is_health_bureau:
        return BlacklistEntry.objects.none()
    return BlacklistEntry.objects.select_related("institution", "proposed_by", "approved_by")


def public_blacklist() -> list[dict]:
    """The published blacklist: institutions by name and USCC; individuals by masked name
    and masked ID only (PIPL)."""
    rows = []
    qs = BlacklistEntry.objects.filter(status=BlacklistEntry.Status.APPROVED).select_related(
        "institution"
    )
    for entry in qs:
        if entry.subject == BlacklistEntry.Subject.INSTITUTION:
            who, code = entry.institution.name, entry.institution.uscc
        else:
            who, code = entry.person_name.masked, entry.id_number.masked
        rows.append(
            {
                "subject": entry.get_subject_display(),
                "who": who,
                "code": code,
                "decision_ref": entry.decision_ref,
                "decided_on": entry.decided_on,
                "reason": entry.reason,
            }
        )
    return rows


def cases(*, acting_user) -> QuerySet:
    """Zero-tolerance cases (P-SUP-6): 区卫健局 all; every department told of a case sees it;
    a township the cases of its area."""
    scope = scope_of(acting_user)
    qs = ZeroToleranceCase.objects.select_related("institution").prefetch_related("entries")
    if scope.is_health_bureau:
        return qs
    if scope.is_district:
        return qs.filter(notified_departments__contains=f",{scope.department_code},")
    if scope.is_township:
        return qs.filter(institution__township_id=scope.township_id)
    return qs.none()


def case_get(*, acting_user, pk: int) -> ZeroToleranceCase:
    return _get(cases(acting_user=acting_user), pk)


def suspensions(institution_ids, day: dt.date) -> dict[int, str]:
    """{institution id: the suspension in words} for those suspended on `day` (one query)."""
    from tuoyu.supervision.standing import suspended_cases, suspension_words

    out: dict[int, str] = {}
    for case in suspended_cases(institution_ids, day):
        out.setdefault(case.institution_id, suspension_words(case))
    return out


# --- the township view (P-ORG-2) -----------------------------------------------------------


def township_overview(*, acting_user, township_id: int | None = None) -> dict:
    """A township's institutions with their open orders and open complaints counted, its
    open orders and its complaints. A township user sees its own only."""
    scope = scope_of(acting_user)
    institutions = institutions_visible(Institution.objects.all(), scope)
    if township_id is not None:
        institutions = institutions.filter(township_id=township_id)
    open_orders = RectificationOrder.objects.exclude(status=RectificationOrder.Status.ACCEPTED)
    institutions = institutions.annotate(
        open_orders=Subquery(
            open_orders.filter(institution_id=OuterRef("pk"))
            .values("institution_id")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        rating=Subquery(
            CreditRating.objects.filter(institution_id=OuterRef("pk")).values("rating")[:1]
        ),
    ).order_by("name")
    ids = institutions.values("pk")
    order_rows = (
        scopes.department_owned_visible(open_orders, scope)
        if not scope.is_township
        else scopes.institution_owned_visible(open_orders, scope)
    )
    today = policy.today()
    suspended = suspensions(ids, today)
    listed = list(institutions)
    for institution in listed:
        institution.suspension = suspended.get(institution.pk, "")
    return {
        "institutions": listed,
        "orders": order_rows.filter(institution_id__in=ids).select_related("institution"),
        "complaints": scopes.complaints_visible(Complaint.objects.all(), scope)
        .filter(institution_id__in=ids)
        .select_related("institution")[:200],
    }


# --- the public listing's facts (API-CONTRACT §6), registered with institutions ------------


def public_institution_facts(institution_ids: list[int]) -> dict[int, dict]:
    """Credit rating and last inspection of a page of institutions, in one statement (on the
    rating's unique key and the inspections' (institution, status, performed_on) index).

    Written as SQL on the cursor: it runs on every public search, where building and
    compiling three ORM subqueries cost more than the indexed statement itself ([scale] #10).
    """
    from django.db import connection

    ids = [int(i) for i in institution_ids]
    if not ids:
        return {}
    q = connection.ops.quote_name
    institutions = q(Institution._meta.db_table)
    ratings = q(CreditRating._meta.db_table)
    inspections = q(Inspection._meta.db_table)
    last = (
        f"SELECT {{col}} FROM {inspections} x WHERE x.institution_id = i.id AND x.status = %s "
        "ORDER BY x.performed_on DESC, x.id DESC LIMIT 1"
    )
    marks = ", ".join(["%s"] * len(ids))
    done = Inspection.Status.DONE
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT i.id, r.rating, ({last.format(col='x.performed_on')}), "
            f"({last.format(col='x.result')}) FROM {institutions} i "
            f"LEFT JOIN {ratings} r ON r.institution_id = i.id WHERE i.id IN ({marks})",
            [done, done, *ids],
        )
        rows = cursor.fetchall()
    out = {}
    for pk, credit, last_date, last_result in rows:
        if isinstance(last_date, str):  # SQLite's cursor gives dates as text
            last_date = dt.date.fromisoformat(last_date)
        out[pk] = {
            "credit_rating": credit,
            "last_inspection": (
                {"date": last_date, "result": last_result} if last_date is not None else None
            ),
        }
    return out


# --- the institution page's tab (`tuoyu.institutions.tabs`) --------------------------------


def _supervision_tab(request, institution) -> dict:
    user = request.user
    return {
        "rating": CreditRating.objects.filter(institution_id=institution.pk).first(),
        "inspections": inspections(acting_user=user).filter(institution_id=institution.pk)[:10],
        "orders": orders(acting_user=user, state="open").filter(institution_id=institution.pk),
        "complaints": complaints(acting_user=user).filter(institution_id=institution.pk).count(),
        "today": policy.today(),
        "institution_id": institution.pk,
        "suspension": suspensions([institution.pk], policy.today()).get(institution.pk, ""),
    }


def register_institution_tab() -> None:
    from django.utils.translation import gettext_lazy

    from tuoyu.institutions.tabs import InstitutionTab, register_tab

    register_tab(
        InstitutionTab(
            "supervision",
            gettext_lazy("监管记录"),
            "supervision/_institution_tab.html",
            _supervision_tab,
            order=60,
        )
    )
