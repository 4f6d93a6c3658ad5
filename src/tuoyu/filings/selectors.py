"""Reads of the filing workflow, each with the caller's scope applied.

Who sees which application:
- an institution: its own applications;
- 区卫健局 (decides, P-REG-12): every application of the district (those of 托幼一体化
  institutions read only, for statistics);
- 区教体局 (P-REG-10): the applications of the 托幼一体化 institutions it registered, which it
  decides;
- a subject reviewer (区消防救援大队, 区住建局, 区公安分局, 区市场监管局, 区妇计中心): applications
  that have a review of one of its subjects, in any state;
- a township: applications of institutions in its township (read only);
- anyone else: none. Outside the scope is 404, as for what does not exist.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuoyu import policy
from tuoyu.core.bounds import FILING_NUMBER_MAX_LENGTH
from tuoyu.core.errors import NotFound
from tuoyu.core.scope import scope_of
from tuoyu.filings import checks, deadlines
from tuoyu.filings.models import FilingApplication, FilingMaterial, Subject, SubjectReview
from tuoyu.filings.scopes import (
    applications_decided_by,
    applications_visible,
    managed_as_kindergarten,
    may_see_materials,
    reviewer_subjects,
    reviews_visible_for_waiting,
)
from tuoyu.institutions.models import Institution
from tuoyu.institutions.scopes import institution_owned_visible, institutions_visible
from tuoyu.institutions.selectors.chains import chain_agreement_covering  # noqa: F401 - P-REG-13, one rule
from tuoyu.institutions.tabs import InstitutionTab, register_tab
from tuoyu.regions import workdays
from tuoyu.regions.models import Region

OPEN = ("draft", "in_review", "returned", "awaiting_decision")
SECONDS_PER_DAY = 86400


def applications_for(*, acting_user) -> QuerySet[FilingApplication]:
    qs = FilingApplication.objects.select_related("institution", "institution__township")
    return applications_visible(qs, scope_of(acting_user))


def application_get(*, acting_user, pk: int) -> FilingApplication:
    application = (
        applications_for(acting_user=acting_user)
        .select_related("decided_by", "created_by")
        .filter(pk=pk)
        .first()
    )
    if application is None:
        raise NotFound()
    return application


def own_institution(*, acting_user) -> Institution:
    """The institution of an institution account (404 for anyone else)."""
    scope = scope_of(acting_user)
    if not scope.is_institution or not scope.institution_id:
        raise NotFound()
    return Institution.objects.select_related("township", "community", "chain_agreement").get(
        pk=scope.institution_id
    )


def open_application(institution: Institution) -> FilingApplication | None:
    return (
        FilingApplication.objects.filter(institution=institution, status__in=OPEN)
        .order_by("-created_at")
        .first()
    )


def application_history(*, acting_user, institution: Institution) -> list[FilingApplication]:
    """Every application of the institution (newest first) that the caller may see, each
    with `.changes`: [(label, before, after)] of the facts it changed (P-FIL-3 history)."""
    apps = list(
        applications_for(acting_user=acting_user)
        .filter(institution=institution)
        .select_related("decided_by")
        .order_by("-created_at")
    )
    labels = {f.name: f.label for f in checks.BASIC_FACTS}
    for app in apps:
        app.changes = fact_changes(app, labels)
    return apps


def fact_changes(application: FilingApplication, labels: dict | None = None) -> list[tuple]:
    """Before/after of every fact an application changes (basic facts, staff, classes)."""
    labels = labels or {f.name: f.label for f in checks.BASIC_FACTS}
    before = application.facts_before or {}
    after = application.facts or {}
    rows = []
    if application.kind == FilingApplication.Kind.CANCELLATION:
        c = after.get("cancellation") or {}
        return [
            (_("备案状态"), _("已备案"), _("注销（%(day)s）") % {"day": c.get("cancelled_on", "")})
        ]
    b_basic, a_basic = before.get("basic") or {}, after.get("basic") or {}
    names = (
        checks.changed_fact_names(b_basic, a_basic)
        if application.kind == FilingApplication.Kind.CHANGE
        else [n for n in checks.BASIC_FACT_NAMES if a_basic.get(n) not in (None, "")]
    )
    for name in names:
        rows.append(
            (
                labels.get(name, name),
                fact_display(name, b_basic.get(name)),
                fact_display(name, a_basic.get(name)),
            )
        )
    for c in after.get("classes") or []:
        label = {"name": c["name"], "n": c["capacity"]}
        if c["action"] == "add":
            rows.append((_("班级"), "—", _("新增 %(name)s（%(n)s 人）") % label))
        elif c["action"] == "close":
            rows.append((_("班级"), _("%(name)s（%(n)s 人）") % label, _("撤销")))
    if application.kind == FilingApplication.Kind.CHANGE and checks._staff_changed(
        before.get("staff") or {}, after.get("staff") or {}
    ):
        rows.append(
            (_("人员配备"), _staff_text(before.get("staff")), _staff_text(after.get("staff")))
        )
    return rows


def fact_rows(application: FilingApplication) -> list[tuple[str, str]]:
    """(label, shown value) of every basic fact of the application, in form order."""
    basic = application.facts.get("basic") or {}
    return [(f.label, fact_display(f.name, basic.get(f.name))) for f in checks.BASIC_FACTS]


def waited_days(since: dt.datetime | None) -> float | None:
    if since is None:
        return None
    return round((timezone.now() - since).total_seconds() / SECONDS_PER_DAY, 1)


def fact_display(name, value):
    if value in (None, ""):
        return "—"
    if name in checks.CHOICES:
        try:
            return str(checks.CHOICES[name](value).label)
        except ValueError:
            return value
    if name in ("township", "community"):
        region = Region.objects.filter(code=value).only("name").first()
        return region.name if region else value
    if name == "serves_meals":
        return _("是") if value else _("否")
    return str(value)


def _staff_text(staff) -> str:
    if not staff:
        return "—"
    parts = []
    for role, label in checks.STAFF_ROLES:
        row = staff.get(role) or {}
        if row.get("count"):
            # Translators: a staff role and its headcount, e.g. 保育人员5.
            parts.append(_("%(label)s%(n)s") % {"label": label, "n": row["count"]})
    return "、".join(parts) or "—"


# --- reviews -------------------------------------------------------------------------------


def review_queue(*, acting_user) -> QuerySet[SubjectReview]:
    """Pending reviews of the caller's subjects, oldest first (P-REG-12 scope: a reviewer
    sees only its own subjects)."""
    subjects = reviewer_subjects(scope_of(acting_user))
    return (
        SubjectReview.objects.filter(
            subject__in=subjects,
            status=SubjectReview.Status.PENDING,
            application__status__in=("in_review", "returned"),
        )
        .select_related("application", "institution", "institution__township")
        .order_by("opened_at", "pk")
    )


def decision_queue(*, acting_user) -> QuerySet[FilingApplication]:
    """Applications waiting for the caller's decision (only for those who decide): 区教体局
    those of the 托幼一体化 institutions it registered (P-REG-10), 区卫健局 every other."""
    if not acting_user.has_perm("filings.decide"):
        return FilingApplication.objects.none()
    return applications_decided_by(
        applications_for(acting_user=acting_user).filter(status="awaiting_decision"),
        scope_of(acting_user),
    ).order_by("awaiting_decision_since", "pk")


# --- work queues ([accounts-ux] point 2): counts for the home cards and the nav badges -----


def review_counts(*, acting_user) -> list[dict]:
    """Pending reviews of the caller's subjects, per subject, oldest waiting first: one
    aggregate query ({subject, label, count, oldest}); the queue is `review_queue`."""
    from django.db.models import Count, Min

    rows = (
        review_queue(acting_user=acting_user)
        .order_by()
        .values("subject")
        .annotate(count=Count("pk"), oldest=Min("opened_at"))
    )
    out = [
        {**r, "label": str(Subject(r["subject"]).label), "waited_days": waited_days(r["oldest"])}
        for r in rows
    ]
    return sorted(out, key=lambda r: (r["oldest"], r["subject"]))


def decision_counts(*, acting_user) -> dict:
    """Applications waiting for the caller's decision (P-REG-10/12): how many and since
    when the oldest waits — one aggregate query over `decision_queue`."""
    from django.db.models import Count, Min

    row = (
        decision_queue(acting_user=acting_user)
        .order_by()
        .aggregate(count=Count("pk"), oldest=Min("awaiting_decision_since"))
    )
    return {**row, "waited_days": waited_days(row["oldest"])}


def own_work(*, acting_user) -> FilingApplication | None:
    """An institution's application waiting for it: returned for fixing first, else a
    draft not yet submitted (one query; None for anyone else or when nothing waits)."""
    scope = scope_of(acting_user)
    if not scope.is_institution or not scope.institution_id:
        return None
    return (
        FilingApplication.objects.filter(
            institution_id=scope.institution_id,
            status__in=(FilingApplication.Status.RETURNED, FilingApplication.Status.DRAFT),
        )
        .order_by("-status", "created_at")  # "returned" sorts after "draft": returned first
        .first()
    )


def decider_name(application: FilingApplication) -> str:
    """Who decides the application, as people call it: 区教体局 for 托幼一体化 (P-REG-10),
    区卫健局 for every other (P-REG-12)."""
    return institution_decider_name(application.institution)


def institution_decider_name(institution: Institution) -> str:
    """Who decides the institution's filings (P-REG-10, P-REG-12), as people call it."""
    return _("区教体局") if managed_as_kindergarten(institution) else _("区卫健局")


