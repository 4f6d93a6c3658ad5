"""P-FIL-3: cancellation of a filing on deregistration (filing_cancel)."""

import datetime as dt

import pytest

from tests.factories import (
    AffordableDesignationFactory,
    CareClassFactory,
    FilingApplicationFactory,
    SubjectReviewFactory,
)
from tuoyu.audit.models import AuditEvent
from tuoyu.filings.models import FilingApplication, SubjectReview
from tuoyu.filings.services import filing_cancel
from tuoyu.institutions.models import CareClass, Institution

pytestmark = pytest.mark.django_db


def test_filing_cancel_closes_classes_withdraws_open_application_and_is_idempotent(
    make_institution, make_user
):
    inst = make_institution(
        filing_status="filed", filing_number="TY330703-2025-0001", filed_on=dt.date(2025, 1, 2)
    )
    cls = CareClassFactory(
        institution=inst, name="托小一班", class_type="toddler_small", capacity=10, status="filed"
    )
    app = FilingApplicationFactory(institution=inst, kind="change", status="in_review")
    review = SubjectReviewFactory(
        application=app, institution=inst, subject="fire", round=1, opened_at=app.created_at
    )
    user = make_user("shichang", department="market_regulation")

    filing_cancel(
        institution=inst,
        acting_user=user,
        reason="登记机关注销登记",
        cancelled_on=dt.date(2026, 3, 1),
        source="deregistration",
    )

    inst.refresh_from_db()
    assert inst.filing_status == Institution.FilingStatus.CANCELLED
    assert inst.filing_cancelled_on == dt.date(2026, 3, 1)
    cls.refresh_from_db()
    assert cls.status == CareClass.Status.CLOSED and cls.closed_on == dt.date(2026, 3, 1)
    app.refresh_from_db()
    assert app.status == FilingApplication.Status.WITHDRAWN
    review.refresh_from_db()
    assert review.status == SubjectReview.Status.SUPERSEDED
    events = AuditEvent.objects.filter(action="filings.filing.cancelled")
    assert events.count() == 1
    assert events.get().detail["source"] == "deregistration"

    # Idempotent: a second push changes and records nothing.
    filing_cancel(
        institution=inst,
        acting_user=user,
        reason="重复推送",
        cancelled_on=dt.date(2026, 4, 1),
        source="deregistration",
    )
    inst.refresh_from_db()
    assert inst.filing_cancelled_on == dt.date(2026, 3, 1)
    assert AuditEvent.objects.filter(action="filings.filing.cancelled").count() == 1


def test_filing_cancel_ends_affordable_status(make_institution, make_user):
    """P-FIL-3 with P-MODE-2: a cancelled filing ends the 普惠 designation on that day; the
    history row stays."""
    from tuoyu.institutions.models import AffordableDesignation

    inst = make_institution(
        filing_status="filed", filing_number="TY330703-2024-0007", filed_on=dt.date(2024, 1, 2)
    )
    designation = AffordableDesignationFactory(
        institution=inst, starts_on=dt.date(2024, 3, 1), decision_ref="金东卫〔2024〕12号"
    )
    user = make_user("weijian", department="health")
    filing_cancel(
        institution=inst,
        acting_user=user,
        reason="机构申请注销",
        cancelled_on=dt.date(2026, 5, 31),
        source="request",
    )
    designation.refresh_from_db()
    assert designation.ends_on == dt.date(2026, 5, 31)
    assert designation.withdrawn_at is not None
    assert AffordableDesignation.objects.filter(institution=inst).count() == 1
    event = AuditEvent.objects.get(action="filings.filing.cancelled", object_id=str(inst.pk))
    assert event.detail["affordable_designations_closed"] == 1
