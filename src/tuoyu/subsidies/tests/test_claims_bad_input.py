"""[subsidies] #14 "Bad input": each refused with a coded error (P-SUB-1..4, P-ORG-2) — a claim
for a year not yet started, above the entitlement, a second claim for the same item, a
payment above the fund's balance, a reused voucher, an approval by the department that did
not review — and the other refusals of the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories.subsidies import LedgerEntryFactory
from tuoyu.core.errors import DomainError, NotFound
from tuoyu.subsidies.models import Claim, ClaimItem, LedgerEntry, Payment
from tuoyu.subsidies.services.claims import claim_approve, claim_pay, claim_review, claim_submit
from tuoyu.subsidies.tests.claims_support import (
    BANK,
    entitled,
    funded,
    item,
    no_standing_problems,
)

pytestmark = pytest.mark.django_db
PAID_ON = dt.date(2024, 11, 20)


@pytest.fixture
def items(monkeypatch, filed_institution):
    no_standing_problems(monkeypatch)
    return entitled(
        monkeypatch,
        filed_institution,
        [item(filed_institution, 1), item(filed_institution, 2, "20000.00")],
    )


def _submit(user, institution, keys, *, year=2024, **kw):
    fields = {**BANK, **kw}
    return claim_submit(
        acting_user=user, institution=institution, year=year, item_keys=keys, **fields
    )


def _code(fn) -> str:
    with pytest.raises(DomainError) as err:
        fn()
    return err.value.code


@pytest.fixture
def approved(items, filed_institution, filed_user, health_user, finance_user):
    claim = _submit(filed_user, filed_institution, [i.key for i in items])
    claim_review(acting_user=health_user, claim=claim, approve=True)
    claim_approve(acting_user=finance_user, claim=claim, approve=True)
    return claim


def test_year_not_started(items, filed_institution, filed_user):
    """P-SUB-1..3: a claim for a year after the current one (the clock: 2026-12-01)."""
    assert (
        _code(lambda: _submit(filed_user, filed_institution, [items[0].key], year=2099))
        == "year_not_started"
    )


def test_claim_above_entitlement(items, filed_institution, filed_user):
    key = items[0].key
    assert (
        _code(lambda: _submit(filed_user, filed_institution, [key], claimed_yuan={key: "50000.01"}))
        == "claim_above_entitlement"
    )
    assert not Claim.objects.exists()


def test_claim_less_than_entitlement_is_kept(items, filed_institution, filed_user):
    key = items[0].key
    claim = _submit(filed_user, filed_institution, [key], claimed_yuan={key: "30000"})
    assert claim.items.get().claimed_yuan == Decimal("30000.00")


def test_second_claim_for_same_item(items, filed_institution, filed_user):
    _submit(filed_user, filed_institution, [items[0].key])
    with pytest.raises(DomainError) as err:
        _submit(filed_user, filed_institution, [items[0].key, items[1].key])
    assert err.value.code == "item_already_claimed" and err.value.status == 409
    assert Claim.objects.count() == 1


def test_item_not_entitled_and_no_items(items, filed_institution, filed_user):
    assert _code(lambda: _submit(filed_user, filed_institution, ["x/P-SUB-1/class/9"])) == (
        "item_not_entitled"
    )
    assert _code(lambda: _submit(filed_user, filed_institution, [])) == "claim_no_items"


def test_bank_account_and_fields_checked_together(items, filed_institution, filed_user):
    with pytest.raises(DomainError) as err:
        _submit(
            filed_user,
            filed_institution,
            [items[0].key],
            bank_account="12-34",
            bank_name="",
        )
    assert {(e.code, e.field) for e in err.value.errors} >= {
        ("bank_account_format", "bank_account"),
        ("required", "bank_name"),
    }


def test_material_checked_by_content(items, filed_institution, filed_user, media_root):
    fake_pdf = SimpleUploadedFile("证明.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    with pytest.raises(DomainError) as err:
        _submit(filed_user, filed_institution, [items[0].key], materials=[fake_pdf])
    assert err.value.code == "file_type_not_allowed"
    pdf = SimpleUploadedFile("证明.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    claim = _submit(filed_user, filed_institution, [items[0].key], materials=[pdf])
    material = claim.materials.get()
    assert material.content_type == "application/pdf" and material.original_name == "证明.pdf"
    assert "证明" not in material.file.name  # stored under a random name


def test_other_institution_cannot_claim(items, filed_institution, make_user, make_filed):
    other = make_user("jg-other", institution=make_filed())
    with pytest.raises(NotFound):
        _submit(other, filed_institution, [items[0].key])


def test_review_by_anyone_but_health_p_org_2(items, filed_institution, filed_user, finance_user):
    claim = _submit(filed_user, filed_institution, [items[0].key])
    assert (
        _code(lambda: claim_review(acting_user=finance_user, claim=claim, approve=True))
        == "not_reviewing_department"
    )


def test_approval_by_the_department_that_reviewed_p_org_2(
    items, filed_institution, filed_user, health_user, make_user
):
    """区卫健局 reviewed; it (or any department but 区财政局) may not approve."""
    claim = _submit(filed_user, filed_institution, [items[0].key])
    claim_review(acting_user=health_user, claim=claim, approve=True)
    assert (
        _code(lambda: claim_approve(acting_user=health_user, claim=claim, approve=True))
        == "not_approving_department"
    )
    market = make_user("sc", department="market_regulation")
    assert (
        _code(lambda: claim_approve(acting_user=market, claim=claim, approve=True))
        == "not_approving_department"
    )


def test_approve_before_review_is_wrong_state(items, filed_institution, filed_user, finance_user):
    claim = _submit(filed_user, filed_institution, [items[0].key])
    assert (
        _code(lambda: claim_approve(acting_user=finance_user, claim=claim, approve=True))
        == "claim_wrong_state"
    )


def test_reduction_needs_a_reason_and_never_above(
    items, filed_institution, filed_user, health_user
):
    claim = _submit(filed_user, filed_institution, [items[0].key])
    pk = claim.items.get().pk
    assert (
        _code(
            lambda: claim_review(
                acting_user=health_user, claim=claim, approve=True, amounts={pk: ("100", "")}
            )
        )
        == "reduction_reason_required"
    )
    assert (
        _code(
            lambda: claim_review(
                acting_user=health_user,
                claim=claim,
                approve=True,
                amounts={pk: ("50000.01", "多报")},
            )
        )
        == "amount_above_previous_step"
    )


def test_reject_needs_a_reason(items, filed_institution, filed_user, health_user):
    claim = _submit(filed_user, filed_institution, [items[0].key])
    assert (
        _code(lambda: claim_review(acting_user=health_user, claim=claim, approve=False))
        == "required"
    )


def _pay(claim, fund, finance_user, voucher="V-1", **kw):
    return claim_pay(
        acting_user=finance_user,
        claim=claim,
        fund=fund,
        voucher_number=voucher,
        paid_on=kw.pop("paid_on", PAID_ON),
        **kw,
    )


def test_payment_above_the_fund_balance_p_sub_4(approved, finance_user):
    fund = funded(finance_user, amount="69999.99")  # the claim is 50,000 + 20,000
    assert _code(lambda: _pay(approved, fund, finance_user)) == "fund_balance_exceeded"
    assert not LedgerEntry.objects.exists()


def test_payment_without_a_budget_for_the_year(approved, finance_user):
    fund = funded(finance_user, year=2023)
    assert _code(lambda: _pay(approved, fund, finance_user)) == "fund_no_budget"


def test_fund_that_may_not_pay_the_rule(approved, finance_user):
    fund = funded(finance_user, pays_refs=["P-SUB-2"])
    assert _code(lambda: _pay(approved, fund, finance_user)) == "fund_not_for_item"


def test_reused_voucher(approved, finance_user, monkeypatch, filed_institution):
    fund = funded(finance_user)
    LedgerEntryFactory(fund=fund, voucher_number="V-USED")
    with pytest.raises(DomainError) as err:
        _pay(approved, fund, finance_user, voucher="V-USED")
    assert err.value.code == "voucher_reused" and err.value.status == 409


def test_pay_by_health_is_refused(approved, health_user, finance_user):
    fund = funded(finance_user)
    assert _code(lambda: _pay(approved, fund, health_user)) == "not_approving_department"


def test_paying_twice_is_item_already_paid(approved, finance_user):
    fund = funded(finance_user)
    _pay(approved, fund, finance_user)
    assert _code(lambda: _pay(approved, fund, finance_user, voucher="V-2")) == ("item_already_paid")
    assert Payment.objects.count() == 1


def test_ledger_constraint_answers_item_already_paid(approved, finance_user):
    """`ledger_item_paid_once`: an item key already paid (here booked directly, as a
    concurrent payment would have) makes the INSERT fail: item_already_paid, nothing kept."""
    fund = funded(finance_user)
    key = ClaimItem.objects.filter(claim=approved).first().item_key
    # (a key names its institution, so the entry already booked is the same institution's)
    LedgerEntryFactory(
        fund=fund, institution=approved.institution, item_key=key, voucher_number="OTHER"
    )
    assert _code(lambda: _pay(approved, fund, finance_user)) == "item_already_paid"
    assert not Payment.objects.filter(claim=approved).exists()
    approved.refresh_from_db()
    assert approved.status == Claim.Status.APPROVED
