"""Outbreak early warning (P-HC-6, P-SUP-4): after every write of checks, the class and
institution thresholds of the policy (`policy.at(day).health.outbreak`) are evaluated on
the days the write touched.

Rules (cases = distinct children with the symptom in the window ending on a day):
- `class_same_day`: one class, one day, ≥ `class_similar_cases_same_day` (3) children
  with the same symptom of the policy's list (fever, rash, diarrhoea, vomiting, jaundice);
- `class_window`: one class, `class_similar_window_days` (3) consecutive days,
  ≥ `class_similar_cases_in_window` (5) children;
- `hfmd_class`: one class, `hfmd_class_window_days` (7) days, ≥ `hfmd_class_cases` (2)
  children with hand-foot-mouth signs;
- `hfmd_institution`: the institution, `hfmd_institution_window_days` (7) days,
  ≥ `hfmd_institution_cases` (5) children.

A late record can complete a window ending after its own day, so windows ending on each
touched day and up to `window_days - 1` after it are looked at. One alert per class (or
institution), kind and symptom for overlapping windows: a window whose end lies within
`window_days` of an alert's is that alert. Reads: the symptomatic checks of the institution
around the touched days (one query, a partial index) and the alerts nearby (one query).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tuoyu import policy
from tuoyu.audit.services import audit_record
from tuoyu.children.catalogue import ChildrenAction, ChildrenError
from tuoyu.children.models import HFMD_SYMPTOM, HealthCheck, OutbreakAlert
from tuoyu.core import events
from tuoyu.core.errors import DomainError
from tuoyu.institutions.models import Institution

# The policy lists symptoms in British spelling where API-CONTRACT §3 has the US one.
POLICY_SYMPTOM_ALIASES = {"diarrhoea": "diarrhea"}
MAX_WINDOW_DAYS = 31


@dataclass(frozen=True)
class Rule:
    kind: str
    scope: str
    symptoms: tuple[str, ...]
    threshold: int
    window_days: int


def rules_on(day: dt.date) -> list[Rule]:
    o = policy.at(day).health.outbreak
    similar = tuple(POLICY_SYMPTOM_ALIASES.get(s, s) for s in o.symptoms)
    K, S = OutbreakAlert.Kind, OutbreakAlert.Scope
    return [
        Rule(K.CLASS_SAME_DAY, S.CLASS, similar, o.class_similar_cases_same_day, 1),
        Rule(
            K.CLASS_WINDOW,
            S.CLASS,
            similar,
            o.class_similar_cases_in_window,
            o.class_similar_window_days,
        ),
        Rule(K.HFMD_CLASS, S.CLASS, (HFMD_SYMPTOM,), o.hfmd_class_cases, o.hfmd_class_window_days),
        Rule(
            K.HFMD_INSTITUTION,
            S.INSTITUTION,
            (HFMD_SYMPTOM,),
            o.hfmd_institution_cases,
            o.hfmd_institution_window_days,
        ),
    ]


def _symptomatic(institution_id: int, start: dt.date, end: dt.date):
    """{symptom: [(class_id, child_id, date)]} of the institution's checks in [start, end]."""
    out: dict[str, list] = defaultdict(list)
    rows = (
        HealthCheck.objects.filter(institution_id=institution_id, date__range=(start, end))
        .exclude(symptoms="")
        .values_list("care_class_id", "child_id", "date", "symptoms")
    )
    for class_id, child_id, day, symptoms in rows:
        for s in symptoms.split(","):
            if s:
                out[s].append((class_id, child_id, day))
    return out


def _cases(entries, *, class_id, start, end) -> dict[int, set]:
    children: dict[int, set] = defaultdict(set)
    for c, child_id, day in entries:
        if start <= day <= end and (class_id is None or c == class_id):
            children[child_id].add(day)
    return children


def _candidates(rows: list[dict], rules: list[Rule]):
    """(rule, class_id or None, symptom, window end) to look at, from the accepted rows."""
    seen = set()
    for row in rows:
        if not row["symptoms"]:
            continue
        present = {s for s in row["symptoms"].split(",") if s}
        for rule in rules:
            class_id = row["care_class_id"] if rule.scope == OutbreakAlert.Scope.CLASS else None
            for symptom in present.intersection(rule.symptoms):
                for k in range(rule.window_days):
                    key = (rule, class_id, symptom, row["date"] + dt.timedelta(days=k))
                    if key not in seen:
                        seen.add(key)
                        yield key


