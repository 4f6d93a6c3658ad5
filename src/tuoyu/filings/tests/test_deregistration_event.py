"""Deregistration → filing cancellation → end of 普惠 status, through the domain event
`institution_deregistered` (P-FIL-3, P-MODE-2; [house] point 3): institutions emits it and
never imports filings; filings' receiver runs inside the push's transaction, so a failing
receiver refuses the push as a whole."""

from __future__ import annotations

import datetime as dt

import pytest

from tuoyu.core import events
from tuoyu.filings import receivers
from tuoyu.institutions.models import (
    AffordableDesignation,
    CareClass,
    Institution,
    RegistrationEvent,
)
from tuoyu.institutions.services.registration import registration_event_receive

pytestmark = pytest.mark.django_db


def deregistration(uscc: str) -> dict:
    return {
        "event_id": "SAMR-330703-2025-D00001",
        "authority": "market_regulation",
        "action": "deregistered",
        "uscc": uscc,
        "occurred_at": "2025-05-20T15:00:00+08:00",
    }


@pytest.fixture
def affordable_filed(make_institution, make_user):
    inst = make_institution(
        filing_status="filed", filing_number="TY330703-2024-0007", filed_on=dt.date(2024, 4, 1)
    )
    CareClass.objects.create(
        institution=inst, name="托小一班", class_type="toddler_small", capacity=12, status="filed"
    )
    AffordableDesignation.objects.create(
        institution=inst, starts_on=dt.date(2024, 5, 1), decision_ref="金东卫发〔2024〕1号"
    )
    return inst


@pytest.fixture
def market(make_user):
    return make_user("shichang-evt", department="market_regulation")


def test_filings_receives_the_deregistration_inside_the_transaction():
    assert "tuoyu.filings.receivers.cancel_filing_on_deregistration" in events.receivers_of(
        events.INSTITUTION_DEREGISTERED
    )


def test_deregistration_cancels_the_filing_and_ends_affordable_status(affordable_filed, market):
    registration_event_receive(acting_user=market, data=deregistration(affordable_filed.uscc))

    inst = Institution.objects.get(pk=affordable_filed.pk)
    assert inst.registration_status == Institution.RegistrationStatus.DEREGISTERED
    assert inst.filing_status == Institution.FilingStatus.CANCELLED
    assert inst.filing_cancelled_on == dt.date(2025, 5, 20)
    assert not CareClass.objects.filter(institution=inst).exclude(status="closed").exists()
    designation = AffordableDesignation.objects.get(institution=inst)
    assert designation.ends_on == dt.date(2025, 5, 20)


def test_a_failing_receiver_rolls_the_whole_deregistration_back(
    affordable_filed, market, monkeypatch
):
    def broken(**payload):
        raise RuntimeError("filings could not cancel")

    monkeypatch.setattr(receivers, "filing_cancel", lambda **kw: broken(**kw))

    with pytest.raises(RuntimeError, match="filings could not cancel"):
        registration_event_receive(acting_user=market, data=deregistration(affordable_filed.uscc))

    inst = Institution.objects.get(pk=affordable_filed.pk)
    assert inst.registration_status == Institution.RegistrationStatus.REGISTERED
    assert inst.filing_status == Institution.FilingStatus.FILED
    assert not RegistrationEvent.objects.filter(uscc=inst.uscc).exists()
    assert AffordableDesignation.objects.get(institution=inst).ends_on is None
    assert CareClass.objects.get(institution=inst).status == "filed"
