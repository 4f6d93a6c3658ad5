"""The subsidy reports of 区财政局 (P-SUB-1..4): per subsidy year and fund — entitled, claimed,
approved, paid, clawed back — per fund, per township and per institution, and the payment
list for signature.

What each figure is (the subsidy year is `Claim.year`, the year the items are *for*):
- entitled: Σ of the year's entitlement items (`entitlements.entitlements_for_year`);
- claimed: Σ `ClaimItem.claimed_yuan` of the year's active claim items (a rejected or
  declined item may be claimed again, so only active items count, never twice);
- approved: Σ `ClaimItem.approved_yuan` of those items (set when 区财政局 approves);
- paid / clawed back: Σ of the ledger's payment / clawback entries of the year's items
  (clawed back shown positive; net paid = paid − clawed back).

A fund (P-SUB-4) narrows the report: its ledger entries for paid and clawed back, and for
entitled, claimed and approved the items of the rules it may pay (`Fund.pays_refs`, empty =
every rule) — what that fund could be asked to pay. Funds paying the same rules therefore
overlap in those three columns, and the total row is computed over all items, never summed
from the fund rows.

Every figure is aggregated in the database: one query per source (claim items, ledger,
funds, institutions) plus the entitlement computation's own constant number, whatever the
number of institutions."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from tuoyu.core.errors import NotFound
from tuoyu.institutions.models import Institution
from tuoyu.subsidies import entitlements as entitlements_module
from tuoyu.subsidies.models import ClaimItem, Fund, LedgerEntry
from tuoyu.subsidies.numerals import yuan_figures

ZERO = Decimal("0.00")
PERMISSION = "subsidies.view_reports"
COLUMNS = ("entitled", "claimed", "approved", "paid", "clawed_back", "net_paid")


@dataclass
class Figures:
    entitled: Decimal = ZERO
    claimed: Decimal = ZERO
    approved: Decimal = ZERO
    paid: Decimal = ZERO
    clawed_back: Decimal = ZERO  # positive: the amount taken back

    @property
    def net_paid(self) -> Decimal:
        return self.paid - self.clawed_back

    def values(self) -> tuple[Decimal, ...]:
        return tuple(getattr(self, c) for c in COLUMNS)

    def cells(self) -> tuple[str, ...]:
        """The values as the page shows them (¥1,234.56)."""
        return tuple(yuan_figures(v) for v in self.values())

    def add(self, other: Figures) -> None:
        for name in ("entitled", "claimed", "approved", "paid", "clawed_back"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class ReportRow:
    key: str  # fund code, township code or institution uscc
    label: str
    figures: Figures
    township: str = ""  # the institution rows' township name


@dataclass(frozen=True)
class SubsidyReport:
    year: int
    fund: Fund | None
    funds: tuple[ReportRow, ...]  # one row per fund (the whole year, every fund)
    townships: tuple[ReportRow, ...]  # under `fund`
    institutions: tuple[ReportRow, ...]  # under `fund` (and `township`, if given)
    total: Figures  # under `fund`
    all_funds_total: Figures  # the year over every item (the fund table's total row)
    township: str = ""  # the drill-down's township code
    overlapping_funds: bool = False  # funds pay the same rules: fund rows do not add up


def may_view_reports(user) -> bool:
    return bool(user and user.has_perm(PERMISSION))


def report_funds(*, acting_user) -> list[Fund]:
    if not may_view_reports(acting_user):
        return []
    return list(Fund.objects.order_by("code"))


def _pays(fund: Fund | None, ref: str) -> bool:
    return fund is None or not fund.pays_refs or ref in fund.pays_refs


@dataclass
class _Sources:
    """The grouped sums the report is built from: per (institution, rule)."""

    entitled: dict = field(default_factory=lambda: defaultdict(lambda: ZERO))
    claimed: dict = field(default_factory=lambda: defaultdict(lambda: ZERO))
    approved: dict = field(default_factory=lambda: defaultdict(lambda: ZERO))
    # per (fund_id, institution, rule)
    paid: dict = field(default_factory=lambda: defaultdict(lambda: ZERO))
    clawed_back: dict = field(default_factory=lambda: defaultdict(lambda: ZERO))


def _sources(year: int) -> _Sources:
    out = _Sources()
    for inst_id, entitlement in entitlements_module.entitlements_for_year(year=year).items():
        for item in entitlement.items:
            out.entitled[(inst_id, item.policy_ref)] += item.amount_yuan
    claimed = (
        ClaimItem.objects.filter(claim__year=year, active=True)
        .values("claim__institution_id", "policy_ref")
        .annotate(claimed=Sum("claimed_yuan"), approved=Sum("approved_yuan"))
        .order_by()
    )
    for row in claimed:
        key = (row["claim__institution_id"], row["policy_ref"])
        out.claimed[key] += row["claimed"] or ZERO
        out.approved[key] += row["approved"] or ZERO
    booked = (
        LedgerEntry.objects.filter(claim_item__claim__year=year)
        .values("fund_id", "institution_id", "policy_ref", "kind")
        .annotate(total=Sum("amount_yuan"))
        .order_by()
    )
    for row in booked:
        key = (row["fund_id"], row["institution_id"], row["policy_ref"])
        if row["kind"] == LedgerEntry.Kind.PAYMENT:
            out.paid[key] += row["total"] or ZERO
        else:
            out.clawed_back[key] -= row["total"] or ZERO
    return out


def _per_institution(src: _Sources, fund: Fund | None) -> dict[int, Figures]:
    """Figures per institution id under `fund` (None: every fund)."""
    per: dict[int, Figures] = defaultdict(Figures)
    for name in ("entitled", "claimed", "approved"):
        for (inst_id, ref), amount in getattr(src, name).items():
            if _pays(fund, ref):
                fig = per[inst_id]
                setattr(fig, name, getattr(fig, name) + amount)
    for name in ("paid", "clawed_back"):
        for (fund_id, inst_id, _ref), amount in getattr(src, name).items():
            if fund is None or fund_id == fund.pk:
                fig = per[inst_id]
                setattr(fig, name, getattr(fig, name) + amount)
    return per


def _total(per: dict[int, Figures]) -> Figures:
    total = Figures()
    for fig in per.values():
        total.add(fig)
    return total


def subsidy_report(
    *, acting_user, year: int, fund: Fund | None = None, township: str = ""
) -> SubsidyReport:
    """The report of subsidy year `year` under `fund` (None: every fund); the institution
    drill-down only of `township` (a code) when given. NotFound without
    `subsidies.view_reports` (区财政局, 区卫健局)."""
    if not may_view_reports(acting_user):
        raise NotFound()
    src = _sources(year)
    funds = list(Fund.objects.order_by("code"))
    institutions = {
        row["id"]: row
        for row in Institution.objects.values(
            "id", "name", "uscc", "township__code", "township__name"
        ).order_by()
    }
    everything = _per_institution(src, None)
    fund_rows = []
    for f in funds:
        figures = _total(_per_institution(src, f))
        fund_rows.append(ReportRow(key=f.code, label=f.name, figures=figures))
    chosen = everything if fund is None else _per_institution(src, fund)

    per_township: dict[str, Figures] = defaultdict(Figures)
    names: dict[str, str] = {}
    inst_rows = []
    for inst_id, figures in chosen.items():
        inst = institutions.get(inst_id)
        if inst is None:
            continue
        code = inst["township__code"]
        names[code] = inst["township__name"]
        per_township[code].add(figures)
        if not township or code == township:
            inst_rows.append(
                ReportRow(
                    key=inst["uscc"],
                    label=inst["name"],
                    figures=figures,
                    township=inst["township__name"],
                )
            )
    inst_rows.sort(key=lambda r: (r.township, r.label))
    township_rows = tuple(
        ReportRow(key=code, label=names[code], figures=per_township[code])
        for code in sorted(per_township)
    )
    refs_seen = [f.pays_refs for f in funds]
    overlapping = len(funds) > 1 and (
        any(not refs for refs in refs_seen)
        or len({r for refs in refs_seen for r in refs}) < sum(len(refs) for refs in refs_seen)
    )
    return SubsidyReport(
        year=year,
        fund=fund,
        funds=tuple(fund_rows),
        townships=township_rows,
        institutions=tuple(inst_rows),
        total=_total(chosen),
        all_funds_total=_total(everything),
        township=township,
        overlapping_funds=overlapping,
    )


# --- the payment list for signature ------------------------------------------------------


@dataclass(frozen=True)
class PaymentLine:
    institution: str
    uscc: str
    item: str
    policy_ref: str
    fund: str
    amount_yuan: Decimal
    voucher_number: str
    paid_on: dt.date


def payment_list(*, acting_user, year: int, fund: Fund | None = None) -> list[PaymentLine]:
    """The payments (ledger payment entries) of subsidy year `year` from `fund` (None: every
    fund), in payment order: what 经办人, 复核人 and 负责人 sign (P-SUB-4)."""
    if not may_view_reports(acting_user):
        raise NotFound()
    entries = LedgerEntry.objects.filter(
        kind=LedgerEntry.Kind.PAYMENT, claim_item__claim__year=year
    ).select_related("institution", "claim_item", "fund")
    if fund is not None:
        entries = entries.filter(fund=fund)
    return [
        PaymentLine(
            institution=e.institution.name,
            uscc=e.institution.uscc,
            item=e.claim_item.description,
            policy_ref=e.policy_ref,
            fund=e.fund.name,
            amount_yuan=e.amount_yuan,
            voucher_number=e.voucher_number,
            paid_on=e.booked_on,
        )
        for e in entries.order_by("booked_on", "voucher_number", "pk")
    ]


def report_fund(*, acting_user, code: str) -> Fund | None:
    """The fund a report is narrowed to (None for every fund or an unknown code)."""
    if not code or not may_view_reports(acting_user):
        return None
    return Fund.objects.filter(code=code).first()
