"""Writes for affordable (普惠性) designations (P-MODE-2): 区卫健局 designates with a start
date, an optional end date, the decision reference and the decision document, or withdraws
a designation (end date, withdrawal reference, reason). Rows are never overwritten: a
withdrawal sets `ends_on` (and who/when/why) on the designation it ends. The history drives
subsidies (P-SUB-1, P-SUB-2) and target P-TGT-9.

Error codes: out_of_scope (403), required, institution_not_filed, date_order,
affordable_before_filing, affordable_overlap (409), affordable_already_withdrawn (409),
affordable_already_ended, file_empty, file_too_large, file_type_not_allowed.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tuoyu.audit.services import audit_record, diff, snapshot
from tuoyu.core.bounds import date_check, too_long_item
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError, OutOfScope
from tuoyu.institutions.catalogue import InstitutionsAction, InstitutionsError
from tuoyu.institutions.models import AffordableDesignation, Institution
from tuoyu.institutions.services.chains import document_check

DESIGNATE = "institutions.designate_affordable"
# [hardening] point 7: the reason of a withdrawal, limited to fit a page and the audit log.
WITHDRAWAL_REASON_MAX = 500


def _require_designator(acting_user) -> None:
    if acting_user is None or not acting_user.has_perm(DESIGNATE):
        raise OutOfScope("只有区卫健局可以认定或撤销普惠性托育机构")


def _required_text(value: str, field: str, label: str, max_length: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(CoreError.REQUIRED, f"请填写{label}", field=field)
    if max_length and len(value) > max_length:
        raise DomainError(errors=[too_long_item(field=field, label=label, limit=max_length)])
    return value


@transaction.atomic
def affordable_designate(
    *,
    acting_user,
    institution: Institution,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    decision_ref: str,
    decision_document=None,
) -> AffordableDesignation:
    """Designate `institution` affordable from `starts_on` to `ends_on` (inclusive; None =
    open-ended), P-MODE-2.

    Only a filed institution whose filing is not cancelled (and that is still registered)
    can be designated (`institution_not_filed`), not before its filing date
    (`affordable_before_filing`); `ends_on` ≥ `starts_on` (`date_order`); the period must not
    overlap another designation of the same institution (409 `affordable_overlap`).
    """
    _require_designator(acting_user)
    ref = _required_text(
        decision_ref,
        "decision_ref",
        "认定文号",
        AffordableDesignation._meta.get_field("decision_ref").max_length,
    )
    if starts_on is None:
        raise DomainError(CoreError.REQUIRED, "请填写起始日期", field="starts_on")
    date_check(starts_on, field="starts_on", label="起始日期")
    date_check(ends_on, field="ends_on", label="终止日期")
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(CoreError.DATE_ORDER, "终止日期不能早于起始日期", field="ends_on")
    # The institution row lock serialises designations of one institution, so the overlap
    # check below cannot race with another designation.
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    if institution.filing_status != Institution.FilingStatus.FILED or institution.is_deregistered:
        raise DomainError(
            InstitutionsError.INSTITUTION_NOT_FILED,
            "只有已备案且备案未注销的机构才能认定为普惠性托育机构",
            field="institution",
        )
    if institution.filed_on and starts_on < institution.filed_on:
        raise DomainError(
            InstitutionsError.AFFORDABLE_BEFORE_FILING,
            f"起始日期不能早于机构备案日期（{institution.filed_on:%Y-%m-%d}）",
            field="starts_on",
        )
    overlapping = AffordableDesignation.objects.filter(institution=institution).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)
    )
    if ends_on is not None:
        overlapping = overlapping.filter(starts_on__lte=ends_on)
    clash = overlapping.order_by("starts_on").first()
    if clash is not None:
        until = f"{clash.ends_on:%Y-%m-%d}" if clash.ends_on else "长期"
        raise DomainError(
            InstitutionsError.AFFORDABLE_OVERLAP,
            f"与已有普惠性认定（{clash.decision_ref}，{clash.starts_on:%Y-%m-%d} 至 {until}）"
            "期间重叠",
            field="starts_on",
            status=409,
        )
    if decision_document is not None:
        document_check(decision_document, field="decision_document")
    designation = AffordableDesignation(
        institution=institution,
        starts_on=starts_on,
        ends_on=ends_on,
        decision_ref=ref,
        decided_by=acting_user,
    )
    if decision_document is not None:
        designation.decision_document = decision_document
    designation.save()
    audit_record(
        action=InstitutionsAction.AFFORDABLE_DESIGNATED,
        actor=acting_user,
        obj=designation,
        changes=diff({}, snapshot(designation)),
        detail={"institution_uscc": institution.uscc},
    )
    return designation


@transaction.atomic
def affordable_withdraw(
    *,
    acting_user,
    designation: AffordableDesignation,
    withdrawn_on: dt.date,
    withdrawal_ref: str,
    reason: str,
) -> AffordableDesignation:
    """Withdraw a designation: `withdrawn_on` becomes its last day (`ends_on`).

    `withdrawn_on` ≥ its start (`date_order`) and not after an end it already has
    (`affordable_already_ended`); a designation is withdrawn once (409
    `affordable_already_withdrawn`)."""
    _require_designator(acting_user)
    designation = AffordableDesignation.objects.select_for_update().get(pk=designation.pk)
    if designation.is_withdrawn:
        raise DomainError(
            InstitutionsError.AFFORDABLE_ALREADY_WITHDRAWN, "该普惠性认定已撤销", status=409
        )
    ref = _required_text(
        withdrawal_ref,
        "withdrawal_ref",
        "撤销文号",
        AffordableDesignation._meta.get_field("withdrawal_ref").max_length,
    )
    reason = _required_text(reason, "reason", "撤销原因", WITHDRAWAL_REASON_MAX)
    if withdrawn_on is None:
        raise DomainError(CoreError.REQUIRED, "请填写撤销日期", field="withdrawn_on")
    date_check(withdrawn_on, field="withdrawn_on", label="撤销日期")
    if withdrawn_on < designation.starts_on:
        raise DomainError(
            CoreError.DATE_ORDER,
            f"撤销日期不能早于认定起始日期（{designation.starts_on:%Y-%m-%d}）",
            field="withdrawn_on",
        )
    if designation.ends_on is not None and withdrawn_on > designation.ends_on:
        raise DomainError(
            InstitutionsError.AFFORDABLE_ALREADY_ENDED,
            f"该认定已于 {designation.ends_on:%Y-%m-%d} 到期，无需撤销",
            field="withdrawn_on",
        )
    before = snapshot(designation)
    designation.ends_on = withdrawn_on
    designation.withdrawal_ref = ref
    designation.withdrawal_reason = reason
    designation.withdrawn_at = timezone.now()
    designation.withdrawn_by = acting_user
    designation.save(
        update_fields=[
            "ends_on",
            "withdrawal_ref",
            "withdrawal_reason",
            "withdrawn_at",
            "withdrawn_by",
        ]
    )
    audit_record(
        action=InstitutionsAction.AFFORDABLE_WITHDRAWN,
        actor=acting_user,
        obj=designation,
        changes=diff(before, snapshot(designation)),
    )
    return designation


@transaction.atomic
def affordable_close_on_cancellation(
    *, acting_user, institution: Institution, cancelled_on: dt.date, reference: str
) -> int:
    """A cancelled filing (P-FIL-3) or deregistration ends 普惠 status: every designation of
    `institution` still running on `cancelled_on` (or starting later) is withdrawn with
    `cancelled_on` as its last day. One that had not begun by then never applies (P-MODE-2,
    issue #7 point 4): it ends the day before its start, an empty period with no affordable
    day (cancelled 2024-06-30, designated from 2024-09-01 → ends 2024-08-31, 0 days).
    Called by the filing cancellation service inside its transaction; no permission check
    of its own (the caller has decided the cancellation). Returns how many designations
    were closed."""
    rows = list(
        AffordableDesignation.objects.select_for_update()
        .filter(institution=institution, withdrawn_at__isnull=True)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=cancelled_on))
    )
    now = timezone.now()
    for row in rows:
        before = snapshot(row)
        if cancelled_on < row.starts_on:
            # Never started: the empty period [starts_on, starts_on - 1] (allowed for a
            # withdrawn row only) keeps the history and gives no affordable day.
            row.ends_on = row.starts_on - dt.timedelta(days=1)
            row.withdrawal_reason = "机构备案注销，普惠性认定未开始即终止"
        else:
            row.ends_on = cancelled_on
            row.withdrawal_reason = "机构备案注销，普惠性认定随之终止"
        row.withdrawal_ref = (reference or "")[:100]
        row.withdrawn_at = now
        row.withdrawn_by = acting_user if getattr(acting_user, "pk", None) else None
        row.save(
            update_fields=[
                "ends_on",
                "withdrawal_ref",
                "withdrawal_reason",
                "withdrawn_at",
                "withdrawn_by",
            ]
        )
        audit_record(
            action=InstitutionsAction.AFFORDABLE_CLOSED_ON_CANCELLATION,
            actor=acting_user,
            obj=row,
            changes=diff(before, snapshot(row)),
        )
    return len(rows)
