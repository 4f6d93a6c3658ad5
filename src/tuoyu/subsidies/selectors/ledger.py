"""Reads of the funds and their ledgers (P-SUB-4): balances per budget year, entries with a
running balance. Funds are 区财政局's books: 区卫健局 reads them too (`subsidies.view_ledger`);
nobody else sees them (404)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from tuoyu.core.errors import NotFound
from tuoyu.subsidies.models import Fund, FundBudget, LedgerEntry

ZERO = Decimal("0.00")


def yuan(amount) -> str:
    """Money as people read it: ¥1,234.56 (negative: -¥1,234.56)."""
    if amount is None:
        return ""
    amount = Decimal(amount).quantize(Decimal("0.01"))
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


def fund_balance(fund: Fund, year: int) -> Decimal:
    """P-SUB-4: the fund's budget for `year` minus every ledger amount booked against that
    budget year (payments positive, clawbacks negative). No budget counts as 0."""
    budget = (
        FundBudget.objects.filter(fund=fund, year=year)
        .values_list("amount_yuan", flat=True)
        .first()
    )
    booked = LedgerEntry.objects.filter(fund=fund, budget_year=year).aggregate(
        s=Sum("amount_yuan")
    )["s"]
    return (budget or ZERO) - (booked or ZERO)


def _may_read(user) -> bool:
    return bool(user and user.has_perm("subsidies.view_ledger"))


def funds_visible(*, acting_user):
    if not _may_read(acting_user):
        return Fund.objects.none()
    return Fund.objects.all()


def fund_get(*, acting_user, pk: int) -> Fund:
    fund = funds_visible(acting_user=acting_user).filter(pk=pk).first()
    if fund is None:
        raise NotFound()
    return fund


@dataclass(frozen=True)
class YearRow:
    year: int
    budget: Decimal | None
    document_ref: str
    paid: Decimal
    clawed_back: Decimal  # positive: the amount taken back
    balance: Decimal


def fund_years(fund: Fund) -> list[YearRow]:
    """Per budget year (those with a budget or with entries, newest first): budget, paid,
    clawed back and balance; two queries."""
    budgets = {b.year: b for b in FundBudget.objects.filter(fund=fund)}
    sums = {
        r["budget_year"]: r
        for r in LedgerEntry.objects.filter(fund=fund)
        .values("budget_year")
        .annotate(
            paid=Sum("amount_yuan", filter=Q(kind=LedgerEntry.Kind.PAYMENT)),
            clawed=Sum("amount_yuan", filter=Q(kind=LedgerEntry.Kind.CLAWBACK)),
        )
    }
    rows = []
    for year in sorted(set(budgets) | set(sums), reverse=True):
        b = budgets.get(year)
        paid = (sums.get(year) or {}).get("paid") or ZERO
        clawed = -((sums.get(year) or {}).get("clawed") or ZERO)
        budget = b.amount_yuan if b else None
        rows.append(
            YearRow(
                year=year,
                budget=budget,
                document_ref=b.document_ref if b else "",
                paid=paid,
                clawed_back=clawed,
                balance=(budget or ZERO) - paid + clawed,
            )
        )
    return rows


@dataclass(frozen=True)
class EntryRow:
    entry: LedgerEntry
    running_balance: Decimal
    clawable: Decimal  # for a payment: what can still be clawed back


def ledger_rows(fund: Fund, year: int) -> list[EntryRow]:
    """The entries of one budget year in booking order with the running balance after each
    (starting from the year's budget) and, for payments, what may still be clawed back."""
    budget = (
        FundBudget.objects.filter(fund=fund, year=year)
        .values_list("amount_yuan", flat=True)
        .first()
        or ZERO
    )
    entries = list(
        LedgerEntry.objects.filter(fund=fund, budget_year=year)
        .select_related("institution", "claim_item__claim")
        .order_by("pk")
    )
    # a clawback reverses the payment of its item (an item is paid once: ledger_item_paid_once)
    clawed: dict[str, Decimal] = {}
    for e in entries:
        if e.kind == LedgerEntry.Kind.CLAWBACK:
            clawed[e.item_key] = clawed.get(e.item_key, ZERO) - e.amount_yuan
    rows, balance = [], budget
    for e in entries:
        balance -= e.amount_yuan
        clawable = (
            e.amount_yuan - clawed.get(e.item_key, ZERO)
            if e.kind == LedgerEntry.Kind.PAYMENT
            else ZERO
        )
        rows.append(EntryRow(entry=e, running_balance=balance, clawable=clawable))
    return rows


def clawed_back_of(entry: LedgerEntry) -> Decimal:
    """What earlier clawbacks took back from the payment `entry` (positive)."""
    s = LedgerEntry.objects.filter(
        institution_id=entry.institution_id,
        item_key=entry.item_key,
        kind=LedgerEntry.Kind.CLAWBACK,
    ).aggregate(s=Sum("amount_yuan"))["s"]
    return -(s or ZERO)
