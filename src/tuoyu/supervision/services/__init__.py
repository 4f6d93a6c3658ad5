"""Every write of supervision, one module per capability (re-exported here)."""

from tuoyu.supervision.services.blacklist import blacklist_approve, blacklist_propose
from tuoyu.supervision.services.cases import case_open, case_suspension_lift
from tuoyu.supervision.services.complaints import (
    complaint_answer,
    complaint_file,
    complaint_phone_reveal,
    complaint_public_status,
)
from tuoyu.supervision.services.credit import credit_event_enter, credit_event_record
from tuoyu.supervision.services.inspections import (
    inspection_create_targeted,
    inspection_record,
    plan_create,
    plan_draw,
)
from tuoyu.supervision.services.orders import order_decide, order_reply, orders_escalate
from tuoyu.supervision.services.risk import risk_recompute, risk_signal_record

__all__ = [
    "blacklist_approve",
    "blacklist_propose",
    "case_open",
    "case_suspension_lift",
    "complaint_answer",
    "complaint_file",
    "complaint_phone_reveal",
    "complaint_public_status",
    "credit_event_enter",
    "credit_event_record",
    "inspection_create_targeted",
    "inspection_record",
    "order_decide",
    "order_reply",
    "orders_escalate",
    "plan_create",
    "plan_draw",
    "risk_recompute",
    "risk_signal_record",
]
