"""P-REG-13 chains, read with P-REG-12 (issue 7 point 1).

- The agreement's scope is judged on the premises filed (the application's township, which
  approval files), not on the township the branch was registered in.
- Inside the scope the branch is still reviewed on the four subjects (审核性备案); what the
  chain rule removes is the separate approval: when every subject passed the branch is filed
  without the decision step, with its receipt, audited with the agreement.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import ChainAgreementFactory, TownshipFactory, VillageFactory
from tuoyu.audit.models import AuditEvent
from tuoyu.core.errors import DomainError
from tuoyu.filings import receipt, selectors, services
from tuoyu.filings.catalogue import FilingsAction
from tuoyu.filings.models import FilingApplication, SubjectReview
from tuoyu.filings.tests.conftest import BASIC, approve_all, fill

pytestmark = pytest.mark.django_db

XIAOSHUN = "330703101"  # 孝顺镇
XIAOSHUN_VILLAGE = "330703101201"


@pytest.fixture
def agreement(make_institution, district):
    """An agreement covering 多湖街道 only."""
    head = make_institution(
        name="连锁总部托育有限公司", filing_status="filed", filing_number="TY330703-2024-0009"
    )
    today = timezone.localdate()
    return ChainAgreementFactory(
        head=head,
        agreement_number="LS-2025-07",
        max_branches=3,
        valid_from=today - dt.timedelta(days=30),
        valid_until=today + dt.timedelta(days=365),
        townships=[district["duohu"]],
    )


@pytest.fixture
def xiaoshun(district):
    township = TownshipFactory(code=XIAOSHUN)
    VillageFactory(code=XIAOSHUN_VILLAGE, name="孝顺村委会")
    return township


def branch_submits(make_institution, make_user, agreement, *, basic=None, n=1):
    """A branch registered in 多湖街道 (the make_institution default) files and submits."""
    inst = make_institution(chain_agreement=agreement)
    user = make_user(f"branch{n}", institution=inst)
    app = services.filing_start(acting_user=user, institution=inst, kind="initial")
    fill(user, app, basic=basic)
    services.filing_submit(acting_user=user, application=app, commitment_accepted=True)
    app.refresh_from_db()
    inst.refresh_from_db()
    return inst, user, app


def test_p_reg_13_scope_is_judged_on_the_premises_filed(
    make_institution, make_user, agreement, xiaoshun, reviewers
):
    """Issue 7 point 1: an agreement covering only 多湖街道; a branch registered there files
    premises in 孝顺镇 → the full path (reviews and 区卫健局's decision), filed in 孝顺镇."""
    basic = {**BASIC, "township": XIAOSHUN, "community": XIAOSHUN_VILLAGE}
    inst, _user, app = branch_submits(make_institution, make_user, agreement, basic=basic)
    assert inst.township.code != XIAOSHUN  # registered in 多湖街道
    assert app.path == FilingApplication.Path.FULL
    assert app.status == FilingApplication.Status.IN_REVIEW
    assert SubjectReview.objects.filter(application=app, status="pending").count() == 4

    app = approve_all(app, reviewers)
    assert app.status == FilingApplication.Status.AWAITING_DECISION
    assert app in selectors.decision_queue(acting_user=reviewers["health"])
    services.filing_decide(acting_user=reviewers["health"], application=app, approve=True)
    inst.refresh_from_db()
    assert inst.filing_status == "filed" and inst.township.code == XIAOSHUN


def test_p_reg_13_covering_selector_takes_the_premises_township(
    make_institution, agreement, xiaoshun
):
    inst = make_institution(chain_agreement=agreement)
    today = timezone.localdate()
    assert selectors.chain_agreement_covering(inst, today) == agreement  # registered: 多湖
    assert selectors.chain_agreement_covering(inst, today, township_code="330703001") == agreement
    assert selectors.chain_agreement_covering(inst, today, township_code=XIAOSHUN) is None


def test_p_reg_13_covered_branch_is_reviewed_on_four_subjects(
    make_institution, make_user, agreement, reviewers
):
    """Inside the scope the filing is still reviewed (审核性备案, P-REG-12): four pending
    reviews at submission, nothing filed yet."""
    inst, _user, app = branch_submits(make_institution, make_user, agreement)
    assert app.path == FilingApplication.Path.CHAIN_SIMPLIFIED
    assert app.status == FilingApplication.Status.IN_REVIEW
    pending = SubjectReview.objects.filter(application=app, status="pending")
    assert sorted(pending.values_list("subject", flat=True)) == sorted(
        ["fire", "security", "food", "health_care"]
    )
    assert inst.filing_status == "in_review" and not inst.filing_number
    submitted = AuditEvent.objects.get(
        action=FilingsAction.APPLICATION_SUBMITTED, object_id=str(app.pk)
    )
    assert submitted.detail["path"] == "chain_simplified"
    assert submitted.detail["agreement"] == "LS-2025-07"


def test_p_reg_13_covered_branch_is_filed_without_a_decision_when_all_passed(
    make_institution, make_user, agreement, reviewers
):
    """Not separately approved (不再单独报批): the last subject passing files the branch —
    no decision step, no 区卫健局 decision queue entry — with its receipt."""
    inst, _user, app = branch_submits(make_institution, make_user, agreement)
    reviews = list(SubjectReview.objects.filter(application=app, status="pending"))
    for review in reviews[:-1]:
        services.subject_review_decide(
            acting_user=reviewers[review.subject], review=review, approve=True
        )
    app.refresh_from_db()
    assert app.status == FilingApplication.Status.IN_REVIEW  # not filed before all passed
    last = reviews[-1]
    services.subject_review_decide(acting_user=reviewers[last.subject], review=last, approve=True)

    app.refresh_from_db()
    inst.refresh_from_db()
    assert app.status == FilingApplication.Status.APPROVED
    assert app.decided_by is None and app.awaiting_decision_since is None
    assert "LS-2025-07" in app.decision_note
    assert app not in selectors.decision_queue(acting_user=reviewers["health"])
    assert inst.filing_status == "filed" and inst.filing_number == app.filing_number
    assert inst.classes.filter(status="filed").count() == 2
    pdf = receipt.receipt_pdf(inst)
    assert pdf.startswith(b"%PDF")
    event = AuditEvent.objects.get(
        action=FilingsAction.APPLICATION_CHAIN_SIMPLIFIED_FILED, object_id=str(app.pk)
    )
    assert event.detail["agreement"] == "LS-2025-07"
    assert event.detail["filing_number"] == inst.filing_number
    assert event.changes["status"] == ["in_review", "approved"]
    # there is nothing left to decide
    with pytest.raises(DomainError) as exc:
        services.filing_decide(acting_user=reviewers["health"], application=app, approve=True)
    assert exc.value.code == "invalid_transition" and exc.value.status == 409


def test_p_reg_13_returned_subject_is_reviewed_again_before_filing(
    make_institution, make_user, agreement, reviewers
):
    inst, user, app = branch_submits(make_institution, make_user, agreement)
    fire = SubjectReview.objects.get(application=app, subject="fire")
    services.subject_review_decide(
        acting_user=reviewers["fire"], review=fire, approve=False, reasons=["疏散通道不足"]
    )
    app.refresh_from_db()
    assert app.status == FilingApplication.Status.RETURNED
    services.filing_submit(acting_user=user, application=app, commitment_accepted=True)
    app = approve_all(app, reviewers)
    inst.refresh_from_db()
    assert app.status == FilingApplication.Status.APPROVED and app.decided_by is None
    assert inst.filing_status == "filed"


def test_p_reg_13_agreement_lapsed_during_review_falls_back_to_the_decision(
    make_institution, make_user, agreement, reviewers
):
    """An agreement that no longer covers the branch when the subjects pass (ended early)
    gives no simplified filing: the application waits for 区卫健局's decision."""
    _inst, _user, app = branch_submits(make_institution, make_user, agreement)
    agreement.ended_on = timezone.localdate() - dt.timedelta(days=1)
    agreement.save()
    app = approve_all(app, reviewers)
    assert app.status == FilingApplication.Status.AWAITING_DECISION
    assert app.path == FilingApplication.Path.FULL
    assert app in selectors.decision_queue(acting_user=reviewers["health"])
