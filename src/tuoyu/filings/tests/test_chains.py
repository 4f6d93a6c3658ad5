"""P-REG-13: a chain branch inside its agreement's scope is filed on the simplified path
(reviewed on the four subjects, no separate decision); outside the scope it goes the full
way. More in test_chain_path.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import ChainAgreementFactory
from tuoyu.filings import selectors, services
from tuoyu.filings.models import SubjectReview
from tuoyu.filings.tests.conftest import BASIC, approve_all, fill

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement(make_institution, district):
    head = make_institution(
        name="连锁总部托育有限公司", filing_status="filed", filing_number="TY330703-2024-0009"
    )
    today = timezone.localdate()
    return ChainAgreementFactory(
        head=head,
        agreement_number="LS-2025-01",
        max_branches=2,
        valid_from=today - dt.timedelta(days=30),
        valid_until=today + dt.timedelta(days=365),
        townships=[district["duohu"]],
    )


def branch_files(make_institution, make_user, agreement, n, township=None):
    inst = make_institution(chain_agreement=agreement, township=township)
    user = make_user(f"branch{n}", institution=inst)
    app = services.filing_start(acting_user=user, institution=inst, kind="initial")
    basic = None
    if township is not None:
        basic = {**BASIC, "township": township.code, "community": "330703002201"}
    fill(user, app, basic=basic)
    services.filing_submit(acting_user=user, application=app, commitment_accepted=True)
    app.refresh_from_db()
    inst.refresh_from_db()
    return inst, app


def test_branch_in_scope_is_reviewed_then_filed_without_decision(
    make_institution, make_user, agreement, reviewers
):
    inst, app = branch_files(make_institution, make_user, agreement, 1)
    assert app.path == "chain_simplified"
    assert app.status == "in_review"
    assert SubjectReview.objects.filter(application=app, status="pending").count() == 4
    app = approve_all(app, reviewers)
    inst.refresh_from_db()
    assert app.status == "approved" and app.decided_by is None
    assert "LS-2025-01" in app.decision_note
    assert inst.filing_status == "filed" and inst.filing_number


def test_branch_outside_township_takes_full_path(make_institution, make_user, agreement, district):
    _inst, app = branch_files(
        make_institution, make_user, agreement, 1, township=district["dongxiao"]
    )
    assert app.path == "full" and app.status == "in_review"
    assert SubjectReview.objects.filter(application=app).count() == 4


def test_branch_beyond_max_branches_takes_full_path(make_institution, make_user, agreement):
    branch_files(make_institution, make_user, agreement, 1)
    branch_files(make_institution, make_user, agreement, 2)
    _inst, app = branch_files(make_institution, make_user, agreement, 3)
    assert app.path == "full" and app.status == "in_review"


def test_expired_agreement_takes_full_path(make_institution, make_user, agreement):
    agreement.valid_until = timezone.localdate() - dt.timedelta(days=1)
    agreement.valid_from = agreement.valid_until - dt.timedelta(days=100)
    agreement.save()
    _inst, app = branch_files(make_institution, make_user, agreement, 1)
    assert app.path == "full"


def test_covering_selector(make_institution, agreement):
    today = timezone.localdate()
    inst = make_institution(chain_agreement=agreement)
    assert selectors.chain_agreement_covering(inst, today) == agreement
    assert selectors.chain_agreement_covering(inst, agreement.valid_from - dt.timedelta(1)) is None
    assert selectors.chain_agreement_covering(inst, agreement.valid_until) == agreement
    assert selectors.chain_agreement_covering(make_institution(), today) is None
