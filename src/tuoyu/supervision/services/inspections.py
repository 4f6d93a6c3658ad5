"""Inspection plans, the random draw, targeted inspections and checklist results (P-SUP-3,
P-SUP-4). A failed item with its severity becomes a rectification order with a deadline
(policy data); a serious or critical finding is a credit event (P-SUP-5)."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from tuoyu import policy
from tuoyu.audit.services import audit_record
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError, NotFound, OutOfScope
from tuoyu.core.scope import scope_of
from tuoyu.core.uploads import check_upload
from tuoyu.institutions.models import Institution
from tuoyu.supervision import draw as drawing
from tuoyu.supervision.catalogue import SupervisionAction, SupervisionError
from tuoyu.supervision.duties import KINDERGARTEN_AUTHORITY, checklist_for, supervises
from tuoyu.supervision.models import (
    CreditEvent,
    Inspection,
    InspectionPlan,
    ItemResult,
    RectificationOrder,
    RiskScore,
    Severity,
)
from tuoyu.supervision.scopes import department_owned_visible
from tuoyu.supervision.services.credit import credit_event_record
from tuoyu.supervision.services.risk import risk_recompute

PHOTO_MAX_BYTES = 10 * 1024 * 1024
TEXT_MAX_LENGTH = 2000


def _department(acting_user) -> str:
    scope = scope_of(acting_user)
    if not (scope.is_district and supervises(scope.department_code)):
        raise OutOfScope(code=SupervisionError.NO_SUPERVISORY_DUTY)
    return scope.department_code


def inspectable_institutions(department_code: str):
    """A department's population: the filed institutions of the district; 区教体局 only the
    integrated kindergarten–nurseries it registered (P-REG-10)."""
    qs = Institution.objects.filter(filing_status="filed")
    if department_code == KINDERGARTEN_AUTHORITY:
        qs = qs.filter(registration_authority=KINDERGARTEN_AUTHORITY)
    return qs


def inspector_pool(department_code: str):
    return (
        get_user_model()
        .objects.filter(department__code=department_code, scope_kind="department", is_active=True)
        .order_by("username")
    )


def plan_create(
    *, acting_user, title: str, period_start: dt.date, period_end: dt.date, draw_size: int
) -> InspectionPlan:
    department = _department(acting_user)
    if period_end < period_start:
        raise DomainError(CoreError.DATE_ORDER, "结束日期不能早于开始日期", field="period_end")
    if draw_size < 1:
        raise DomainError(CoreError.OUT_OF_RANGE, "抽取数量至少为 1", field="draw_size")
    # Checked when the plan is made, and again at the draw (the population may shrink).
    population = inspectable_institutions(department).count()
    if draw_size > population:
        raise DomainError(
            SupervisionError.DRAW_LARGER_THAN_POPULATION,
            f"抽取数量 {draw_size} 超过可检查的机构数 {population}",
            field="draw_size",
        )
    with transaction.atomic():
        plan = InspectionPlan.objects.create(
            department_code=department,
            title=(title or "").strip()[:120] or f"{period_start:%Y年%m月}双随机抽查",
            period_start=period_start,
            period_end=period_end,
            draw_size=draw_size,
            created_by=acting_user,
        )
        audit_record(action=SupervisionAction.PLAN_CREATED, actor=acting_user, obj=plan)
    return plan


def _population(department_code: str) -> list[tuple[str, int, Decimal]]:
    """(uscc, institution id, weight) of the population, sorted by USCC."""
    scores = dict(RiskScore.objects.values_list("institution_id", "score"))
    rows = inspectable_institutions(department_code).order_by("uscc").values_list("uscc", "id")
    return [(uscc, pk, Decimal(1) + (scores.get(pk) or Decimal(0))) for uscc, pk in rows]


def plan_draw(*, acting_user, plan_id: int, seed: str | None = None) -> InspectionPlan:
    """Draw the plan's institutions and pair them with inspectors (see `draw`)."""
    department = _department(acting_user)
    with transaction.atomic():
        plan = (
            InspectionPlan.objects.select_for_update()
            .filter(pk=plan_id, department_code=department)
            .first()
        )
        if plan is None:
            raise NotFound()
        if plan.drawn_at is not None:
            raise DomainError(SupervisionError.PLAN_ALREADY_DRAWN, status=409)
        population = _population(department)
        if plan.draw_size > len(population):
            raise DomainError(
                SupervisionError.DRAW_LARGER_THAN_POPULATION,
                f"抽取数量 {plan.draw_size} 超过可检查的机构数 {len(population)}",
                field="draw_size",
            )
        inspectors = {u.username: u for u in inspector_pool(department)}
        if not inspectors:
            raise DomainError(SupervisionError.DRAW_NO_INSPECTORS)
        plan.seed = seed or secrets.token_hex(8)
        weights = [(uscc, w) for uscc, _, w in population]
        drawn = drawing.draw(weights, plan.draw_size, plan.seed)
        pairs = drawing.pair([u for u, _ in drawn], list(inspectors), plan.seed)
        by_uscc = {uscc: (pk, w) for uscc, pk, w in population}
        for uscc, username in pairs:
            pk, weight = by_uscc[uscc]
            Inspection.objects.create(
                institution_id=pk,
                plan=plan,
                department_code=department,
                kind=Inspection.Kind.ROUTINE,
                inspector=inspectors[username],
                scheduled_on=plan.period_start,
                draw_weight=weight,
            )
        plan.draw_population = [[uscc, str(w)] for uscc, w in weights]
        plan.draw_inspectors = sorted(inspectors)
        plan.drawn_at = timezone.now()
        plan.save()
        audit_record(
            action=SupervisionAction.PLAN_DRAWN,
            actor=acting_user,
            obj=plan,
            detail={"seed": plan.seed, "population": len(population), "drawn": len(pairs)},
        )
    return plan