def review_get_for_action(*, acting_user, pk: int) -> SubjectReview:
    """A review the caller may decide: its subject must be one of the caller's (else 404)."""
    review = (
        SubjectReview.objects.select_related("application", "institution")
        .filter(pk=pk, subject__in=reviewer_subjects(scope_of(acting_user)))
        .first()
    )
    if review is None:
        raise NotFound()
    return review


def reviews_of(application: FilingApplication) -> list[SubjectReview]:
    """Every review row of an application (rounds in order), with `.waited_days`."""
    now = timezone.now()
    rows = list(
        SubjectReview.objects.filter(application=application)
        .select_related("reviewer")
        .order_by("round", "subject", "pk")
    )
    for r in rows:
        end = r.decided_at or now
        r.waited_days = round((end - r.opened_at).total_seconds() / SECONDS_PER_DAY, 1)
    return rows


@dataclass(frozen=True)
class SubjectStatus:
    subject: str
    label: str
    status: str
    status_label: str
    round: int
    opened_at: dt.datetime
    decided_at: dt.datetime | None
    waited_days: float
    reasons: list
    comment: str
    reviewer_department: str


def subject_statuses(application: FilingApplication) -> list[SubjectStatus]:
    """The current (latest) state of each subject, with how long it waited (P-REG-14: the
    time each step takes is measured). Returned subjects show every reason."""
    latest: dict[str, SubjectReview] = {}
    for r in reviews_of(application):
        latest[r.subject] = r
    out = []
    for subject in Subject.values:
        r = latest.get(subject)
        if r is None:
            continue
        out.append(
            SubjectStatus(
                subject=subject,
                label=str(Subject(subject).label),
                status=r.status,
                status_label=str(r.get_status_display()),
                round=r.round,
                opened_at=r.opened_at,
                decided_at=r.decided_at,
                waited_days=r.waited_days,
                reasons=list(r.reasons or []),
                comment=r.comment,
                reviewer_department=r.reviewer_department,
            )
        )
    return out


