"""The subsidies factories (tests/factories/subsidies.py) build valid rows, so that the
claims, ledger and reports tests start from consistent data (P-SUB-1..4)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.factories import (
    ClaimFactory,
    ClaimItemFactory,
    DemonstrationTitleFactory,
    FundBudgetFactory,
    FundFactory,
    LedgerEntryFactory,
    PaymentFactory,
)
from tuoyu.subsidies.entitlements import entitlement_for

pytestmark = pytest.mark.django_db


def test_every_factory_builds(district):
    fund = FundFactory()
    assert FundBudgetFactory(fund=fund).amount_yuan == Decimal("2000000.00")
    title = DemonstrationTitleFactory()
    assert title.institution.filed_on == dt.date(2021, 1, 4)
    claim = ClaimFactory()
    assert claim.submitted_by.institution_id == claim.institution_id
    item = ClaimItemFactory(claim=claim)
    payment = PaymentFactory(claim=ClaimFactory(status="paid"), fund=fund)
    entry = LedgerEntryFactory(claim_item=item, fund=fund, payment=payment)
    assert entry.amount_yuan == item.claimed_yuan and entry.institution == claim.institution


def test_claim_item_from_an_entitlement_item(district):
    """P-SUB-3: a municipal title of 2022 = ¥100,000, snapshotted into a claim item."""
    title = DemonstrationTitleFactory()
    (ent_item,) = entitlement_for(institution=title.institution, year=2022).items
    claim = ClaimFactory(institution=title.institution, year=2022)
    item = ClaimItemFactory.from_entitlement_item(claim=claim, item=ent_item)
    assert (item.item_key, item.entitled_yuan, item.policy_ref) == (
        f"{title.institution_id}/P-SUB-3/municipal",
        Decimal("100000.00"),
        "P-SUB-3",
    )
