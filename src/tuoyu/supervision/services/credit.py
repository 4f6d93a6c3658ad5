"""Credit files (P-SUP-5): each event carries its points and the rule it follows (policy
data); the institution's score and A/B/C/D rating are recomputed on every event."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Sum

from tuoyu import policy
from tuoyu.audit.services import audit_record
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError, NotFound, OutOfScope
from tuoyu.core.personal import normalize, personal_lookup
from tuoyu.core.scope import scope_of
from tuoyu.institutions.models import Institution
from tuoyu.institutions.scopes import institutions_visible
from tuoyu.supervision.catalogue import SupervisionAction, SupervisionError
from tuoyu.supervision.duties import supervises
from tuoyu.supervision.models import CreditEvent, CreditRating

RATINGS = ("A", "B", "C", "D")
# P-SUP-5: the kinds a department enters by decision; the others follow from findings,
# overdue orders and complaints and are recorded by the system.
ENTERED_KINDS = (
    CreditEvent.Kind.PENALTY,
    CreditEvent.Kind.COMMENDATION,
    CreditEvent.Kind.DEMONSTRATION,
)
DESCRIPTION_MAX_LENGTH = 300


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
    # A practitioner's events are the person's, not the institution's.
    total = (
        CreditEvent.objects.filter(institution_id=institution_id, id_number_index="").aggregate(
            s=Sum("points")
        )["s"]
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
    decision_ref: str = "",
    entered_by=None,
    action=SupervisionAction.CREDIT_EVENT_RECORDED,
    person_name: str = "",
    id_number: str = "",
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
                "decision_ref": decision_ref[:60],
                "entered_by": entered_by,
                "person_name": person_name,
                "id_number": id_number,
            },
        )
        if created and id_number:
            score, rating_letter, _events = practitioner_credit(id_number, occurred_on)
            audit_record(
                action=action,
                actor=acting_user,
                obj=event,
                object_label=f"{institution.name}：{label}（从业人员）",
                detail={
                    "points": points,
                    "score": score,
                    "rating": rating_letter,
                    "decision_ref": decision_ref,
                },
            )
        elif created:
            rating = rating_recompute(institution.pk, occurred_on)
            audit_record(
                action=action,
                actor=acting_user,
                obj=event,
                object_label=f"{institution.name}：{label}",
                detail={
                    "points": points,
                    "score": rating.score,
                    "rating": rating.rating,
                    **({"decision_ref": decision_ref} if decision_ref else {}),
                },
            )
    return event


def practitioner_credit(id_number: str, day: dt.date) -> tuple[int, str, list[CreditEvent]]:
    """A practitioner's score, rating and events (P-SUP-5), found by the blind index of the
    ID number (at every institution)."""
    events = list(
        CreditEvent.objects.filter(id_number_index=personal_lookup("id_number", id_number))
        .select_related("institution")
        .order_by("-occurred_on", "-id")
    )
    score = policy.at(day).supervision.credit_base_score + sum(e.points for e in events)
    return score, rating_for(score, day), events


def points_table(day: dt.date) -> list[dict]:
    """The kinds a department enters with their points and rule (policy data on `day`)."""
    rows = []
    for kind in ENTERED_KINDS:
        points, ref = points_for(kind, day)
        rows.append({"kind": kind, "label": kind.label, "points": points, "ref": ref})
    return rows


def credit_event_enter(
    *,
    acting_user,
    institution_id: int,
    kind: str,
    occurred_on: dt.date,
    decision_ref: str,
    description: str,
    public: bool = True,
    subject: str = "institution",
    person_name: str = "",
    id_number: str = "",
) -> CreditEvent:
    """A penalty, commendation or demonstration status entered by 区卫健局 or a department
    with a supervisory duty (P-SUP-5), for the institution or for a practitioner working
    there (`subject="person"`: name and ID number; never public): once per decision, kind
    and subject; points and rule from policy data; the rating recomputed."""
    scope = scope_of(acting_user)
    if not (scope.is_district and supervises(scope.department_code)):
        raise OutOfScope(code=SupervisionError.NO_SUPERVISORY_DUTY)
    institution = (
        institutions_visible(Institution.objects.all(), scope).filter(pk=institution_id).first()
    )
    if institution is None:
        raise NotFound()
    if kind not in ENTERED_KINDS:
        raise DomainError(SupervisionError.CREDIT_KIND_NOT_ENTERED, field="kind")
    ref = (decision_ref or "").strip()
    if not ref:
        raise DomainError(CoreError.REQUIRED, field="decision_ref")
    text = (description or "").strip()
    if not text:
        raise DomainError(CoreError.REQUIRED, field="description")
    if len(text) > DESCRIPTION_MAX_LENGTH:
        raise DomainError(
            CoreError.TOO_LONG,
            f"说明不超过 {DESCRIPTION_MAX_LENGTH} 字",
            field="description",
        )
    if occurred_on > policy.today():
        raise DomainError(SupervisionError.CREDIT_DATE_IN_FUTURE, field="occurred_on")
    source = f"decision:{ref}"[:60]
    person: dict = {}
    if subject == "person":
        name = (person_name or "").strip()
        if not name:
            raise DomainError(CoreError.REQUIRED, field="person_name")
        if len(name) > 60:
            raise DomainError(CoreError.TOO_LONG, field="person_name")
        if not (id_number or "").strip():
            raise DomainError(CoreError.REQUIRED, field="id_number")
        clear = normalize("id_number", id_number, field="id_number")
        person = {"person_name": name, "id_number": clear}
        # one event per decision, kind and person (the index, never the number)
        source = f"{source}:{personal_lookup('id_number', clear)[:16]}"
        public = False
    elif subject != "institution":
        raise DomainError(CoreError.INVALID_CHOICE, field="subject")
    with transaction.atomic():
        if CreditEvent.objects.filter(institution=institution, source=source, kind=kind).exists():
            raise DomainError(
                SupervisionError.CREDIT_EVENT_DUPLICATE, field="decision_ref", status=409
            )
        return credit_event_record(
            acting_user=acting_user,
            institution=institution,
            kind=kind,
            occurred_on=occurred_on,
            description=text,
            source=source,
            public=public,
            decision_ref=ref,
            entered_by=acting_user,
            action=SupervisionAction.CREDIT_EVENT_ENTERED,
            **person,
        )
