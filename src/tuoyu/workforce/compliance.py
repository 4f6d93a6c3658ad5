"""Staffing compliance per institution, per class, per day (P-STD-1, P-STD-2, P-HC-5,
P-SUP-6), from policy data only (`policy.at(day)`).

The inputs are loaded in a constant number of queries for any number of institutions
(`compliance_gaps`): the filed classes, the employments active on the day and their
certificates valid on the day. A class is judged against the children enrolled in it, as the
children app reports them through `institutions.public_facts` (floor 9 apps never import each
other); an institution that records no children on the platform is judged against its filed
capacity (the most children it may take), the strictest reading of P-STD-1.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from tuoyu import policy
from tuoyu.institutions import public_facts
from tuoyu.institutions.models import CareClass
from tuoyu.workforce.models import EDUCATION_RANK, Certificate, CertificateKind, Role, StaffMember


@dataclass(frozen=True)
class Gap:
    rule: str  # P-STD-1 …
    code: str  # a stable key for tests and data-code attributes
    message: str
    people: tuple[str, ...] = ()
    care_class: str = ""
    staff_ids: tuple[int, ...] = field(default=(), compare=False)


def active_on(day: dt.date) -> Q:
    """Employments active on `day` (the leave date is the first day no longer worked)."""
    return Q(hired_on__lte=day) & (Q(left_on__isnull=True) | Q(left_on__gt=day))


def months_before(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _valid_on(day: dt.date, exam_months: int) -> Q:
    """Certificates valid on `day`; a health certificate without an end date is valid for
    the policy's examination interval (P-HC-5: yearly)."""
    open_ended = Q(valid_until__isnull=True) & (
        ~Q(kind=CertificateKind.HEALTH_CERTIFICATE)
        | Q(valid_from__gt=months_before(day, exam_months))
    )
    return Q(valid_from__lte=day) & (Q(valid_until__gte=day) | open_ended)


def load(institution_ids, day: dt.date):
    """(classes by institution, staff by institution, valid kinds by staff id): 3 queries."""
    ids = list(institution_ids)
    classes = defaultdict(list)
    for c in CareClass.objects.filter(institution_id__in=ids, status=CareClass.Status.FILED).only(
        "pk", "institution_id", "name", "class_type", "capacity"
    ):
        classes[c.institution_id].append(c)
    _attach_children(classes)
    staff = defaultdict(list)
    for s in (
        StaffMember.objects.filter(active_on(day), institution_id__in=ids)
        .only(
            "pk",
            "institution_id",
            "name",
            "role",
            "care_class_id",
            "full_time",
            "education",
            "experience_years",
            "head_training",
            "banned_by_id",
        )
        .order_by("pk")
    ):
        staff[s.institution_id].append(s)
    months = policy.at(day).health.staff_exam_interval_months
    kinds = defaultdict(set)
    rows = Certificate.objects.filter(
        _valid_on(day, months),
        institution_id__in=ids,
        staff__in=StaffMember.objects.filter(active_on(day), institution_id__in=ids),
    ).values_list("staff_id", "kind")
    for staff_id, kind in rows:
        kinds[staff_id].add(kind)
    return classes, staff, kinds


def _attach_children(classes) -> None:
    """Set `c.children_counted` (the number the ratios are judged on) and `c.basis` on every class:
    the enrolled children where the institution records any, else the filed capacity."""
    enrolled = public_facts.enrolled_by_class([c.pk for cs in classes.values() for c in cs])
    for institution_classes in classes.values():
        counted = any(enrolled.get(c.pk) for c in institution_classes)
        for c in institution_classes:
            c.children_counted = enrolled.get(c.pk, 0) if counted else c.capacity
            c.basis = "enrolled" if counted else "capacity"


def _names(people) -> tuple[str, ...]:
    return tuple(p.name for p in people)


def _ratio_gaps(rules, classes, staff) -> list[Gap]:
    gaps = []
    by_class = defaultdict(list)
    for s in staff:
        if s.role == Role.CAREGIVER and s.care_class_id:
            by_class[s.care_class_id].append(s)
    for c in classes:
        standard = rules.classes[c.class_type]
        needed = standard.min_caregivers(c.children_counted)
        have = by_class.get(c.pk, [])
        if len(have) < needed:
            text = (
                _(
                    "%(cls)s 在托 %(n)s 人，按 %(ratio)s 至少需保育人员 %(need)s 名，现有 %(have)s 名"
                )
                if c.basis == "enrolled"
                else _(
                    "%(cls)s 核定 %(n)s 人，按 %(ratio)s 至少需保育人员 %(need)s 名，现有 %(have)s 名"
                )
            )
            gaps.append(
                Gap(
                    "P-STD-1",
                    "caregiver_ratio",
                    text
                    % {
                        "cls": c.name,
                        "n": c.children_counted,
                        "ratio": standard.caregiver_ratio,
                        "need": needed,
                        "have": len(have),
                    },
                    _names(have),
                    c.name,
                    tuple(s.pk for s in have),
                )
            )
    return gaps


