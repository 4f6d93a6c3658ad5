"""P-SUB-4 ledger: funds and budgets (区财政局 only), clawbacks (a negative entry reversing a
payment, reason and voucher required, never above what was paid minus earlier clawbacks),
and the property "the balance equals budget − payments + clawbacks" over random sequences."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories.subsidies import FundFactory, LedgerEntryFactory
from tuoyu.core.errors import DomainError
from tuoyu.subsidies.models import FundBudget, LedgerEntry
from tuoyu.subsidies.selectors.ledger import fund_balance, fund_years, ledger_rows, yuan
from tuoyu.subsidies.services.ledger import clawback_book, fund_budget_set, fund_create

pytestmark = pytest.mark.django_db
DAY = dt.date(2024, 12, 10)


def _code(fn) -> str:
    with pytest.raises(DomainError) as err:
        fn()
    return err.value.code


def test_fund_create_and_budget_p_sub_4(finance_user):
    fund = fund_create(
        acting_user=finance_user,
        code="ndrc-2024",
        name="普惠托育专项",
        source="ndrc_project",
        pays_refs=["P-SUB-1", " "],
    )
    assert fund.pays_refs == ["P-SUB-1"]
    fund_budget_set(acting_user=finance_user, fund=fund, year=2024, amount_yuan="300000")
    fund_budget_set(acting_user=finance_user, fund=fund, year=2024, amount_yuan="350000.5")
    assert FundBudget.objects.get(fund=fund, year=2024).amount_yuan == Decimal("350000.50")
    assert fund_balance(fund, 2024) == Decimal("350000.50")
    assert fund_balance(fund, 2025) == Decimal("0.00")
    assert (
        _code(
            lambda: fund_create(
                acting_user=finance_user, code="ndrc-2024", name="x", source="ndrc_project"
            )
        )
        == "fund_code_taken"
    )


def test_only_finance_manages_funds(health_user):
    assert (
        _code(
            lambda: fund_create(
                acting_user=health_user, code="x", name="x", source="district_budget"
            )
        )
        == "not_approving_department"
    )


@pytest.fixture
def paid(finance_user):
    fund = FundFactory()
    fund_budget_set(acting_user=finance_user, fund=fund, year=2024, amount_yuan="100000")
    entry = LedgerEntryFactory(fund=fund, amount_yuan=Decimal("50000.00"), booked_on=DAY)
    return fund, entry


def _claw(user, entry, amount, *, reason="重复申报", voucher="ZH-1", on=DAY):
    return clawback_book(
        acting_user=user,
        entry=entry,
        amount_yuan=amount,
        reason=reason,
        voucher_number=voucher,
        booked_on=on,
    )


def test_clawback_books_a_negative_entry(paid, finance_user):
    fund, entry = paid
    assert fund_balance(fund, 2024) == Decimal("50000.00")
    back = _claw(finance_user, entry, "20000")
    # the clawback names the item whose (one) payment it reverses
    assert (back.kind, back.amount_yuan, back.payment_id) == (
        "clawback",
        Decimal("-20000.00"),
        entry.payment_id,
    )
    assert back.budget_year == entry.budget_year and back.item_key == entry.item_key
    assert fund_balance(fund, 2024) == Decimal("70000.00")  # 100,000 − 50,000 + 20,000
    entry.refresh_from_db()
    assert entry.amount_yuan == Decimal("50000.00")  # the payment row is never edited
    (row,) = fund_years(fund)
    assert (row.budget, row.paid, row.clawed_back, row.balance) == (
        Decimal("100000.00"),
        Decimal("50000.00"),
        Decimal("20000.00"),
        Decimal("70000.00"),
    )
    rows = ledger_rows(fund, 2024)
    assert [r.running_balance for r in rows] == [Decimal("50000.00"), Decimal("70000.00")]
    assert rows[0].clawable == Decimal("30000.00")
    assert yuan(rows[0].running_balance) == "¥50,000.00"


def test_clawback_never_above_paid_minus_earlier(paid, finance_user):
    fund, entry = paid
    _claw(finance_user, entry, "30000", voucher="ZH-1")
    assert _code(lambda: _claw(finance_user, entry, "20000.01", voucher="ZH-2")) == (
        "clawback_above_paid"
    )
    _claw(finance_user, entry, "20000", voucher="ZH-3")
    assert fund_balance(fund, 2024) == Decimal("100000.00")


def test_clawback_needs_reason_and_fresh_voucher(paid, finance_user, health_user):
    _fund, entry = paid
    assert _code(lambda: _claw(finance_user, entry, "1", reason=" ")) == (
        "clawback_reason_required"
    )
    assert _code(lambda: _claw(finance_user, entry, "1", voucher="")) == "required"
    assert _code(lambda: _claw(finance_user, entry, "1", voucher=entry.voucher_number)) == (
        "voucher_reused"
    )
    assert _code(lambda: _claw(health_user, entry, "1")) == "not_approving_department"
    back = _claw(finance_user, entry, "1")
    assert _code(lambda: _claw(finance_user, back, "1", voucher="ZH-9")) == "invalid"


class _Rollback(Exception):
    pass


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    budget=st.integers(min_value=0, max_value=10_000_000),
    ops=st.lists(
        st.tuples(
            st.sampled_from(["pay", "claw"]),
            st.integers(min_value=1, max_value=5_000_000),  # fen
            st.integers(min_value=0, max_value=20),  # which payment to claw back
        ),
        max_size=12,
    ),
)
def test_property_balance_is_budget_minus_payments_plus_clawbacks(finance_user, budget, ops):
    """P-SUB-4: over any sequence of payments and clawbacks (refused ones change nothing),
    fund_balance = budget − Σ payments + Σ clawbacks, and no payment is clawed back beyond
    what it paid."""
    try:
        with transaction.atomic():
            fund = FundFactory(code="prop")
            fund_budget_set(
                acting_user=finance_user, fund=fund, year=2024, amount_yuan=Decimal(budget) / 100
            )
            payments: list[LedgerEntry] = []
            clawed: dict[int, Decimal] = {}
            paid_total = clawed_total = Decimal("0.00")
            for n, (op, fen, which) in enumerate(ops):
                amount = Decimal(fen) / 100
                if op == "pay" or not payments:
                    payments.append(
                        LedgerEntryFactory(fund=fund, amount_yuan=amount, booked_on=DAY)
                    )
                    paid_total += amount
                    continue
                target = payments[which % len(payments)]
                remaining = target.amount_yuan - clawed.get(target.pk, Decimal("0"))
                try:
                    _claw(finance_user, target, amount, voucher=f"P-{n}")
                except DomainError as exc:
                    assert exc.code == "clawback_above_paid" and amount > remaining
                    continue
                assert amount <= remaining
                clawed[target.pk] = clawed.get(target.pk, Decimal("0")) + amount
                clawed_total += amount
            expected = Decimal(budget) / 100 - paid_total + clawed_total
            assert fund_balance(fund, 2024) == expected
            rows = ledger_rows(fund, 2024)
            assert (rows[-1].running_balance if rows else fund_balance(fund, 2024)) == expected
            assert all(r.clawable >= 0 for r in rows)
            raise _Rollback
    except _Rollback:
        pass
