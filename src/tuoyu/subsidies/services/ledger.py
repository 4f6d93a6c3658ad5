"""Writes of the funds and their append-only ledgers (P-SUB-4), by 区财政局
(`subsidies.manage_funds`): a fund, a year's budget, a clawback. Payments are booked by
`services.claims.claim_pay`. A booked entry is never edited (the database refuses it,
migration 0002): a wrong payment is reversed by a negative clawback entry with a reason."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from tuoyu.audit.services import audit_record
from tuoyu.core.bounds import text_check
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError
from tuoyu.subsidies.catalogue import SubsidyAction, SubsidyError
from tuoyu.subsidies.models import Fund, FundBudget, LedgerEntry, Payment
from tuoyu.subsidies.selectors.ledger import clawed_back_of

FEN = Decimal("0.01")


def money(value, *, field: str, label: str, positive: bool = True) -> Decimal:
    """A yuan amount from user input, to the fen (ROUND_HALF_UP); `invalid` when not a
    number, `out_of_range` when not above 0 (or negative when `positive` is False)."""
    try:
        amount = Decimal(str(value).replace(",", "").replace("¥", "").strip())
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError(
            CoreError.INVALID, gettext("%(label)s应为金额") % {"label": label}, field=field
        ) from None
    if not amount.is_finite():
        raise DomainError(CoreError.INVALID, field=field)
    amount = amount.quantize(FEN, rounding=ROUND_HALF_UP)
    if amount < 0 or (positive and amount == 0) or amount >= Decimal("1e12"):
        raise DomainError(
            CoreError.OUT_OF_RANGE, gettext("%(label)s超出允许范围") % {"label": label}, field=field
        )
    return amount


def require_finance(acting_user, code=SubsidyError.NOT_APPROVING_DEPARTMENT) -> None:
    if not acting_user.has_perm("subsidies.manage_funds"):
        raise DomainError(code, status=403)


def voucher_check(voucher_number: str, *, field: str = "voucher_number") -> str:
    """Required, not longer than the column, not used by any payment or ledger entry."""
    voucher = text_check(
        voucher_number, field=field, label=gettext("凭证号"), limit=40, required=True
    )
    if (
        Payment.objects.filter(voucher_number=voucher).exists()
        or LedgerEntry.objects.filter(voucher_number=voucher).exists()
    ):
        raise DomainError(SubsidyError.VOUCHER_REUSED, field=field, status=409)
    return voucher


@transaction.atomic
def fund_create(*, acting_user, code, name, source, pays_refs=(), note="") -> Fund:
    """A fund of 区财政局 (P-SUB-4: the district budget, an NDRC project fund, a provincial
    award), with the rules it may pay (`pays_refs`, empty = any)."""
    require_finance(acting_user)
    code = text_check(code, field="code", label=gettext("资金编码"), limit=40, required=True)
    name = text_check(name, field="name", label=gettext("资金名称"), limit=100, required=True)
    note = text_check(note, field="note", label=gettext("说明"), limit=200)
    if source not in Fund.Source.values:
        raise DomainError(CoreError.INVALID_CHOICE, field="source")
    refs = sorted({str(r).strip() for r in pays_refs if str(r).strip()})
    try:
        with transaction.atomic():
            fund = Fund.objects.create(
                code=code, name=name, source=source, pays_refs=refs, note=note
            )
    except IntegrityError:
        raise DomainError(SubsidyError.FUND_CODE_TAKEN, field="code", status=409) from None
    audit_record(
        action=SubsidyAction.FUND_CREATED,
        actor=acting_user,
        obj=fund,
        detail={"code": code, "source": source, "pays_refs": refs},
    )
    return fund


@transaction.atomic
def fund_budget_set(*, acting_user, fund, year, amount_yuan, document_ref="") -> FundBudget:
    """Set (or change) the fund's budget for `year`. The fund row is locked so a budget
    change and a payment against that year never interleave."""
    require_finance(acting_user)
    fund = Fund.objects.select_for_update().get(pk=fund.pk)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise DomainError(CoreError.INVALID, field="year") from None
    if not 2000 <= year <= 2100:
        raise DomainError(CoreError.OUT_OF_RANGE, field="year")
    amount = money(amount_yuan, field="amount_yuan", label=gettext("预算金额"), positive=False)
    document_ref = text_check(
        document_ref, field="document_ref", label=gettext("预算文号"), limit=100
    )
    budget = FundBudget.objects.filter(fund=fund, year=year).first()
    before = str(budget.amount_yuan) if budget else None
    if budget is None:
        budget = FundBudget.objects.create(
            fund=fund,
            year=year,
            amount_yuan=amount,
            document_ref=document_ref,
            recorded_by=acting_user,
        )
    else:
        budget.amount_yuan, budget.document_ref = amount, document_ref
        budget.recorded_by = acting_user
        budget.save(update_fields=["amount_yuan", "document_ref", "recorded_by", "recorded_at"])
    audit_record(
        action=SubsidyAction.FUND_BUDGET_SET,
        actor=acting_user,
        obj=budget,
        changes={"amount_yuan": [before, str(amount)]},
        detail={"fund_id": fund.pk, "year": year, "document_ref": document_ref},
    )
    return budget


@transaction.atomic
def clawback_book(
    *, acting_user, entry, amount_yuan, reason, voucher_number, booked_on
) -> LedgerEntry:
    """Claw back (part of) a payment entry: a new negative entry reversing it, in the same
    fund and budget year (the balance rises by the amount), with a reason and its own
    voucher. Never above what was paid minus earlier clawbacks; the fund row is locked so
    two clawbacks of one entry cannot both pass that check."""
    require_finance(acting_user)
    fund = Fund.objects.select_for_update().get(pk=entry.fund_id)
    entry = LedgerEntry.objects.select_related("claim_item").get(pk=entry.pk)
    if entry.kind != LedgerEntry.Kind.PAYMENT:
        raise DomainError(CoreError.INVALID, gettext("只能追回支付记录"), field="entry")
    amount = money(amount_yuan, field="amount_yuan", label=gettext("追回金额"))
    reason = text_check(reason, field="reason", label=gettext("追回理由"), limit=300)
    if not reason:
        raise DomainError(SubsidyError.CLAWBACK_REASON_REQUIRED, field="reason")
    voucher = voucher_check(voucher_number)
    if not isinstance(booked_on, dt.date):
        raise DomainError(CoreError.REQUIRED, field="booked_on")
    if booked_on < entry.booked_on:
        raise DomainError(
            CoreError.DATE_ORDER, gettext("追回日期不能早于支付日期"), field="booked_on"
        )
    remaining = entry.amount_yuan - clawed_back_of(entry)
    if amount > remaining:
        raise DomainError(SubsidyError.CLAWBACK_ABOVE_PAID, field="amount_yuan")
    clawback = LedgerEntry.objects.create(
        fund=fund,
        budget_year=entry.budget_year,
        kind=LedgerEntry.Kind.CLAWBACK,
        institution_id=entry.institution_id,
        claim_item_id=entry.claim_item_id,
        item_key=entry.item_key,
        policy_ref=entry.policy_ref,
        payment_id=entry.payment_id,
        amount_yuan=-amount,
        booked_on=booked_on,
        voucher_number=voucher,
        reason=reason,
        recorded_by=acting_user,
    )
    audit_record(
        action=SubsidyAction.CLAWBACK_BOOKED,
        actor=acting_user,
        obj=clawback,
        detail={
            "fund_id": fund.pk,
            "budget_year": entry.budget_year,
            "reverses_id": entry.pk,
            "claim_id": entry.claim_item.claim_id,
            "institution_id": entry.institution_id,
            "amount_yuan": str(amount),
            "voucher_number": voucher,
            "reason": reason,
        },
    )
    return clawback
