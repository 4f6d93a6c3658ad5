"""Complaints (P-SUP-4): filed by the public (portal, API) or entered from the 12345
hotline; routed by category to a department (policy data), answered by a deadline; abuse
allegations go at once to 区卫健局 and 区公安分局 as urgent (P-SUP-6)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tuoyu import policy
from tuoyu.audit.services import audit_record, personal_value_reveal
from tuoyu.core import crypto
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError, NotFound, OutOfScope
from tuoyu.core.personal import normalize
from tuoyu.core.scope import scope_of
from tuoyu.institutions.models import Institution
from tuoyu.supervision.catalogue import SupervisionAction, SupervisionError
from tuoyu.supervision.models import Complaint, ComplaintCategory, CreditEvent
from tuoyu.supervision.scopes import complaints_visible, may_see_complainant
from tuoyu.supervision.services.credit import credit_event_record

DESCRIPTION_MAX_LENGTH = 2000
REPLY_MAX_LENGTH = 2000
# Tracking numbers are read aloud and typed: no 0/O, 1/I/L.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
# The open endpoint's limit: complaints a sender (an address) may file per hour. Not a
# policy number: an operating setting against abuse of the open door.
DEFAULT_RATE_PER_HOUR = 5


def _rate_per_hour() -> int:
    return int(getattr(settings, "TUOYU_COMPLAINT_RATE_PER_HOUR", DEFAULT_RATE_PER_HOUR))


def _tracking_number() -> str:
    return "TS" + "".join(secrets.choice(_ALPHABET) for _ in range(10))


def _text(value: str, *, field: str, max_length: int, empty, too_long) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(empty, field=field)
    if len(text) > max_length:
        raise DomainError(too_long, f"内容过长：不超过 {max_length} 字", field=field)
    return text


def _check_rate(source_key: str) -> None:
    if not source_key:
        return
    since = timezone.now() - dt.timedelta(hours=1)
    recent = Complaint.objects.filter(source_key=source_key, created_at__gte=since).count()
    if recent >= _rate_per_hour():
        raise DomainError(
            SupervisionError.COMPLAINT_RATE_LIMITED,
            f"提交过于频繁：每小时最多 {_rate_per_hour()} 件，请稍后再试",
            status=429,
            title="请求过于频繁",
        )


def _routing(category: str, day: dt.date) -> tuple[str, str, bool, dt.date]:
    rules = policy.at(day).supervision
    department = rules.complaint_routing.get(category) or rules.complaint_routing["other"]
    urgent_to = rules.complaint_urgent_categories.get(category)
    if urgent_to:
        codes = [c.strip() for c in urgent_to.split(",") if c.strip()]
        notified = "," + ",".join(codes) + ","
        return department, notified, True, day + dt.timedelta(rules.complaint_urgent_answer_days)
    return department, "", False, day + dt.timedelta(rules.complaint_answer_days)


def complaint_file(
    *,
    acting_user=None,
    uscc: str,
    category: str,
    description: str,
    contact_phone: str = "",
    anonymous: bool = False,
    channel: str = Complaint.Channel.PORTAL,
    source_ip: str = "",
) -> Complaint:
    """File a complaint. The public channels are rate-limited by the sender's address;
    an anonymous complaint keeps no contact even if one was typed."""
    if category not in ComplaintCategory.values:
        raise DomainError(SupervisionError.COMPLAINT_UNKNOWN_CATEGORY, field="category")
    text = _text(
        description,
        field="description",
        max_length=DESCRIPTION_MAX_LENGTH,
        empty=SupervisionError.COMPLAINT_TEXT_EMPTY,
        too_long=SupervisionError.COMPLAINT_TEXT_TOO_LONG,
    )
    phone = "" if anonymous else (contact_phone or "").strip()
    if phone:
        phone = normalize("phone", phone, field="contact_phone")
    institution = Institution.objects.filter(uscc=(uscc or "").strip().upper()).first()
    if institution is None:
        raise DomainError(SupervisionError.COMPLAINT_UNKNOWN_INSTITUTION, field="uscc")
    source_key = crypto.blind_index(source_ip, context="complaint-source") if source_ip else ""
    today = policy.today()
    department, notified, urgent, due_on = _routing(category, today)
    with transaction.atomic():
        _check_rate(source_key)
        complaint = Complaint.objects.create(
            institution=institution,
            tracking_number=_tracking_number(),
            category=category,
            description=text,
            channel=channel,
            anonymous=anonymous,
            contact_phone=phone,
            department_code=department,
            notified_departments=notified,
            urgent=urgent,
            due_on=due_on,
            entered_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
            source_key=source_key,
        )
        audit_record(
            action=SupervisionAction.COMPLAINT_FILED,
            actor=acting_user,
            obj=complaint,
            detail={"channel": channel, "category": category, "urgent": urgent},
        )
    return complaint


def complaint_answer(
    *, acting_user, complaint_id: int, reply: str, substantiated: bool
) -> Complaint:
    """The department it was routed to (or 区卫健局) answers; a substantiated complaint is a
    credit event of the institution (P-SUP-5)."""
    scope = scope_of(acting_user)
    text = _text(
        reply,
        field="reply",
        max_length=REPLY_MAX_LENGTH,
        empty=SupervisionError.REPLY_EMPTY,
        too_long=CoreError.TOO_LONG,
    )
    with transaction.atomic():
        complaint = (
            complaints_visible(Complaint.objects.select_for_update(), scope)
            .filter(pk=complaint_id)
            .first()
        )
        if complaint is None:
            raise NotFound()
        if not (scope.is_health_bureau or scope.department_code == complaint.department_code):
            raise OutOfScope("该投诉由其他部门承办，本部门只能查看")
        if complaint.status == Complaint.Status.ANSWERED:
            raise DomainError(SupervisionError.COMPLAINT_ALREADY_ANSWERED, status=409)
        complaint.status = Complaint.Status.ANSWERED
        complaint.reply = text
        complaint.substantiated = substantiated
        complaint.answered_at = timezone.now()
        complaint.answered_by = acting_user
        complaint.save()
        audit_record(
            action=SupervisionAction.COMPLAINT_ANSWERED,
            actor=acting_user,
            obj=complaint,
            detail={"substantiated": substantiated},
        )
        if substantiated:
            credit_event_record(
                acting_user=acting_user,
                institution=complaint.institution,
                kind=CreditEvent.Kind.SUBSTANTIATED_COMPLAINT,
                occurred_on=policy.today(),
                description=f"投诉（{complaint.get_category_display()}）经核查属实",
                source=f"complaint:{complaint.pk}",
            )
    return complaint


def complaint_public_status(tracking_number: str) -> dict:
    """What the complainant reads by the tracking number (API-CONTRACT §6): the status, the
    time of the last change and, once answered, the reply. Nothing else."""
    number = (tracking_number or "").strip().upper()
    complaint = Complaint.objects.filter(tracking_number=number).first() if number else None
    if complaint is None:
        raise NotFound("查询码不存在")
    out = {"status": complaint.status, "updated_at": complaint.updated_at}
    if complaint.status == Complaint.Status.ANSWERED:
        out["reply"] = complaint.reply
    return out


def complaint_phone_reveal(*, acting_user, complaint_id: int) -> str:
    """The complainant's phone in clear for the department handling the complaint, read
    through an audited reveal (P-SUP-4, PIPL): outside the scope, for a township or an
    institution, and for an anonymous complaint (it keeps none) there is nothing: 404."""
    scope = scope_of(acting_user)
    complaint = (
        complaints_visible(Complaint.objects.all(), scope).filter(pk=complaint_id).first()
        if may_see_complainant(scope)
        else None
    )
    if complaint is None or complaint.anonymous or not complaint.contact_phone:
        raise NotFound()
    with transaction.atomic():
        return personal_value_reveal(
            actor=acting_user,
            obj=complaint,
            field_name="contact_phone",
            purpose="投诉处理：联系投诉人",
        )
