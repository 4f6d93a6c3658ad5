"""Reads of children, checks and alerts, every one through `scopes.children_visible`
(outside the scope = 404)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from tuoyu.children.models import Child, Examination, HealthCheck, OutbreakAlert
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
    """P-HC-1: active children with no entry examination recorded."""
    return children_of(acting_user=acting_user, institution=institution).exclude(
        examinations__kind=Examination.Kind.ENTRY
    )


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
    `institutions.public_facts`. One query, on the class index."""
    from django.db.models import Count

    rows = (
        Child.objects.filter(care_class_id__in=class_ids, status=Child.Status.ACTIVE)
        .values("care_class_id")
        .annotate(n=Count("pk"))
        .values_list("care_class_id", "n")
    )
    return dict(rows)


def register_enrolment_counter() -> None:
    from tuoyu.institutions import public_facts

    public_facts.register_enrolment_counter(enrolled_by_class)