def returned_reasons(application: FilingApplication) -> list[tuple[str, str, list]]:
    """(subject label, department, reasons) of every subject that returned the application in
    its latest round."""
    return [
        (s.label, s.reviewer_department, s.reasons)
        for s in subject_statuses(application)
        if s.status == SubjectReview.Status.RETURNED
    ]


@dataclass(frozen=True)
class WaitingRow:
    subject: str
    label: str
    decided: int
    pending: int
    average_days: float | None
    median_days: float | None
    max_days: float | None
    pending_oldest_days: float | None


def waiting_report(*, acting_user, since: dt.date | None = None) -> list[WaitingRow]:
    """How long each subject's reviews waited (P-REG-14), over the reviews the caller may
    see: decided reviews (decided − opened) and the still-pending ones (now − opened)."""
    apps = applications_for(acting_user=acting_user)
    qs = SubjectReview.objects.filter(application__in=apps.values("pk")).exclude(
        status=SubjectReview.Status.SUPERSEDED
    )
    if since is not None:
        qs = qs.filter(opened_at__date__gte=since)
    qs = reviews_visible_for_waiting(qs, scope_of(acting_user))
    now = timezone.now()
    decided: dict[str, list[float]] = {s: [] for s in Subject.values}
    pending: dict[str, list[float]] = {s: [] for s in Subject.values}
    for subject, status, opened, closed in qs.values_list(
        "subject", "status", "opened_at", "decided_at"
    ).iterator():
        if status == SubjectReview.Status.PENDING:
            pending[subject].append((now - opened).total_seconds() / SECONDS_PER_DAY)
        elif closed is not None:
            decided[subject].append((closed - opened).total_seconds() / SECONDS_PER_DAY)
    rows = []
    for subject in Subject.values:
        d = decided[subject]
        p = pending[subject]
        rows.append(
            WaitingRow(
                subject=subject,
                label=str(Subject(subject).label),
                decided=len(d),
                pending=len(p),
                average_days=round(sum(d) / len(d), 1) if d else None,
                median_days=round(statistics.median(d), 1) if d else None,
                max_days=round(max(d), 1) if d else None,
                pending_oldest_days=round(max(p), 1) if p else None,
            )
        )
    return rows


