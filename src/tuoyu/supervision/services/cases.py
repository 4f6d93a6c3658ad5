"""Zero tolerance for child abuse (P-SUP-6): one case walks through the suspension of the
institution (the decision recorded), the blacklist proposals of the institution, the
individuals and the directly responsible managers (each approved by a second 区卫健局
officer, which emits the lifetime-ban event), and notice to every department concerned."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from tuoyu.audit.services import audit_record
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError, NotFound
from tuoyu.institutions.models import Institution
from tuoyu.supervision.catalogue import SupervisionAction, SupervisionError
from tuoyu.supervision.duties import SUPERVISING_DEPARTMENTS
from tuoyu.supervision.models import BlacklistEntry, ZeroToleranceCase
from tuoyu.supervision.services.blacklist import _health_bureau, blacklist_propose


def case_open(
    *,
    acting_user,
    institution_id: int,
    description: str,
    decision_ref: str,
    suspended_on: dt.date,
    persons: list[dict],
    suspended_until: dt.date | None = None,
) -> ZeroToleranceCase:
    """`persons`: [{"name", "id_number", "manager": bool}] — at least one offender and the
    directly responsible managers."""
    _health_bureau(acting_user)
    institution = Institution.objects.filter(pk=institution_id).first()
    if institution is None:
        raise NotFound()
    text = (description or "").strip()
    if not text:
        raise DomainError(CoreError.REQUIRED, field="description")
    if suspended_until is not None and suspended_until < suspended_on:
        raise DomainError(
            CoreError.DATE_ORDER, "停业期限不能早于责令停业日期", field="suspended_until"
        )
    if not any(not p.get("manager") for p in persons) or not any(p.get("manager") for p in persons):
        raise DomainError(SupervisionError.CASE_PERSONS_REQUIRED, field="persons")
    with transaction.atomic():
        case = ZeroToleranceCase.objects.create(
            institution=institution,
            description=text,
            decision_ref=decision_ref,
            suspended_on=suspended_on,
            suspended_until=suspended_until,
            notified_departments="," + ",".join(SUPERVISING_DEPARTMENTS) + ",",
            opened_by=acting_user,
        )
        entries = [
            blacklist_propose(
                acting_user=acting_user,
                subject=BlacklistEntry.Subject.INSTITUTION,
                institution_id=institution.pk,
                reason=f"虐童事件（零容忍）：{text[:200]}",
                decision_ref=decision_ref,
                decided_on=suspended_on,
            )
        ]
        for i, person in enumerate(persons):
            role = "直接负责的管理人员" if person.get("manager") else "涉事人员"
            try:
                entries.append(
                    blacklist_propose(
                        acting_user=acting_user,
                        subject=BlacklistEntry.Subject.PERSON,
                        person_name=person.get("name", ""),
                        id_number=person.get("id_number", ""),
                        reason=f"虐童事件（零容忍）{role}：{text[:200]}",
                        decision_ref=decision_ref,
                        decided_on=suspended_on,
                    )
                )
            except DomainError as exc:
                raise DomainError(exc.code, exc.message, field=f"persons.{i}") from None
        managers = {e.pk for e, p in zip(entries[1:], persons, strict=True) if p.get("manager")}
        BlacklistEntry.objects.filter(pk__in=[e.pk for e in entries]).update(case=case)
        BlacklistEntry.objects.filter(pk__in=managers).update(responsible_manager=True)
        audit_record(
            action=SupervisionAction.CASE_OPENED,
            actor=acting_user,
            obj=case,
            detail={"persons": len(persons), "notified": list(SUPERVISING_DEPARTMENTS)},
        )
    return case


def case_suspension_lift(
    *, acting_user, case_id: int, lifted_on: dt.date, decision_ref: str
) -> ZeroToleranceCase:
    """End the institution's suspension by a recorded decision (区卫健局, P-SUP-6)."""
    _health_bureau(acting_user)
    ref = (decision_ref or "").strip()
    if not ref:
        raise DomainError(CoreError.REQUIRED, field="lift_decision_ref")
    with transaction.atomic():
        case = ZeroToleranceCase.objects.select_for_update().filter(pk=case_id).first()
        if case is None:
            raise NotFound()
        if case.lifted_on is not None:
            raise DomainError(SupervisionError.SUSPENSION_ALREADY_LIFTED, status=409)
        if lifted_on < case.suspended_on:
            raise DomainError(
                CoreError.DATE_ORDER, "解除停业日期不能早于责令停业日期", field="lifted_on"
            )
        case.lifted_on = lifted_on
        case.lift_decision_ref = ref[:60]
        case.save(update_fields=["lifted_on", "lift_decision_ref"])
        audit_record(
            action=SupervisionAction.CASE_SUSPENSION_LIFTED,
            actor=acting_user,
            obj=case,
            detail={
                "lifted_on": lifted_on.isoformat(),
                "lift_decision_ref": case.lift_decision_ref,
            },
        )
    return case
