"""Supervision's answers to "what is this institution's standing on a day?"
(`tuoyu.institutions.standing`, registered in AppConfig.ready()): the subsidy review
(P-SUB-1..3) asks without importing supervision. Each provider answers for every id asked
for in one query, with reasons in words for people.

- `not_blacklisted` (P-SUP-5): the institution's listing approved on or before the day;
- `no_open_critical_order` (P-SUP-3): a rectification order of critical severity issued on
  or before the day and not accepted by then;
- `not_suspended` (P-SUP-6): a zero-tolerance case suspends it on the day.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext as _

from tuoyu.supervision.models import (
    BlacklistEntry,
    RectificationOrder,
    Severity,
    ZeroToleranceCase,
)


def _add(out: dict[int, list[str]], pk: int, reason: str) -> None:
    out.setdefault(pk, []).append(reason)


def not_blacklisted(institution_ids: list[int], day: dt.date) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    rows = (
        BlacklistEntry.objects.filter(
            subject=BlacklistEntry.Subject.INSTITUTION,
            status=BlacklistEntry.Status.APPROVED,
            institution_id__in=institution_ids,
            decided_on__lte=day,
            approved_at__date__lte=day,
        )
        .order_by("institution_id", "decided_on", "pk")
        .values_list("institution_id", "decision_ref")
    )
    for pk, ref in rows:
        _add(out, pk, _("已列入黑名单（决定文号%(ref)s）") % {"ref": ref})
    return out


def no_open_critical_order(institution_ids: list[int], day: dt.date) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    rows = (
        RectificationOrder.objects.filter(
            Q(decided_at__isnull=True)
            | Q(decided_at__date__gt=day)
            | ~Q(status=RectificationOrder.Status.ACCEPTED),
            institution_id__in=institution_ids,
            severity=Severity.CRITICAL,
            created_at__date__lte=day,
        )
        .order_by("institution_id", "due_on", "pk")
        .values_list("institution_id", "finding", "due_on")
    )
    for pk, finding, due_on in rows:
        text = finding if len(finding) <= 40 else finding[:40] + "…"
        if due_on < day:
            reason = _("重大问题整改通知“%(finding)s”未办结，整改期限 %(due)s，已逾期")
        else:
            reason = _("重大问题整改通知“%(finding)s”未办结，整改期限 %(due)s")
        _add(out, pk, reason % {"finding": text, "due": due_on.isoformat()})
    return out


def suspended_cases(institution_ids, day: dt.date):
    """The zero-tolerance cases suspending the institutions on `day` (one query)."""
    return ZeroToleranceCase.objects.filter(
        Q(lifted_on__isnull=True) | Q(lifted_on__gt=day),
        Q(suspended_until__isnull=True) | Q(suspended_until__gte=day),
        institution_id__in=institution_ids,
        suspended_on__lte=day,
    ).order_by("institution_id", "suspended_on", "pk")


def suspension_words(case: ZeroToleranceCase) -> str:
    if case.suspended_until:
        return _("已被责令停业（决定文号%(ref)s，%(start)s 至 %(end)s）") % {
            "ref": case.decision_ref,
            "start": case.suspended_on.isoformat(),
            "end": case.suspended_until.isoformat(),
        }
    return _("已被责令停业（决定文号%(ref)s，自 %(start)s 起）") % {
        "ref": case.decision_ref,
        "start": case.suspended_on.isoformat(),
    }


def not_suspended(institution_ids: list[int], day: dt.date) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for case in suspended_cases(institution_ids, day).only(
        "institution_id", "decision_ref", "suspended_on", "suspended_until"
    ):
        _add(out, case.institution_id, suspension_words(case))
    return out


def register_standing_providers() -> None:
    from tuoyu.institutions.standing import register_standing

    register_standing("not_blacklisted", not_blacklisted)
    register_standing("no_open_critical_order", no_open_critical_order)
    register_standing("not_suspended", not_suspended)