# --- materials -----------------------------------------------------------------------------


def materials_of(application: FilingApplication, *, include_superseded: bool = False):
    qs = FilingMaterial.objects.filter(application=application).order_by("kind", "-uploaded_at")
    if not include_superseded:
        qs = qs.filter(superseded=False)
    return qs


def material_get(*, acting_user, pk: int) -> FilingMaterial:
    """A material the caller may download: the institution's own, 区卫健局, and the
    reviewers of the application's subjects. Townships see the facts, not the scans."""
    material = FilingMaterial.objects.select_related("application").filter(pk=pk).first()
    if material is None:
        raise NotFound()
    if not may_see_materials(scope_of(acting_user)):
        raise NotFound()
    application_get(acting_user=acting_user, pk=material.application_id)
    return material


# --- chains (P-REG-13) ---------------------------------------------------------------------


# --- public verification (no login; never personal data) -------------------------------------


def filing_verify(number: str) -> dict | None:
    """API-CONTRACT §6 `GET /api/v1/public/filings/{n}` and the receipt's QR page.

    [hardening] point 8: matched case-insensitively (`ty330703-2026-0001` finds
    TY330703-2026-0001) — the number as given and upper-cased first (the index), then any
    case; a number longer than a filing number can be is unknown at once."""
    number = (number or "").strip()
    if not number or len(number) > FILING_NUMBER_MAX_LENGTH:
        return None
    fields = ("name", "uscc", "filed_on", "filing_status", "filing_cancelled_on")
    row = (
        Institution.objects.filter(filing_number__in={number, number.upper()})
        .values(*fields)
        .first()
    ) or Institution.objects.filter(filing_number__iexact=number).values(*fields).first()
    if row is None:
        return None
    valid = row["filing_status"] == Institution.FilingStatus.FILED
    return {
        "valid": valid,
        "institution": row["name"],
        "uscc": row["uscc"],
        "filed_on": row["filed_on"],
        "status": "filed" if valid else "cancelled",
        "cancelled_on": row["filing_cancelled_on"],
    }


def verify_url(number: str) -> str:
    """What the receipt's QR code opens (settings.TUOYU_PUBLIC_BASE_URL)."""
    base = settings.TUOYU_PUBLIC_BASE_URL.rstrip("/")
    return f"{base}/filings/verify/{number}/"


# --- the institution for receipts and lists -------------------------------------------------


