"""The supervision seed ([supervision] "Data"): a plan history, inspections, orders in every
state, complaints and credit events; deterministic for a seed."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import transaction

from tuoyu.audit.selectors import audit_chain_verify
from tuoyu.core import seeding
from tuoyu.supervision.models import (
    Complaint,
    CreditEvent,
    CreditRating,
    InspectionPlan,
    RectificationOrder,
    RiskScore,
)

TODAY = dt.date(2026, 6, 30)


class _Rollback(Exception):
    pass


def _snapshot(seed: int, check=None):
    out = None
    try:
        with transaction.atomic():
            seeding.run(
                scale="district",
                seed=seed,
                district_code=settings.TUOYU_DISTRICT_CODE,
                today=TODAY,
                quiet=True,
            )
            if check:
                check()
            out = (
                list(
                    Complaint.objects.order_by("tracking_number").values_list(
                        "tracking_number", "institution__uscc", "category", "status"
                    )
                ),
                list(
                    RectificationOrder.objects.order_by(
                        "institution__uscc", "due_on", "item_code"
                    ).values_list("institution__uscc", "item_code", "severity", "status", "due_on")
                ),
            )
            raise _Rollback
    except _Rollback:
        pass
    return out


def _every_state():
    states = set(RectificationOrder.objects.values_list("status", flat=True))
    assert states == {"open", "replied", "accepted"}
    assert RectificationOrder.objects.filter(escalated_on__isnull=False).exists()
    assert RectificationOrder.objects.filter(status="open", due_on__gte=TODAY).exists()
    statuses = set(Complaint.objects.values_list("status", flat=True))
    assert statuses == {"received", "answered"}
    anonymous = list(Complaint.objects.filter(anonymous=True))
    assert anonymous and all(c.contact_phone == "" for c in anonymous)
    assert Complaint.objects.filter(anonymous=False).first().contact_phone.masked
    assert CreditEvent.objects.filter(kind="serious_finding").exists()
    assert CreditRating.objects.exists() and RiskScore.objects.exists()
    assert InspectionPlan.objects.filter(seed__gt="").exists()
    assert audit_chain_verify().ok


@pytest.mark.django_db
def test_seed_has_every_state_and_is_deterministic():
    first = _snapshot(3, _every_state)
    assert first[0] and first[1]
    assert _snapshot(3) == first