def outbreak_evaluate(*, acting_user, institution: Institution, rows: list[dict]) -> list:
    """Raise the alerts the accepted `rows` cause (inside the caller's transaction);
    returns the new alerts."""
    days = [r["date"] for r in rows if r["symptoms"]]
    if not days:
        return []
    rules = rules_on(max(days))
    widest = min(max(r.window_days for r in rules), MAX_WINDOW_DAYS)
    lo, hi = min(days) - dt.timedelta(days=widest), max(days) + dt.timedelta(days=widest)
    entries = _symptomatic(institution.pk, lo, hi)
    known: dict[tuple, list[dt.date]] = defaultdict(list)
    for a in OutbreakAlert.objects.filter(
        institution=institution, window_end__range=(lo - dt.timedelta(days=widest), hi)
    ).values("care_class_id", "kind", "symptom", "window_end"):
        known[(a["care_class_id"], a["kind"], a["symptom"])].append(a["window_end"])
    raised = []
    for rule, class_id, symptom, end in sorted(
        _candidates(rows, rules), key=lambda c: (c[3], c[0].kind, c[1] or 0, c[2])
    ):
        key = (class_id, rule.kind, symptom)
        if any(abs((end - e).days) < rule.window_days for e in known[key]):
            continue
        start = end - dt.timedelta(days=rule.window_days - 1)
        cases = _cases(entries.get(symptom, ()), class_id=class_id, start=start, end=end)
        if len(cases) < rule.threshold:
            continue
        alert = _raise(acting_user, institution, rule, class_id, symptom, start, end, cases)
        known[key].append(end)
        raised.append(alert)
    return raised


def _raise(acting_user, institution, rule, class_id, symptom, start, end, cases) -> OutbreakAlert:
    alert = OutbreakAlert.objects.create(
        institution=institution,
        care_class_id=class_id,
        kind=rule.kind,
        scope=rule.scope,
        symptom=symptom,
        cases=len(cases),
        window_days=rule.window_days,
        window_start=start,
        window_end=end,
        cases_detail=[
            {"child_id": child_id, "dates": sorted(d.isoformat() for d in dates)}
            for child_id, dates in sorted(cases.items())
        ],
    )
    audit_record(
        action=ChildrenAction.ALERT_RAISED,
        actor=acting_user,
        obj=alert,
        detail={"kind": rule.kind, "symptom": symptom, "cases": len(cases), "window_end": end},
    )
    # P-SUP-4: supervision may act on it (on commit: no notice for a rolled-back batch).
    events.emit(
        events.OUTBREAK_ALERT_RAISED,
        institution_id=institution.pk,
        alert_id=alert.pk,
        acting_user=acting_user,
    )
    return alert


def alert_acknowledge(*, acting_user, alert: OutbreakAlert) -> OutbreakAlert:
    with transaction.atomic():
        alert = OutbreakAlert.objects.select_for_update().get(pk=alert.pk)
        if alert.status == OutbreakAlert.Status.CLOSED:
            raise DomainError(ChildrenError.ALERT_ALREADY_CLOSED, status=409)
        if alert.status == OutbreakAlert.Status.OPEN:
            alert.status = OutbreakAlert.Status.ACKNOWLEDGED
            alert.acknowledged_at = timezone.now()
            alert.acknowledged_by_id = acting_user.pk
            alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by_id"])
            audit_record(action=ChildrenAction.ALERT_ACKNOWLEDGED, actor=acting_user, obj=alert)
    return alert


def alert_close(*, acting_user, alert: OutbreakAlert, action_taken: str) -> OutbreakAlert:
    """Closed with the action taken (P-HC-6: reported, disinfected, children sent home …)."""
    action_taken = (action_taken or "").strip()
    if not action_taken:
        raise DomainError(ChildrenError.ACTION_TAKEN_REQUIRED, field="action_taken")
    with transaction.atomic():
        alert = OutbreakAlert.objects.select_for_update().get(pk=alert.pk)
        if alert.status == OutbreakAlert.Status.CLOSED:
            raise DomainError(ChildrenError.ALERT_ALREADY_CLOSED, status=409)
        now = timezone.now()
        if alert.acknowledged_at is None:
            alert.acknowledged_at, alert.acknowledged_by_id = now, acting_user.pk
        alert.status = OutbreakAlert.Status.CLOSED
        alert.closed_at, alert.closed_by_id = now, acting_user.pk
        alert.action_taken = action_taken[:2000]
        alert.save()
        audit_record(
            action=ChildrenAction.ALERT_CLOSED,
            actor=acting_user,
            obj=alert,
            detail={"action_taken": alert.action_taken},
        )
    return alert
