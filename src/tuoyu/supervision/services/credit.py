"""Credit files (P-SUP-5): each event carries its points and the rule it follows (policy
data); the institution's score and A/B/C/D rating are recomputed on every event."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Sum

from tuoyu import policy
from tuoyu.audit.services import audit_record
from tuoyu.supervision.catalogue import SupervisionAction
from tuoyu.supervision.models import CreditEvent, CreditRating

RATINGS = ("A", "B", "C", "D")


def points_for(kind: str, day: dt.date) -> tuple[int, str]:
    """The points of a credit event of `kind` on `day` and the rule's reference."""
    key = f"supervision.credit_points_{kind}"
    return policy.value(key, day), policy.ref(key, day).ref


def rating_for(score: int, day: dt.date) -> str:
    rules = policy.at(day).supervision
    if score >= rules.credit_rating_a_min:
        return "A"
    if score >= rules.credit_rating_b_min:
        return "B"
    if score >= rules.credit_rating_c_min:
        return "C"
    return "D"


def rating_recompute(institution_id: int, day: dt.date) -> CreditRating:
    total = (
        CreditEvent.objects.filter(institution_id=institution_id).aggregate(s=Sum("points"))["s"]
        or 0
    )
    score = policy.at(day).supervision.credit_base_score + total
    rating, _ = CreditRating.objects.update_or_create(
        institution_id=institution_id,
        defaults={"score": score, "rating": rating_for(score, day)},
    )
    return rating


def credit_event_record(
    *,
    acting_user,
    institution,
    kind: str,
    occurred_on: dt.date,
    description: str,
    source: str,
    public: bool = True,
) -> CreditEvent:
    """Record a credit event once per cause (`source`) and kind; recompute the rating."""
    points, ref = points_for(kind, occurred_on)
    label = CreditEvent.Kind(kind).label
    with transaction.atomic():
        event, created = CreditEvent.objects.get_or_create(
            institution=institution,
            source=source,
            kind=kind,
            defaults={
                "points": points,
                "rule_ref": ref,
                "rule_text": f"{label}：{points:+d} 分（{ref}）",
                "occurred_on": occurred_on,
                "description": description[:300],
                "public": public,
            },
        )
        if created:
            rating = rating_recompute(institution.pk, occurred_on)
            audit_record(
                action=SupervisionAction.CREDIT_EVENT_RECORDED,
                actor=acting_user,
                obj=event,
                object_label=f"{institution.name}：{label}",
                detail={"points": points, "score": rating.score, "rating": rating.rating},
            )
    return event
