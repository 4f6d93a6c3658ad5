"""The risk score per institution (P-SUP-4): a transparent weighted sum, each contribution
stored and shown (count × weight, weights policy data). The score sets the institution's
weight in the next random draw (1 + score).

Contributions, over the look-back window (`risk_lookback_days`): failed checklist items,
complaints (except those answered as not substantiated), outbreak alerts; at the day:
open orders, overdue orders, credit rating steps below A, months since the last inspection
(or since filing, capped); staffing short on the day (workforce answers the standing key
`staffing_complete` through `tuoyu.institutions.standing`, for all the ids at once:
supervision never imports workforce).

Computed set-based: one grouped query per contribution over all the institutions asked
for, one upsert of the scores."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils.translation import gettext_lazy as _

from tuoyu import policy
from tuoyu.institutions.models import Institution
from tuoyu.institutions.standing import standing_problems
from tuoyu.supervision.models import (
    Complaint,
    CreditRating,
    Inspection,
    ItemResult,
    RectificationOrder,
    RiskScore,
    RiskSignal,
)

RATING_STEPS = {"A": 0, "B": 1, "C": 2, "D": 3}
CONTRIBUTIONS = (
    "failed_item",
    "open_order",
    "overdue_order",
    "complaint",
    "outbreak_alert",
    "credit_step",
    "month_uninspected",
    "staffing_gap",
)
STAFFING_KEY = "staffing_complete"
# What each contribution is called on the credit file (people see words, never keys).
CONTRIBUTION_LABELS = {
    "failed_item": _("检查不合格项"),
    "open_order": _("未完成的整改"),
    "overdue_order": _("逾期的整改"),
    "complaint": _("属实投诉"),
    "outbreak_alert": _("传染病预警"),
    "credit_step": _("信用等级降级"),
    "month_uninspected": _("未检查月数"),
    "staffing_gap": _("人员配备不足"),
}


def weight(rules, key: str) -> Decimal:
    """The policy weight of contribution `key` (P-SUP-4)."""
    return getattr(rules, f"risk_weight_{key}")


def _counts(qs, ids, field: str = "institution_id") -> dict[int, int]:
    if ids is not None:
        qs = qs.filter(**{f"{field}__in": ids})
    return dict(qs.values_list(field).annotate(n=Count("pk")).values_list(field, "n"))


def _months(since: dt.date | None, today: dt.date, cap: int) -> int:
    if since is None:
        return cap
    return max(0, min(cap, (today.year - since.year) * 12 + today.month - since.month))


def contribution_counts(ids: list[int] | None, today: dt.date) -> dict[str, dict[int, int]]:
    rules = policy.at(today).supervision
    start = today - dt.timedelta(rules.risk_lookback_days)
    unaccepted = RectificationOrder.objects.exclude(status=RectificationOrder.Status.ACCEPTED)
    return {
        "failed_item": _counts(
            ItemResult.objects.filter(
                outcome=ItemResult.Outcome.FAIL, inspection__performed_on__gte=start
            ),
            ids,
        ),
        "open_order": _counts(unaccepted.filter(due_on__gte=today), ids),
        "overdue_order": _counts(unaccepted.filter(due_on__lt=today), ids),
        "complaint": _counts(
            Complaint.objects.filter(created_at__date__gte=start).exclude(substantiated=False),
            ids,
        ),
        "outbreak_alert": _counts(
            RiskSignal.objects.filter(kind=RiskSignal.Kind.OUTBREAK_ALERT, occurred_on__gte=start),
            ids,
        ),
    }


def _population(ids):
    qs = (
        Institution.objects.filter(filing_status="filed")
        if ids is None
        else (Institution.objects.filter(pk__in=ids))
    )
    return qs.annotate(
        last_inspected=Max(
            "supervision_inspections__performed_on",
            filter=Q(supervision_inspections__status=Inspection.Status.DONE),
        )
    ).values_list("pk", "filed_on", "last_inspected")


def scores_for(ids: list[int] | None, today: dt.date) -> dict[int, tuple[Decimal, dict]]:
    """{institution id: (score, contributions)} for `ids` (None: every filed institution)."""
    rules = policy.at(today).supervision
    counts = contribution_counts(ids, today)
    ratings = dict(
        (
            CreditRating.objects.filter(institution_id__in=ids)
            if ids is not None
            else CreditRating.objects.all()
        ).values_list("institution_id", "rating")
    )
    out = {}
    population = list(_population(ids))
    # One provider call for all of them (workforce, P-SUP-4); no provider: nothing counted.
    short = standing_problems([STAFFING_KEY], [pk for pk, _f, _l in population], today)[
        STAFFING_KEY
    ]
    for pk, filed_on, last in population:
        row = {key: counts[key].get(pk, 0) for key in counts}
        row["staffing_gap"] = 1 if short.get(pk) else 0
        row["credit_step"] = RATING_STEPS.get(ratings.get(pk, "A"), 0)
        row["month_uninspected"] = _months(
            last or filed_on, today, rules.risk_max_months_uninspected
        )
        contributions, score = {}, Decimal(0)
        for key in CONTRIBUTIONS:
            w = weight(rules, key)
            points = w * row[key]
            score += points
            contributions[key] = {"count": row[key], "weight": str(w), "points": str(points)}
        out[pk] = (score, contributions)
    return out


def risk_recompute(*, institution_ids: list[int] | None = None, today: dt.date | None = None):
    """Recompute and store the scores of `institution_ids` (None: all filed institutions)."""
    today = today or policy.today()
    scores = scores_for(institution_ids, today)
    rows = [
        RiskScore(institution_id=pk, score=score, contributions=contributions, computed_on=today)
        for pk, (score, contributions) in scores.items()
    ]
    with transaction.atomic():
        RiskScore.objects.bulk_create(
            rows,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["institution"],
            update_fields=["score", "contributions", "computed_on"],
        )
    return len(rows)


def risk_signal_record(
    *, institution_id: int, kind: str, ref_id: str, occurred_on: dt.date, recompute: bool = True
):
    """An outbreak alert (or another signal) counted for the institution's risk; with
    `recompute=False` the score follows in the job `supervision.risk_recompute_institution`
    (enqueued by the caller) or in the daily recompute."""
    with transaction.atomic():
        RiskSignal.objects.get_or_create(
            institution_id=institution_id,
            kind=kind,
            ref_id=str(ref_id),
            defaults={"occurred_on": occurred_on},
        )
        if recompute:
            risk_recompute(institution_ids=[institution_id])
