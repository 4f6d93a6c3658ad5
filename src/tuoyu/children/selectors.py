"""Reads of children, checks and alerts, every one through `scopes.children_visible`
(outside the scope = 404)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from tuoyu.children.models import (
    Child,
    Examination,
    HealthCheck,
    MedicalCertificate,
    OutbreakAlert,
)
from tuoyu.children.scopes import children_visible
from tuoyu.children.services.enrolment import age_in_months
from tuoyu.core.errors import NotFound
from tuoyu.core.scope import scope_of
from tuoyu.institutions.models import CareClass, Institution
from tuoyu.institutions.scopes import institutions_visible


def institution_for_children(*, acting_user, uscc: str) -> Institution:
    """The institution by uscc if the caller may see its children, else 404."""
    scope = scope_of(acting_user)
    qs = children_visible(
        institutions_visible(Institution.objects.all(), scope),
        scope,
        institution="pk",
        township="township_id",
    )
    institution = qs.filter(uscc=(uscc or "").upper()).first()
    if institution is None:
        raise NotFound()
    return institution


def children_of(*, acting_user, institution: Institution, active_only: bool = True):
    qs = children_visible(Child.objects.filter(institution=institution), scope_of(acting_user))
    if active_only:
        qs = qs.filter(status=Child.Status.ACTIVE)
    return qs.select_related("care_class")


def classes_open(*, acting_user, institution: Institution) -> list[CareClass]:
    """The filed classes of the caller's own institution (the enrolment form's choices)."""
    if scope_of(acting_user).institution_id != institution.pk:
        return []
    return list(
        institution.classes.filter(status=CareClass.Status.FILED).order_by("class_type", "name")
    )


def child_get(*, acting_user, child_id: int) -> Child:
    child = (
        children_visible(Child.objects.all(), scope_of(acting_user))
        .select_related("institution", "care_class")
        .filter(pk=child_id)
        .first()
    )
    if child is None:
        raise NotFound()
    return child


def class_roster(*, acting_user, care_class: CareClass, on: dt.date) -> list[Child]:
    """The children in care in a class on a day (the caregiver's check page)."""
    qs = children_visible(
        Child.objects.filter(care_class=care_class, enrolled_on__lte=on), scope_of(acting_user)
    ).exclude(left_on__lt=on)
    return list(qs.order_by("pk"))


def awaiting_certificate(*, acting_user, care_class: CareClass, on: dt.date) -> dict[int, dict]:
    """P-HC-3: child id → the sent-home check (up to `on`) still without a certificate,
    for the class's roster (the class page marks them)."""
    from tuoyu.children.services.certificates import awaiting_certificate as pending

    ids = [c.pk for c in class_roster(acting_user=acting_user, care_class=care_class, on=on)]
    return pending(care_class.institution_id, ids, up_to=on) if ids else {}


def awaiting_certificate_of(*, acting_user, child: Child) -> dict | None:
    from tuoyu.children.services.certificates import awaiting_certificate as pending

    child = child_get(acting_user=acting_user, child_id=child.pk)
    return pending(child.institution_id, [child.pk]).get(child.pk)


def certificates_of(*, acting_user, child: Child) -> list[MedicalCertificate]:
    """P-HC-3: the medical certificates recorded for a child, newest first (the child's
    page and the certificate page list them, with the scan's download where one is
    stored); scoped like the child."""
    qs = children_visible(MedicalCertificate.objects.filter(child=child), scope_of(acting_user))
    return list(qs.order_by("-issued_on", "-pk"))


def certificate_scan_get(*, acting_user, certificate_id: int) -> MedicalCertificate:
    """P-HC-3: a medical certificate whose scan the caller may download — the child's
    institution, the township the institution is located in, 区卫健局
    (`scopes.children_visible`). Anyone else, or a certificate without a scan: 404, the
    same answer as for one that does not exist (no hint that it does)."""
    return _with_scan(MedicalCertificate.objects.exclude(scan=""), certificate_id, acting_user)


def _with_scan(qs, pk: int, acting_user):
    """The row `pk` of `qs` (rows with a stored scan) if the caller sees its child; else
    NotFound, whether it does not exist, has no scan or is out of scope."""
    row = children_visible(qs, scope_of(acting_user)).select_related("child").filter(pk=pk).first()
    if row is None:
        raise NotFound()
    return row


def checks_of_class_day(*, acting_user, care_class: CareClass, on: dt.date, session: str):
    qs = children_visible(
        HealthCheck.objects.filter(care_class=care_class, date=on, session=session),
        scope_of(acting_user),
    )
    return {c.child_id: c for c in qs}


def outgrown(*, acting_user, institution: Institution, on: dt.date) -> list[Child]:
    """Children whose age no longer fits their class type (P-STD-1): to be moved."""
    from tuoyu.institutions.services.classes import class_admits_age

    return [
        c
        for c in children_of(acting_user=acting_user, institution=institution)
        if not class_admits_age(c.care_class.class_type, age_in_months(c.birth_date, on), on)
    ]


def entry_exam_missing(*, acting_user, institution: Institution) -> QuerySet[Child]:
    """P-HC-1: active children with no complete entry examination — neither a finding
    typed in nor the examination form's scan (`services.examinations.ENTRY_COMPLETE`: a
    scan alone satisfies it)."""
    from tuoyu.children.services.examinations import ENTRY_COMPLETE

    done = Examination.objects.filter(
        ENTRY_COMPLETE, institution=institution, kind=Examination.Kind.ENTRY
    ).values("child_id")
    return children_of(acting_user=acting_user, institution=institution).exclude(pk__in=done)


def examination_scan_get(*, acting_user, exam_id: int) -> Examination:
    """P-HC-1: an examination whose form scan the caller may download — the child's
    institution, the township the institution is located in, 区卫健局
    (`scopes.children_visible`). Anyone else, or an examination without a scan: 404, the
    same answer as for one that does not exist (no hint that it does)."""
    return _with_scan(Examination.objects.exclude(form_scan=""), exam_id, acting_user)


def vaccination_overdue(*, acting_user, institution: Institution, on: dt.date):
    """P-HC-4: certificate not checked by its deadline, or a catch-up re-check not done by
    31 December of the year of the first check."""
    qs = children_of(acting_user=acting_user, institution=institution)
    late = [
        c
        for c in qs
        if (
            c.vaccination_checked_on is None
            and c.vaccination_due_on is not None
            and c.vaccination_due_on < on
        )
        or (
            c.vaccination_catch_up
            and c.vaccination_checked_on is not None
            and c.vaccination_recheck_on is None
            and dt.date(c.vaccination_checked_on.year, 12, 31) < on
        )
    ]
    return late


def alerts_visible(*, acting_user, status: str | None = None) -> QuerySet[OutbreakAlert]:
    qs = children_visible(OutbreakAlert.objects.all(), scope_of(acting_user))
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("institution", "care_class")


def alert_get(*, acting_user, alert_id: int) -> OutbreakAlert:
    alert = alerts_visible(acting_user=acting_user).filter(pk=alert_id).first()
    if alert is None:
        raise NotFound()
    return alert


def alert_children(alert: OutbreakAlert) -> list[tuple[Child, list[str]]]:
    """The children and days behind an alert (masked names on screen)."""
    ids = [d["child_id"] for d in alert.cases_detail]
    by_id = Child.objects.filter(institution_id=alert.institution_id).in_bulk(ids)
    return [
        (by_id[d["child_id"]], d["dates"]) for d in alert.cases_detail if d["child_id"] in by_id
    ]


# --- P-HC-2 examination schedule ------------------------------------------------------------


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def exam_due_on(child: Child, last_exam: dt.date | None, on: dt.date) -> dt.date:
    """P-HC-2: 4 a year under 1 (every 12/4 months), 2 a year from 1 to 3, 6 months apart
    (policy `health.exams_per_year_under_1`, `exam_interval_months_1_to_3`); the first is
    due at enrolment when no examination is recorded."""
    from tuoyu import policy

    if last_exam is None:
        return child.enrolled_on
    h = policy.at(on).health
    under_1 = age_in_months(child.birth_date, last_exam) < 12
    interval = 12 // h.exams_per_year_under_1 if under_1 else h.exam_interval_months_1_to_3
    return _add_months(last_exam, interval)


def exams_overdue(*, acting_user, on: dt.date, institution: Institution | None = None):
    """Children in care whose next examination is past due on `on` (P-HC-2), with their
    due date: per institution, or everything the caller sees (a township, 区卫健局)."""
    from django.db.models import Max

    qs = children_visible(
        Child.objects.filter(status=Child.Status.ACTIVE), scope_of(acting_user)
    ).select_related("institution", "care_class")
    if institution is not None:
        qs = qs.filter(institution=institution)
    qs = qs.annotate(last_exam=Max("examinations__examined_on"))
    out = []
    for child in qs.iterator(chunk_size=2000):
        due = exam_due_on(child, child.last_exam, on)
        if due < on:
            out.append((child, due))
    return out


def growth_series(child: Child) -> list[Examination]:
    """The measured examinations of a child, oldest first (the growth table and chart)."""
    return list(child.examinations.filter(weight_kg__isnull=False).order_by("examined_on", "pk"))


def enrolled_by_class(class_ids: list[int]) -> dict[int, int]:
    """Children in care per class today: what the public listing's vacancies (API-CONTRACT
    §6) and the caregiver ratios of workforce (P-STD-1) count, through
    `institutions.public_facts`. One statement, on the class index.

    Written as SQL on the cursor: it runs on every public search, where building and
    compiling the ORM query cost more than the indexed statement itself ([scale] #10)."""
    from django.db import connection

    ids = [int(i) for i in class_ids]
    if not ids:
        return {}
    table = connection.ops.quote_name(Child._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT care_class_id, COUNT(*) FROM {table} "
            f"WHERE status = %s AND care_class_id IN ({marks}) GROUP BY care_class_id",
            [Child.Status.ACTIVE, *ids],
        )
        return dict(cursor.fetchall())


def register_enrolment_counter() -> None:
    from tuoyu.institutions import public_facts

    public_facts.register_enrolment_counter(enrolled_by_class)


def vaccination_rechecks_marked(*, acting_user, institution: Institution, year: int):
    """P-HC-4: the children the year-end job marked for `year` whose re-check is still not
    recorded (the institution's children page)."""
    from tuoyu.children.models import VaccinationRecheck

    done_since = dt.date(year, 1, 1)
    child_ids = VaccinationRecheck.objects.filter(institution=institution, year=year).values(
        "child_id"
    )
    return (
        children_of(acting_user=acting_user, institution=institution)
        .filter(pk__in=child_ids)
        .exclude(vaccination_recheck_on__gte=done_since)
        .order_by("care_class__name", "pk")
    )


# --- meal-fee accounts (P-HC-7) -----------------------------------------------------------

MEAL_MONTHS_SHOWN = 12


def _meal_months(institution: Institution, today: dt.date) -> list[dt.date]:
    """The completed months (newest first) an account is due for: the last
    MEAL_MONTHS_SHOWN, not before the month the institution was filed."""
    from tuoyu.children.services.meals import month_start

    first = month_start(institution.filed_on) if institution.filed_on else None
    months, month = [], month_start(today)
    for _ in range(MEAL_MONTHS_SHOWN):
        month = month_start(month - dt.timedelta(days=1))
        if first is not None and month < first:
            break
        months.append(month)
    return months


def meal_months(*, acting_user, institution: Institution, today: dt.date) -> list[dict]:
    """Each due month with its account (published ones to anyone who sees the institution;
    drafts to the institution itself), its deadline and whether it is overdue."""
    from tuoyu.children.models import MealFeeAccount
    from tuoyu.children.services.meals import publish_deadline

    if not institution.serves_meals:
        return []
    own = scope_of(acting_user).institution_id == institution.pk
    accounts = {
        a.month: a
        for a in MealFeeAccount.objects.filter(institution=institution)
        if own or a.published_at is not None
    }
    rows = []
    for month in _meal_months(institution, today):
        account = accounts.get(month)
        deadline = publish_deadline(month)
        published = account is not None and account.published_at is not None
        rows.append(
            {
                "month": month,
                "account": account,
                "deadline": deadline,
                "published": published,
                "overdue": not published and today > deadline,
            }
        )
    return rows


def meal_accounts_overdue(*, acting_user, today: dt.date) -> list[dict]:
    """For 区卫健局 and a township: the filed institutions serving meals that have months
    overdue (one query of institutions, one of published accounts)."""
    from tuoyu.children.models import MealFeeAccount
    from tuoyu.children.services.meals import publish_deadline

    scope = scope_of(acting_user)
    institutions = list(
        children_visible(
            institutions_visible(Institution.objects.all(), scope),
            scope,
            institution="pk",
            township="township_id",
        )
        .filter(serves_meals=True, filing_status=Institution.FilingStatus.FILED)
        .order_by("name")
    )
    oldest = month_start_of(today, MEAL_MONTHS_SHOWN)
    published = set(
        MealFeeAccount.objects.filter(
            institution__in=institutions, month__gte=oldest, published_at__isnull=False
        ).values_list("institution_id", "month")
    )
    out = []
    for institution in institutions:
        late = [
            m
            for m in _meal_months(institution, today)
            if today > publish_deadline(m) and (institution.pk, m) not in published
        ]
        if late:
            out.append({"institution": institution, "months": late})
    return out


def month_start_of(today: dt.date, months_back: int) -> dt.date:
    year, month = divmod(today.year * 12 + today.month - 1 - months_back, 12)
    return dt.date(year, month + 1, 1)


def _meals_tab(request, institution) -> dict:
    from django.utils import timezone

    return {
        "institution": institution,
        "meal_rows": meal_months(
            acting_user=request.user, institution=institution, today=timezone.localdate()
        ),
    }


def register_institution_tab() -> None:
    from django.utils.translation import gettext_lazy

    from tuoyu.institutions.tabs import InstitutionTab, register_tab

    register_tab(
        InstitutionTab(
            "meals",
            gettext_lazy("伙食费公示"),
            "children/_meals_tab.html",
            _meals_tab,
            order=45,
        )
    )
