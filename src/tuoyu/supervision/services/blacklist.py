"""The blacklist (P-SUP-5/6): a listing proposed by one 区卫健局 officer on a recorded
decision and approved by a second one (four eyes: the proposer approving is refused). An
approved person feeds workforce's lifetime ban (`person_blacklisted`, in the same
transaction); an approved institution is told to the apps that react
(`institution_blacklisted`)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tuoyu.audit.services import audit_record, personal_value_reveal
from tuoyu.core import events
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError, NotFound, OutOfScope
from tuoyu.core.personal import normalize
from tuoyu.core.scope import scope_of
from tuoyu.institutions.models import Institution
from tuoyu.supervision.catalogue import SupervisionAction, SupervisionError
from tuoyu.supervision.models import BlacklistEntry


def _health_bureau(acting_user) -> None:
    if not scope_of(acting_user).is_health_bureau:
        raise OutOfScope("黑名单由区卫健局决定")


def _required(value: str, field: str, max_length: int) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(CoreError.REQUIRED, field=field)
    if len(text) > max_length:
        raise DomainError(CoreError.TOO_LONG, field=field)
    return text


def blacklist_propose(
    *,
    acting_user,
    subject: str,
    reason: str,
    decision_ref: str,
    decided_on: dt.date,
    institution_id: int | None = None,
    person_name: str = "",
    id_number: str = "",
) -> BlacklistEntry:
    _health_bureau(acting_user)
    reason = _required(reason, "reason", 2000)
    decision_ref = _required(decision_ref, "decision_ref", 60)
    fields: dict = {}
    if subject == BlacklistEntry.Subject.INSTITUTION:
        institution = Institution.objects.filter(pk=institution_id).first()
        if institution is None:
            raise DomainError(SupervisionError.BLACKLIST_SUBJECT_REQUIRED, field="institution")
        fields["institution"] = institution
    elif subject == BlacklistEntry.Subject.PERSON:
        if not (person_name or "").strip() or not (id_number or "").strip():
            raise DomainError(SupervisionError.BLACKLIST_SUBJECT_REQUIRED, field="id_number")
        fields["person_name"] = _required(person_name, "person_name", 60)
        fields["id_number"] = normalize("id_number", id_number, field="id_number")
    else:
        raise DomainError(CoreError.INVALID_CHOICE, field="subject")
    with transaction.atomic():
        entry = BlacklistEntry.objects.create(
            subject=subject,
            reason=reason,
            decision_ref=decision_ref,
            decided_on=decided_on,
            proposed_by=acting_user,
            **fields,
        )
        audit_record(
            action=SupervisionAction.BLACKLIST_PROPOSED,
            actor=acting_user,
            obj=entry,
            object_label=f"{entry.get_subject_display()}：{decision_ref}",
        )
    return entry


def blacklist_approve(*, acting_user, entry_id: int) -> BlacklistEntry:
    _health_bureau(acting_user)
    with transaction.atomic():
        entry = BlacklistEntry.objects.select_for_update().filter(pk=entry_id).first()
        if entry is None:
            raise NotFound()
        if entry.proposed_by_id == acting_user.pk:
            raise DomainError(SupervisionError.BLACKLIST_SELF_APPROVAL, status=403)
        if entry.status != BlacklistEntry.Status.PROPOSED:
            raise DomainError(CoreError.INVALID_TRANSITION, status=409)
        entry.status = BlacklistEntry.Status.APPROVED
        entry.approved_by = acting_user
        entry.approved_at = timezone.now()
        entry.save()
        audit_record(
            action=SupervisionAction.BLACKLIST_APPROVED,
            actor=acting_user,
            obj=entry,
            object_label=f"{entry.get_subject_display()}：{entry.decision_ref}",
        )
        if entry.subject == BlacklistEntry.Subject.INSTITUTION:
            events.emit(
                events.INSTITUTION_BLACKLISTED,
                institution_id=entry.institution_id,
                entry_id=entry.pk,
                acting_user=acting_user,
            )
        else:
            purpose = "黑名单通报从业人员终身禁入（P-SUP-6）"
            events.emit(
                events.PERSON_BLACKLISTED,
                entry_id=entry.pk,
                name=personal_value_reveal(
                    actor=acting_user, obj=entry, field_name="person_name", purpose=purpose
                ),
                id_number=personal_value_reveal(
                    actor=acting_user, obj=entry, field_name="id_number", purpose=purpose
                ),
                reason=entry.reason,
                decided_on=entry.decided_on,
                decision_ref=entry.decision_ref,
                acting_user=acting_user,
            )
    return entry