def receipt_institution(*, acting_user, institution_id: int) -> Institution:
    """An institution with a filing number whose receipt the caller may download."""
    institution = (
        institutions_visible(Institution.objects.select_related("township"), scope_of(acting_user))
        .filter(pk=institution_id)
        .exclude(filing_number__isnull=True)
        .first()
    )
    if institution is None:
        raise NotFound()
    return institution


def district_townships() -> QuerySet[Region]:
    """Townships of the district (reference data: every account may read it)."""
    return Region.objects.filter(
        level=Region.Level.TOWNSHIP, code__startswith=settings.TUOYU_DISTRICT_CODE
    ).order_by("code")


def township_villages(township_code: str | None) -> QuerySet[Region]:
    """Villages and communities of one township (the community select of the form)."""
    if not township_code:
        return Region.objects.none()
    return Region.objects.filter(level=Region.Level.VILLAGE, parent__code=township_code).order_by(
        "code"
    )


def applications_list(*, acting_user, status: str | None = None, kind: str | None = None):
    qs = applications_for(acting_user=acting_user).prefetch_related(
        Prefetch("reviews", queryset=SubjectReview.objects.order_by("subject", "round"))
    )
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-submitted_at", "-created_at")


# --- the 备案记录 tab of an institution's page ---------------------------------------------


def institution_filing_history(*, acting_user, institution: Institution) -> list[FilingApplication]:
    """The institution's filing applications (initial, change, cancellation), newest first,
    each with its subject reviews (`reviews_all`, by subject and round). Whoever may see the
    institution's page sees its filing history (the directory's rule, not the review queue's)."""
    qs = institution_owned_visible(
        FilingApplication.objects.filter(institution=institution), scope_of(acting_user)
    )
    reviews = SubjectReview.objects.select_related("reviewer").order_by("subject", "round")
    return list(
        qs.select_related("created_by", "decided_by")
        .prefetch_related(Prefetch("reviews", queryset=reviews, to_attr="reviews_all"))
        .order_by("-created_at")
    )


def receipt_links(institution: Institution) -> dict | None:
    """[accounts-ux] 6: the receipt's download and public verification addresses of a filed
    (or cancelled) institution; None before it has a filing number."""
    from django.urls import reverse

    if not institution.filing_number:
        return None
    return {
        "number": institution.filing_number,
        "download": reverse("filings:receipt", kwargs={"institution_id": institution.pk}),
        "verify": reverse("filings:verify", kwargs={"number": institution.filing_number}),
    }


def _filings_tab(request, institution: Institution) -> dict:
    return {
        "applications": institution_filing_history(
            acting_user=request.user, institution=institution
        ),
        "receipt": receipt_links(institution),
    }


def register_institution_tab() -> None:
    register_tab(
        InstitutionTab(
            "filings",
            gettext_lazy("备案记录"),
            "filings/_institution_tab.html",
            _filings_tab,
            order=30,
        )
    )


# --- P-FIL-2 deadlines: working days on the official calendar -------------------------------


def with_deadlines(applications, *, calendar=None, today: dt.date | None = None) -> list:
    """Each application with `.deadline` (`filings.deadlines.Deadline`). The calendar is
    loaded once for all of them (no query per row)."""

    calendar = calendar or workdays.calendar()
    today = today or policy.today()
    rows = list(applications)
    for a in rows:
        a.deadline = deadlines.deadline_of(a, calendar=calendar, today=today)
    return rows


def review_queue_rows(*, acting_user, calendar=None, today: dt.date | None = None) -> list:
    """`review_queue` with, per row, the working days the review waited (`.waited_days`,
    None while a year of the calendar is missing) and the application's `.deadline`."""

    calendar = calendar or workdays.calendar()
    today = today or policy.today()
    rows = list(review_queue(acting_user=acting_user))
    for r in rows:
        r.waited_days = deadlines.waited_working_days(r.opened_at, calendar=calendar, today=today)
        r.deadline = deadlines.deadline_of(r.application, calendar=calendar, today=today)
    return rows


