"""The report against the real entitlement computation (P-SUB-2), not a stand-in: an
affordable institution with 30 filed slots the whole of 2022 is entitled to
30 × ¥1,600 = ¥48,000 (V2020-36); it claims and is paid that item; the report's entitled,
claimed and paid figures agree, and its query count stays constant with more
institutions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    AffordableDesignationFactory,
    CareClassFactory,
    ClaimFactory,
    ClaimItemFactory,
    FundFactory,
    LedgerEntryFactory,
)
from tuoyu.subsidies.entitlements import entitlement_for
from tuoyu.subsidies.models import Claim
from tuoyu.subsidies.selectors.reports import subsidy_report

pytestmark = pytest.mark.django_db

FILED_ON = dt.date(2021, 1, 4)


def _affordable(make_institution, **kwargs):
    inst = make_institution(filed=True, filed_on=FILED_ON, **kwargs)
    AffordableDesignationFactory(institution=inst, starts_on=FILED_ON, ends_on=None)
    CareClassFactory(
        institution=inst, class_type="mixed", capacity=30, status="filed", filed_on=FILED_ON
    )
    return inst


def test_the_report_uses_the_real_entitlements(make_institution, district, finance_user):
    inst = _affordable(make_institution, name="普惠甲托育中心")
    (item,) = entitlement_for(institution=inst, year=2022).items
    assert item.amount_yuan == Decimal("48000.00")  # 30 × 1600
    claim = ClaimFactory(institution=inst, year=2022, status=Claim.Status.PAID)
    claim_item = ClaimItemFactory.from_entitlement_item(
        claim=claim, item=item, approved_yuan=item.amount_yuan
    )
    fund = FundFactory(code="district")
    LedgerEntryFactory(claim_item=claim_item, fund=fund, budget_year=2022)

    report = subsidy_report(acting_user=finance_user, year=2022)
    (row,) = [r for r in report.institutions if r.label == "普惠甲托育中心"]
    assert row.figures.entitled == row.figures.claimed == row.figures.paid == Decimal("48000")
    assert report.total.entitled == Decimal("48000.00")

    def run():
        subsidy_report(acting_user=finance_user, year=2022, fund=fund)

    run()
    with CaptureQueriesContext(connection) as few:
        run()
    for n in range(8):
        _affordable(make_institution, township=district["dongxiao" if n % 2 else "duohu"])
    with CaptureQueriesContext(connection) as many:
        run()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert subsidy_report(acting_user=finance_user, year=2022).total.entitled == 9 * Decimal(
        "48000"
    )
