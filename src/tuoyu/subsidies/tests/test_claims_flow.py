"""Claims from submission to payment (P-SUB-1..3 claimed, P-ORG-2 two departments, P-SUB-4
the ledger): the whole flow, partial decisions with reasons, the eligibility rules of the
policy data, and the real entitlement computation behind a claim."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tuoyu.audit.models import AuditEvent
from tuoyu.core.errors import DomainError
from tuoyu.subsidies import entitlements
from tuoyu.subsidies.catalogue import SubsidyAction
from tuoyu.subsidies.models import Claim, ClaimItem, LedgerEntry, Payment
from tuoyu.subsidies.selectors.ledger import fund_balance
from tuoyu.subsidies.services.claims import (
    claim_approve,
    claim_pay,
    claim_review,
    claim_submit,
    eligibility_checks,
)
from tuoyu.subsidies.tests.claims_support import (
    BANK,
    entitled,
    funded,
    item,
    no_standing_problems,
)

pytestmark = pytest.mark.django_db


def _submit(user, institution, keys, **kw):
    return claim_submit(
        acting_user=user, institution=institution, year=2024, item_keys=keys, **BANK, **kw
    )


def test_whole_flow_submit_review_approve_pay_p_sub_4(
    monkeypatch, filed_institution, filed_user, health_user, finance_user
):
    """P-SUB-1 items claimed, reviewed with a reduction (reason), approved in part (reason),
    paid: one positive ledger entry per item, the fund's balance falls by the paid amount."""
    a, b = entitled(
        monkeypatch,
        filed_institution,
        [item(filed_institution, 1), item(filed_institution, 2, "20000.00")],
    )
    no_standing_problems(monkeypatch)
    fund = funded(finance_user)
    claim = _submit(filed_user, filed_institution, [a.key, b.key])
    assert claim.number == "BZ2024-000001" and claim.status == Claim.Status.SUBMITTED
    # the bank account: normalised, stored encrypted, masked when shown
    assert str(claim.bank_account) == "**** **** 8901"
    raw = Claim.objects.filter(pk=claim.pk).values_list("bank_account", flat=True)
    assert "6228" not in str(raw[0])
    ia, ib = claim.items.order_by("pk")

    claim_review(
        acting_user=health_user,
        claim=claim,
        approve=True,
        amounts={ib.pk: (Decimal("15000"), "班级实际开设晚于申报")},
    )
    claim.refresh_from_db()
    assert claim.status == Claim.Status.REVIEWED
    assert [c["outcome"] for c in claim.review_checks] == ["passed"] * 4
    ib.refresh_from_db()
    assert ib.reviewed_yuan == Decimal("15000.00") and ib.decision_reason == "班级实际开设晚于申报"

    claim_approve(
        acting_user=finance_user,
        claim=claim,
        approve=True,
        amounts={ia.pk: (Decimal("45000"), "预算调整")},
    )
    claim.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED
    assert fund_balance(fund, 2024) == Decimal("1000000.00")

    payment = claim_pay(
        acting_user=finance_user,
        claim=claim,
        fund=fund,
        voucher_number="JDCZ-2024-0001",
        paid_on=dt.date(2024, 11, 20),
    )
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID
    assert payment.amount_yuan == Decimal("60000.00")
    entries = LedgerEntry.objects.filter(payment=payment).order_by("pk")
    assert [(e.item_key, e.amount_yuan) for e in entries] == [
        (a.key, Decimal("45000.00")),
        (b.key, Decimal("15000.00")),
    ]
    assert fund_balance(fund, 2024) == Decimal("940000.00")  # 1,000,000 − 45,000 − 15,000
    actions = list(
        AuditEvent.objects.filter(object_type="subsidies.claim", object_id=str(claim.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        SubsidyAction.CLAIM_SUBMITTED,
        SubsidyAction.CLAIM_REVIEWED,
        SubsidyAction.CLAIM_APPROVED,
        SubsidyAction.CLAIM_PAID,
    ]


def test_claim_numbers_sequential_per_year(monkeypatch, filed_institution, filed_user):
    a, b = entitled(
        monkeypatch, filed_institution, [item(filed_institution, 1), item(filed_institution, 2)]
    )
    first = _submit(filed_user, filed_institution, [a.key])
    second = _submit(filed_user, filed_institution, [b.key])
    assert (first.number, second.number) == ("BZ2024-000001", "BZ2024-000002")


def test_rejection_frees_the_items_to_be_claimed_again(
    monkeypatch, filed_institution, filed_user, health_user
):
    """P-SUB-1: a rejected claim's items become inactive, so a new claim may take them."""
    (a,) = entitled(monkeypatch, filed_institution, [item(filed_institution, 1)])
    no_standing_problems(monkeypatch)
    claim = _submit(filed_user, filed_institution, [a.key])
    claim_review(acting_user=health_user, claim=claim, approve=False, note="材料不全")
    assert not ClaimItem.objects.get(claim=claim).active
    again = _submit(filed_user, filed_institution, [a.key])
    assert again.items.get().item_key == a.key


def test_decline_by_finance_frees_the_items(
    monkeypatch, filed_institution, filed_user, health_user, finance_user
):
    (a,) = entitled(monkeypatch, filed_institution, [item(filed_institution, 1)])
    no_standing_problems(monkeypatch)
    claim = _submit(filed_user, filed_institution, [a.key])
    claim_review(acting_user=health_user, claim=claim, approve=True)
    claim_approve(acting_user=finance_user, claim=claim, approve=False, note="预算不足")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DECLINED
    assert not claim.items.get().active


def test_failed_rule_named_in_words_p_sub_1(
    monkeypatch, filed_institution, filed_user, health_user
):
    """The eligibility rules are policy data; a failed rule is named with its reasons, and
    blocks approval (claim_eligibility_failed); rejecting keeps the checks on the claim."""
    (a,) = entitled(monkeypatch, filed_institution, [item(filed_institution, 1)])
    no_standing_problems(
        monkeypatch, {"not_blacklisted": {filed_institution.pk: ["2024-05-01 列入黑名单"]}}
    )
    claim = _submit(filed_user, filed_institution, [a.key])
    with pytest.raises(DomainError) as err:
        claim_review(acting_user=health_user, claim=claim, approve=True)
    assert err.value.code == "claim_eligibility_failed"
    assert "未列入黑名单" in err.value.message
    claim_review(acting_user=health_user, claim=claim, approve=False, note="列入黑名单")
    claim.refresh_from_db()
    failed = [c for c in claim.review_checks if c["outcome"] == "failed"]
    assert failed == [
        {
            "rule": "not_blacklisted",
            "label": "未列入黑名单",
            "outcome": "failed",
            "reasons": ["2024-05-01 列入黑名单"],
        }
    ]


def test_unregistered_rule_is_unchecked_and_blocks(
    monkeypatch, filed_institution, filed_user, health_user
):
    """A rule whose provider nobody registered shows 未能核查 and blocks approval."""
    (a,) = entitled(monkeypatch, filed_institution, [item(filed_institution, 1)])
    no_standing_problems(monkeypatch)
    from tuoyu.institutions import standing

    monkeypatch.delitem(standing._providers, "not_suspended")
    claim = _submit(filed_user, filed_institution, [a.key])
    checks = {c["rule"]: c for c in eligibility_checks(claim)}
    assert checks["not_suspended"]["outcome"] == "unchecked"
    assert "未能核查" in checks["not_suspended"]["reasons"][0]
    with pytest.raises(DomainError) as err:
        claim_review(acting_user=health_user, claim=claim, approve=True)
    assert err.value.code == "claim_eligibility_failed"


def test_filed_on_dates_fails_before_filing(
    monkeypatch, filed_institution, filed_user, health_user
):
    """filed_on_dates: a class filed (per the item) before the institution's filing."""
    (a,) = entitled(
        monkeypatch, filed_institution, [item(filed_institution, 1, filed_on="2023-12-01")]
    )
    no_standing_problems(monkeypatch)
    claim = _submit(filed_user, filed_institution, [a.key])
    checks = {c["rule"]: c for c in eligibility_checks(claim)}
    assert checks["filed_on_dates"]["outcome"] == "failed"
    assert "2023-12-01" in checks["filed_on_dates"]["reasons"][0]
    filed_institution.filing_cancelled_on = None
    # the eligible_from date of the rule is a policy date, not the institution's: not checked
    assert "2020-10-31" not in checks["filed_on_dates"]["reasons"][0]


def test_filed_on_dates_fails_after_cancellation(
    monkeypatch, filed_institution, filed_user, health_user
):
    (a,) = entitled(monkeypatch, filed_institution, [item(filed_institution, 1)])
    no_standing_problems(monkeypatch)
    claim = _submit(filed_user, filed_institution, [a.key])
    type(filed_institution).objects.filter(pk=filed_institution.pk).update(
        filing_cancelled_on=dt.date(2024, 2, 1)
    )
    claim.refresh_from_db()
    checks = {c["rule"]: c for c in eligibility_checks(claim)}
    assert checks["filed_on_dates"]["outcome"] == "failed"


def test_real_entitlement_claimed_and_paid_p_sub_1(
    make_filed, make_user, health_user, finance_user, monkeypatch
):
    """Against the real `entitlement_for` (no stand-in): an institution filed in 2024 with a
    new class is entitled to the P-SUB-1 new-class subsidy; the claim snapshots it and the
    payment books it."""
    institution = make_filed(filed_on=dt.date(2024, 3, 4), classes=(("toddler_small", 15),))
    user = make_user("jg-real", institution=institution)
    no_standing_problems(monkeypatch)
    ent = entitlements.entitlement_for(institution=institution, year=2024)
    new_class = [i for i in ent.items if "/P-SUB-1/" in i.key]
    assert new_class, ent
    claim = claim_submit(
        acting_user=user,
        institution=institution,
        year=2024,
        item_keys=[new_class[0].key],
        **BANK,
    )
    got = claim.items.get()
    assert (got.item_key, got.entitled_yuan) == (new_class[0].key, new_class[0].amount_yuan)
    claim_review(acting_user=health_user, claim=claim, approve=True)
    claim_approve(acting_user=finance_user, claim=claim, approve=True)
    fund = funded(finance_user)
    payment = claim_pay(
        acting_user=finance_user,
        claim=claim,
        fund=fund,
        voucher_number="JDCZ-REAL-1",
        paid_on=dt.date(2024, 12, 1),
    )
    assert payment.amount_yuan == new_class[0].amount_yuan
    assert Payment.objects.count() == 1
