"""Rectification to closure (P-SUP-3): the institution replies with evidence, the ordering
department accepts or reopens; an order past its deadline escalates (区卫健局 and the
township see it in their overdue lists) and counts against the institution (P-SUP-5)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tuoyu import policy
from tuoyu.audit.services import audit_record, audit_record_bulk
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError, NotFound, OutOfScope
from tuoyu.core.scope import scope_of
from tuoyu.core.uploads import check_upload
from tuoyu.supervision.catalogue import SupervisionAction, SupervisionError
from tuoyu.supervision.models import CreditEvent, RectificationOrder
from tuoyu.supervision.scopes import department_owned_visible
from tuoyu.supervision.services.credit import credit_event_record
from tuoyu.supervision.services.risk import risk_recompute

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
TEXT_MAX_LENGTH = 2000


def _order(acting_user, order_id: int) -> RectificationOrder:
    order = (
        department_owned_visible(
            RectificationOrder.objects.select_for_update(), scope_of(acting_user)
        )
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotFound()
    return order


def order_reply(*, acting_user, order_id: int, reply: str, evidence=None) -> RectificationOrder:
    scope = scope_of(acting_user)
    if not scope.is_institution:
        raise OutOfScope("只有被检查机构可以提交整改情况")
    text = (reply or "").strip()
    if not text:
        raise DomainError(CoreError.REQUIRED, "请填写整改情况", field="reply")
    if len(text) > TEXT_MAX_LENGTH:
        raise DomainError(CoreError.TOO_LONG, field="reply")
    if evidence is not None:
        check_upload(
            evidence,
            max_bytes=EVIDENCE_MAX_BYTES,
            allowed=("application/pdf", "image/jpeg", "image/png"),
            field="evidence",
        )
    with transaction.atomic():
        order = _order(acting_user, order_id)
        if order.status != RectificationOrder.Status.OPEN:
            raise DomainError(CoreError.INVALID_TRANSITION, status=409)
        order.status = RectificationOrder.Status.REPLIED
        order.reply = text
        if evidence is not None:
            order.evidence = evidence
        order.replied_at = timezone.now()
        order.save()
        audit_record(action=SupervisionAction.ORDER_REPLIED, actor=acting_user, obj=order)
    return order


def order_decide(*, acting_user, order_id: int, accept: bool, note: str = "") -> RectificationOrder:
    """Only the department that ordered it accepts or reopens (another department's user:
    `order_other_department`)."""
    scope = scope_of(acting_user)
    with transaction.atomic():
        order = _order(acting_user, order_id)
        if scope.department_code != order.department_code:
            raise DomainError(SupervisionError.ORDER_OTHER_DEPARTMENT, status=403)
        if order.status != RectificationOrder.Status.REPLIED:
            raise DomainError(SupervisionError.ORDER_NOT_REPLIED, status=409)
        order.decision_note = (note or "").strip()[:TEXT_MAX_LENGTH]
        order.decided_at = timezone.now()
        if accept:
            order.status = RectificationOrder.Status.ACCEPTED
        else:
            order.status = RectificationOrder.Status.OPEN
            order.reopened_count += 1
        order.save()
        action = SupervisionAction.ORDER_ACCEPTED if accept else SupervisionAction.ORDER_REOPENED
        audit_record(action=action, actor=acting_user, obj=order)
        risk_recompute(institution_ids=[order.institution_id])
    return order


def orders_escalate(*, today: dt.date | None = None, acting_user=None) -> int:
    """Escalate every order past its deadline and not yet escalated: a credit event
    (overdue order) and a fresh risk score. A rerun of the same day changes nothing."""
    today = today or policy.today()
    with transaction.atomic():
        due = list(
            RectificationOrder.objects.select_for_update()
            .select_related("institution")
            .exclude(status=RectificationOrder.Status.ACCEPTED)
            .filter(due_on__lt=today, escalated_on__isnull=True)
            .order_by("id")
        )
        for order in due:
            order.escalated_on = today
            order.save(update_fields=["escalated_on"])
            credit_event_record(
                acting_user=acting_user,
                institution=order.institution,
                kind=CreditEvent.Kind.OVERDUE_ORDER,
                occurred_on=today,
                description=f"整改通知逾期未整改：{order.finding[:60]}",
                source=f"order:{order.pk}",
            )
        if due:
            audit_record_bulk(
                action=SupervisionAction.ORDER_ESCALATED,
                actor=acting_user,
                object_type="supervision.rectificationorder",
                object_ids=[o.pk for o in due],
            )
            risk_recompute(institution_ids=sorted({o.institution_id for o in due}), today=today)
    return len(due)