def decision_queue_rows(*, acting_user, calendar=None, today: dt.date | None = None) -> list:
    """`decision_queue` with working days waited since all subjects passed, and `.deadline`."""

    calendar = calendar or workdays.calendar()
    today = today or policy.today()
    rows = with_deadlines(decision_queue(acting_user=acting_user), calendar=calendar, today=today)
    for a in rows:
        a.waited_days = deadlines.waited_working_days(
            a.awaiting_decision_since, calendar=calendar, today=today
        )
    return rows


def overdue_applications(*, acting_user, today: dt.date | None = None):
    """Applications the caller may see that are past their receipt deadline while still in
    review or awaiting the decision (P-FIL-2; one query, no calendar needed: the deadline
    is stored)."""
    today = today or policy.today()
    return applications_for(acting_user=acting_user).filter(
        status__in=deadlines.RUNNING, receipt_due_on__lt=today
    )


def deadline_summary(*, acting_user, today: dt.date | None = None) -> dict:
    """The home card of the deciding department: how many applications are overdue, and how
    many wait for a missing year's holiday notice ("期限待定")."""
    visible = applications_for(acting_user=acting_user)
    unknown = list(
        visible.filter(status__in=deadlines.RUNNING, deadline_unknown_year__isnull=False)
        .values_list("deadline_unknown_year", flat=True)
        .distinct()
    )
    return {
        "overdue": overdue_applications(acting_user=acting_user, today=today).count(),
        "unknown": visible.filter(
            status__in=deadlines.RUNNING, deadline_unknown_year__isnull=False
        ).count(),
        "unknown_years": sorted(unknown),
    }


# --- public: filings not accepted (不予备案公示, P-FIL-2 "this is made public") ---------------


def public_rejections() -> QuerySet:
    """Initial and change filings not accepted, newest decision first: the institution's
    name, the decision date and the reason category — nothing else (no personal data, never
    the free-text note)."""
    return (
        FilingApplication.objects.filter(
            status=FilingApplication.Status.REJECTED,
            kind__in=(FilingApplication.Kind.INITIAL, FilingApplication.Kind.CHANGE),
            decided_at__isnull=False,
        )
        .exclude(rejection_category="")
        .order_by("-decided_at", "-pk")
        .values("pk", "institution__name", "kind", "decided_at", "rejection_category")
    )


def register_audit_words() -> None:
    """[accounts-ux] 5: the audit log names an application's facts by their labels and shows
    their values in words ("负责人学历：— → 本科", "保育人员：12 人（持证 11 人）")."""
    from tuoyu.audit.presentation import register_audit_labels

    fields = {f.name: f.label for f in checks.BASIC_FACTS}
    fields.update({f.name: f.label for f in checks.STANDARD_FACTS})
    fields.update(dict(checks.STAFF_ROLES))
    fields.update({"subject": gettext_lazy("审核事项"), "reopened": gettext_lazy("重新审核的事项")})
    fields["waited_seconds"] = gettext_lazy("等待时长")
    fields["staff_source"] = gettext_lazy("人员配备来源")
    staff_sources = {"roster": gettext_lazy("从业人员名册"), "typed": gettext_lazy("申请人填报")}

    sections = {
        "basic": gettext_lazy("基本信息"),
        "classes": gettext_lazy("班级"),
        "staff": gettext_lazy("人员配备"),
        "standards": gettext_lazy("设置标准"),
    }

    def display(key, value):
        if key == "section" and value in sections:
            return sections[value]
        if key in checks.STAFF_ROLE_NAMES and isinstance(value, dict):
            return _("%(n)s 人（持证 %(c)s 人）") % {
                "n": value.get("count", 0),
                "c": value.get("certified", 0),
            }
        if key in checks.STANDARD_CHOICES and value:
            return str(dict(checks.STANDARD_CHOICES[key]).get(value, value))
        if key == "staff_source" and value in staff_sources:
            return staff_sources[value]
        if key == "waited_seconds" and isinstance(value, int):
            return _("%(h)s 小时") % {"h": round(value / 3600, 1)}
        if key in checks.BASIC_FACT_NAMES and isinstance(value, str | int | float | bool):
            return fact_display(key, value)
        return None

    register_audit_labels("filings.filingapplication", fields=fields, display=display)
