"""An institution's filing state (P-REG-12, P-FIL-3), changed only here ([house] point 2).

The filings app runs the workflow and calls these inside its own transactions; institutions
owns the fields (filing status, number, dates) and what follows from them (classes closed,
普惠 status ended, P-MODE-2).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from tuoyu.audit.services import audit_record
from tuoyu.core.bulk import bulk_insert, bulk_update_rows
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError
from tuoyu.institutions import summary
from tuoyu.institutions.catalogue import InstitutionsAction
from tuoyu.institutions.models import CareClass, Institution
from tuoyu.institutions.services.affordable import affordable_close_on_cancellation
from tuoyu.institutions.services.classes import care_classes_close

FS = Institution.FilingStatus

# Which filing status may follow which; a move outside the table is a programming error in
# the workflow, refused loudly rather than written.
TRANSITIONS: dict[str, frozenset[str]] = {
    FS.NOT_FILED: frozenset({FS.IN_REVIEW, FS.FILED, FS.CANCELLED}),
    FS.IN_REVIEW: frozenset({FS.NOT_FILED, FS.FILED, FS.CANCELLED}),
    FS.FILED: frozenset({FS.CANCELLED}),
    FS.CANCELLED: frozenset(),
}


def _locked(institution: Institution | int) -> Institution:
    pk = institution if isinstance(institution, int) else institution.pk
    return Institution.objects.select_for_update().get(pk=pk)


def _move(institution: Institution, target: str) -> None:
    if target not in TRANSITIONS[institution.filing_status]:
        raise DomainError(
            CoreError.INVALID_TRANSITION,
            f"机构备案状态不能从“{institution.get_filing_status_display()}”变为"
            f"“{FS(target).label}”",
            status=409,
        )
    institution.filing_status = target


@transaction.atomic
def institution_filing_review_started(*, institution: Institution | int) -> Institution:
    """An initial filing was submitted: 未备案 → 审核中 (the filing's own event is audited by
    the workflow)."""
    institution = _locked(institution)
    if institution.filing_status != FS.IN_REVIEW:
        _move(institution, FS.IN_REVIEW)
        institution.save(update_fields=["filing_status", "updated_at"])
    return institution


@transaction.atomic
def institution_filing_review_ended(*, institution: Institution | int) -> Institution:
    """An initial filing was withdrawn or not accepted: 审核中 → 未备案."""
    institution = _locked(institution)
    if institution.filing_status == FS.IN_REVIEW:
        _move(institution, FS.NOT_FILED)
        institution.save(update_fields=["filing_status", "updated_at"])
    return institution


@transaction.atomic
def institution_filing_filed(
    *, institution: Institution | int, number: str, filed_on: dt.date
) -> Institution:
    """An initial filing was approved: the institution is filed under `number`."""
    institution = _locked(institution)
    _move(institution, FS.FILED)
    institution.filing_number = number
    institution.filed_on = filed_on
    institution.save(update_fields=["filing_status", "filing_number", "filed_on", "updated_at"])
    return institution


@transaction.atomic
def institution_filing_cancel(
    *, acting_user, institution: Institution | int, cancelled_on: dt.date, reference: str
) -> dict | None:
    """P-FIL-3: the filing is cancelled on `cancelled_on`; every class still open is closed
    that day and 普惠 status ends with it (P-MODE-2). Returns what changed, or None when the
    filing was cancelled already (idempotent: nothing is written)."""
    institution = _locked(institution)
    if institution.filing_status == FS.CANCELLED:
        return None
    before = {"filing_status": institution.filing_status, "filing_cancelled_on": None}
    open_classes = (
        CareClass.objects.filter(institution=institution)
        .exclude(status=CareClass.Status.CLOSED)
        .values_list("pk", flat=True)
    )
    closed = care_classes_close(institution=institution, class_ids=open_classes, on=cancelled_on)
    affordable_closed = affordable_close_on_cancellation(
        acting_user=acting_user,
        institution=institution,
        cancelled_on=cancelled_on,
        reference=institution.filing_number or reference,
    )
    _move(institution, FS.CANCELLED)
    institution.filing_cancelled_on = cancelled_on
    institution.save(update_fields=["filing_status", "filing_cancelled_on", "updated_at"])
    audit_record(
        action=InstitutionsAction.FILING_STATE_CANCELLED,
        actor=acting_user,
        obj=institution,
        changes={
            "filing_status": [before["filing_status"], institution.filing_status],
            "filing_cancelled_on": [None, cancelled_on],
        },
        detail={"classes_closed": closed, "affordable_designations_closed": affordable_closed},
    )
    return {
        "before": before,
        "classes_closed": closed,
        "affordable_designations_closed": affordable_closed,
        "filing_number": institution.filing_number,
    }


# Filed facts written set-based at city and province scale (seeding): the same fields
# filed_facts_apply and institution_filing_filed write one by one.
BULK_FILED_FIELDS = [
    "filing_number",
    "filed_on",
    "filing_status",
    "operating_mode",
    "institution_form",
    "latitude",
    "longitude",
    "indoor_area_m2",
    "outdoor_area_m2",
    "opening_hours",
    "monthly_fee_yuan",
    "serves_meals",
    "staff_summary",
    "filed_standards",  # P-STD-2/3: the standards section filed ([fidelity] #7)
    "community",
]


def institutions_filed_in_bulk(
    *, institutions: list[Institution], classes: list[CareClass]
) -> None:
    """Write `institutions` (their filed facts, number and date already set on the objects)
    and their filed `classes` set-based. For seeding at scale only; the caller records one
    summary audit event."""
    for institution in institutions:
        if institution.filing_status != FS.FILED or not institution.filing_number:
            raise ValueError(f"机构 {institution.pk} 未设置备案状态与编号")
    bulk_update_rows(Institution, BULK_FILED_FIELDS, institutions)
    bulk_insert(CareClass, classes)
    summary.slots_refresh([i.pk for i in institutions])  # [scale] #10 point 6