def _head_gaps(rules, staff) -> list[Gap]:
    heads = [s for s in staff if s.role == Role.PRINCIPAL]
    if not heads:
        return [Gap("P-STD-2", "head_missing", _("未配备负责人"))]
    minimum = rules.workforce.head_min_education
    years = rules.standards.head_min_experience_years
    gaps = []
    for h in heads:
        problems = []
        if EDUCATION_RANK.get(h.education, 0) < EDUCATION_RANK[minimum]:
            problems.append(
                _("学历低于大专") if minimum == "junior_college" else _("学历不符合要求")
            )
        if h.experience_years < years:
            problems.append(_("相关工作经历不足 %(y)s 年") % {"y": years})
        if not h.head_training:
            problems.append(_("未参加负责人岗位培训"))
        if problems:
            gaps.append(
                Gap(
                    "P-STD-2",
                    "head_qualification",
                    _("负责人：") + "；".join(problems),
                    (h.name,),
                    "",
                    (h.pk,),
                )
            )
    return gaps


def _health_worker_gaps(rules, classes, staff, kinds) -> list[Gap]:
    gaps = []
    workers = [s for s in staff if s.role == Role.HEALTH_WORKER]
    minimum = rules.standards.min_health_workers
    if len(workers) < minimum:
        gaps.append(
            Gap(
                "P-STD-2",
                "health_worker_missing",
                _("保健人员不少于 %(n)s 名，现有 %(have)s 名")
                % {"n": minimum, "have": len(workers)},
            )
        )
    accepted = set(rules.workforce.health_worker_certificate_kinds)
    untrained = [w for w in workers if not (kinds.get(w.pk, set()) & accepted)]
    if untrained:
        gaps.append(
            Gap(
                "P-STD-2",
                "health_worker_untrained",
                _("保健人员未持有效的%(kinds)s")
                % {"kinds": "、".join(rules.workforce.health_worker_certificate_kinds.values())},
                _names(untrained),
                "",
                tuple(w.pk for w in untrained),
            )
        )
    children = sum(c.children_counted for c in classes)
    threshold = rules.standards.full_time_health_worker_threshold_children
    if children >= threshold and not any(w.full_time for w in workers):
        gaps.append(
            Gap(
                "P-STD-2",
                "health_worker_full_time",
                _("按 %(n)s 名儿童计，达到 %(t)s 人须配备专职保健人员")
                % {"n": children, "t": threshold},
            )
        )
    return gaps


def _security_gaps(staff, kinds) -> list[Gap]:
    guards = [s for s in staff if s.role == Role.SECURITY]
    if not any(CertificateKind.SECURITY_GUARD in kinds.get(g.pk, set()) for g in guards):
        return [
            Gap(
                "P-STD-2",
                "security_guard_missing",
                _("未配备持有效保安员证的安保人员"),
                _names(guards),
                "",
                tuple(g.pk for g in guards),
            )
        ]
    return []


def _health_certificate_gaps(staff, kinds) -> list[Gap]:
    missing = [s for s in staff if CertificateKind.HEALTH_CERTIFICATE not in kinds.get(s.pk, set())]
    if not missing:
        return []
    return [
        Gap(
            "P-HC-5",
            "health_certificate_invalid",
            _("无有效健康合格证，当日不得上岗"),
            _names(missing),
            "",
            tuple(s.pk for s in missing),
        )
    ]


def _ban_gaps(staff) -> list[Gap]:
    flagged = [s for s in staff if s.banned_by_id]
    if not flagged:
        return []
    return [
        Gap(
            "P-SUP-6",
            "banned_employed",
            _("终身禁入人员仍在岗，须立即调离"),
            _names(flagged),
            "",
            tuple(s.pk for s in flagged),
        )
    ]


def institution_gaps(rules, classes, staff, kinds) -> list[Gap]:
    return [
        *_ban_gaps(staff),
        *_ratio_gaps(rules, classes, staff),
        *_head_gaps(rules, staff),
        *_health_worker_gaps(rules, classes, staff, kinds),
        *_security_gaps(staff, kinds),
        *_health_certificate_gaps(staff, kinds),
    ]


def compliance_gaps(institution_ids, day: dt.date) -> dict[int, list[Gap]]:
    """{institution id: its gaps on `day`} (institutions without gaps map to [])."""
    ids = list(institution_ids)
    rules = policy.at(day)
    classes, staff, kinds = load(ids, day)
    return {i: institution_gaps(rules, classes.get(i, []), staff.get(i, []), kinds) for i in ids}