def inspection_create_targeted(
    *,
    acting_user,
    institution_id: int,
    scheduled_on: dt.date,
    reason: str,
    inspector=None,
    order_id: int | None = None,
) -> Inspection:
    """A targeted inspection added by hand (after a complaint or an alert), or a
    re-inspection scheduled from a rectification order."""
    department = _department(acting_user)
    kind = Inspection.Kind.TARGETED
    if order_id is not None:
        order = (
            department_owned_visible(RectificationOrder.objects.all(), scope_of(acting_user))
            .filter(pk=order_id, department_code=department)
            .first()
        )
        if order is None:
            raise NotFound()
        institution_id, kind = order.institution_id, Inspection.Kind.REINSPECTION
        reason = reason or f"整改复查：{order.finding[:60]}"
    institution = inspectable_institutions(department).filter(pk=institution_id).first()
    if institution is None:
        raise NotFound("机构不在本部门的检查范围内")
    with transaction.atomic():
        inspection = Inspection.objects.create(
            institution=institution,
            department_code=department,
            kind=kind,
            inspector=inspector or acting_user,
            scheduled_on=scheduled_on,
            reason=(reason or "").strip()[:200],
        )
        audit_record(action=SupervisionAction.INSPECTION_CREATED, actor=acting_user, obj=inspection)
    return inspection


def _check_photo(code: str, photo) -> None:
    try:
        check_upload(
            photo, max_bytes=PHOTO_MAX_BYTES, allowed=("image/jpeg", "image/png"), field=code
        )
    except DomainError as exc:
        if exc.code == CoreError.FILE_TYPE_NOT_ALLOWED:
            raise DomainError(
                SupervisionError.PHOTO_NOT_IMAGE,
                "照片须为 JPEG 或 PNG 图片（按文件内容识别）",
                field=f"photo_{code}",
            ) from None
        raise


def _validated(checklist, results: dict, photos: dict) -> list[tuple]:
    rows = []
    for item in checklist.items:
        entry = results.get(item.code) or {}
        outcome = entry.get("outcome")
        if outcome not in ItemResult.Outcome.values:
            raise DomainError(
                SupervisionError.CHECKLIST_INCOMPLETE, f"未填写：{item.text}", field=item.code
            )
        severity = entry.get("severity") or ""
        if outcome == ItemResult.Outcome.FAIL and severity not in Severity.values:
            raise DomainError(
                SupervisionError.SEVERITY_REQUIRED, f"请选择严重程度：{item.text}", field=item.code
            )
        note = (entry.get("note") or "").strip()
        if len(note) > TEXT_MAX_LENGTH:
            raise DomainError(CoreError.TOO_LONG, field=item.code)
        photo = photos.get(item.code)
        if photo is not None:
            _check_photo(item.code, photo)
        rows.append((item, outcome, severity, note, photo))
    return rows


def _order_for(inspection, item, severity: str, note: str, performed_on, acting_user):
    days = getattr(policy.at(performed_on).supervision, f"rectification_days_{severity}")
    order = RectificationOrder.objects.create(
        institution_id=inspection.institution_id,
        inspection=inspection,
        department_code=inspection.department_code,
        item_code=item.code,
        severity=severity,
        finding=note or item.text,
        due_on=performed_on + dt.timedelta(days),
    )
    if severity in (Severity.SERIOUS, Severity.CRITICAL):
        credit_event_record(
            acting_user=acting_user,
            institution=inspection.institution,
            kind=CreditEvent.Kind.SERIOUS_FINDING,
            occurred_on=performed_on,
            description=f"{order.get_severity_display()}问题：{item.text}",
            source=f"order:{order.pk}",
        )
    return order


def inspection_record(
    *,
    acting_user,
    inspection_id: int,
    performed_on: dt.date,
    results: dict,
    photos: dict | None = None,
    summary: str = "",
) -> Inspection:
    """Record every checklist item (pass / fail / n.a., a note, a photo); each failed item
    becomes a rectification order (P-SUP-3)."""
    department = _department(acting_user)
    if performed_on > policy.today():
        raise DomainError(CoreError.FUTURE_DATE, field="performed_on")
    with transaction.atomic():
        inspection = (
            Inspection.objects.select_for_update()
            .select_related("institution")
            .filter(pk=inspection_id, department_code=department)
            .first()
        )
        if inspection is None:
            raise NotFound()
        if inspection.status == Inspection.Status.DONE:
            raise DomainError(SupervisionError.INSPECTION_ALREADY_DONE, status=409)
        checklist = checklist_for(department)
        rows = _validated(checklist, results, photos or {})
        failed = 0
        for item, outcome, severity, note, photo in rows:
            ItemResult.objects.create(
                institution_id=inspection.institution_id,
                inspection=inspection,
                item_code=item.code,
                outcome=outcome,
                note=note,
                photo=photo or "",
            )
            if outcome == ItemResult.Outcome.FAIL:
                failed += 1
                _order_for(inspection, item, severity, note, performed_on, acting_user)
        inspection.status = Inspection.Status.DONE
        inspection.performed_on = performed_on
        inspection.checklist_version = checklist.version
        inspection.result = Inspection.Result.RECTIFY if failed else Inspection.Result.PASSED
        inspection.summary = (summary or "").strip()[:TEXT_MAX_LENGTH]
        inspection.save()
        audit_record(
            action=SupervisionAction.INSPECTION_RECORDED,
            actor=acting_user,
            obj=inspection,
            detail={"failed": failed, "checklist": checklist.version},
        )
        risk_recompute(institution_ids=[inspection.institution_id])
    return inspection
