"""Claims from submission to payment (P-SUB-1..3, P-SUB-4, P-ORG-2).

submitted (the institution) → reviewed by 区卫健局 (eligibility rules of the policy data,
item by item reductions with reasons) or rejected → approved by 区财政局 (possibly
partially, with reasons) or declined → paid by 区财政局 (fund, voucher, date: one positive
ledger entry per approved item, in one transaction).

Twice-payment is impossible by construction: an item is claimed once while active
(`claim_item_claimed_once`) and paid once (`ledger_item_paid_once`); a concurrent second
INSERT fails inside its savepoint and is answered with the coded error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from tuoyu import policy
from tuoyu.audit.services import audit_record
from tuoyu.core import clock
from tuoyu.core.bounds import text_check
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError, ErrorItem, NotFound
from tuoyu.core.excel import file_size
from tuoyu.core.personal import normalize
from tuoyu.core.scope import scope_of
from tuoyu.core.uploads import FILE_SIGNATURES, check_upload
from tuoyu.institutions.standing import registered, standing_problems
from tuoyu.subsidies import entitlements
from tuoyu.subsidies.catalogue import SubsidyAction, SubsidyError
from tuoyu.subsidies.models import Claim, ClaimItem, ClaimMaterial, Fund, LedgerEntry, Payment
from tuoyu.subsidies.selectors.ledger import fund_balance
from tuoyu.subsidies.services.ledger import money, voucher_check

ZERO = Decimal("0.00")
MATERIAL_TYPES = tuple(FILE_SIGNATURES)  # PDF, JPEG, PNG, recognised by content
DEFAULT_MATERIAL_MAX_BYTES = 10 * 1024 * 1024
MAX_MATERIALS = 10

# The eligibility rules in words (the keys are policy data, `claim_eligibility_rules`).
RULE_LABELS = {
    "filed_on_dates": "各补助项目所涉日期已备案且未注销",
    "not_blacklisted": "未列入黑名单",
    "no_open_critical_order": "无未关闭的严重问题整改通知",
    "not_suspended": "未被责令停业整顿",
    "staffing_complete": "人员配备符合要求",
}
PASSED, FAILED, UNCHECKED = "passed", "failed", "unchecked"


def material_max_bytes() -> int:
    """Upload limit of a supporting file (a technical limit, not a policy number)."""
    return int(getattr(settings, "TUOYU_CLAIM_MATERIAL_MAX_BYTES", DEFAULT_MATERIAL_MAX_BYTES))


def claim_number_format(year: int, seq: int) -> str:
    return f"BZ{year}-{seq:06d}"


def _claim_create_numbered(**fields) -> Claim:
    """Insert the claim under the next number of its year, `BZ{year}-{000001}`. The unique
    constraint on `number` is the arbiter: a concurrent submitter who took the same number
    makes this INSERT fail inside its savepoint, and the next number is tried."""
    year = fields["year"]
    prefix = f"BZ{year}-"
    for _attempt in range(20):
        last = (
            Claim.objects.filter(number__startswith=prefix)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
        )
        seq = int(last[len(prefix) :]) + 1 if last else 1
        try:
            with transaction.atomic():
                return Claim.objects.create(number=claim_number_format(year, seq), **fields)
        except IntegrityError as exc:
            if "number" not in str(exc).lower():
                raise
    raise DomainError(CoreError.DATABASE_BUSY, status=503)


def _sha256(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks() if hasattr(file, "chunks") else [file.read()]:
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def _own_institution(acting_user, institution) -> None:
    scope = scope_of(acting_user)
    if not acting_user.has_perm("subsidies.claim"):
        raise DomainError(CoreError.OUT_OF_SCOPE, status=403)
    if not (scope.is_institution and scope.institution_id == institution.pk):
        raise NotFound()


def items_taken(keys: list[str]) -> set[str]:
    """Keys already claimed by an active item or already paid."""
    taken = set(
        ClaimItem.objects.filter(item_key__in=keys, active=True).values_list("item_key", flat=True)
    )
    taken |= set(
        LedgerEntry.objects.filter(item_key__in=keys, kind=LedgerEntry.Kind.PAYMENT).values_list(
            "item_key", flat=True
        )
    )
    return taken


@transaction.atomic
def claim_submit(
    *,
    acting_user,
    institution,
    year,
    item_keys,
    claimed_yuan=None,
    bank_account_name,
    bank_name,
    bank_account,
    note="",
    materials=(),
    at=None,
) -> Claim:
    """The institution claims items of its entitlement for `year` (P-SUB-1..3).

    `claimed_yuan` ({item key: amount}) claims less than an item's entitlement; by default
    the whole. The bank account is normalised and stored encrypted (masked everywhere).
    Supporting files: PDF, JPEG or PNG by content, stored privately.

    Errors: year_not_started (a year after the current one), claim_no_items,
    item_not_entitled, claim_above_entitlement, item_already_claimed (409; also when a
    concurrent claim took the item first), bank_account_format, required, file_* (422)."""
    _own_institution(acting_user, institution)
    at = at or clock.now()
    today = timezone.localtime(at).date() if timezone.is_aware(at) else at.date()
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise DomainError(CoreError.INVALID, field="year") from None
    if year > today.year:
        raise DomainError(SubsidyError.YEAR_NOT_STARTED, field="year")
    keys = list(dict.fromkeys(k for k in (item_keys or ()) if k))
    if not keys:
        raise DomainError(SubsidyError.CLAIM_NO_ITEMS, field="item_keys")

    errors: list[ErrorItem] = []

    def check(fn):
        try:
            return fn()
        except DomainError as exc:
            errors.extend(exc.errors)
            return None

    account_name = check(
        lambda: text_check(
            bank_account_name,
            field="bank_account_name",
            label=gettext("开户名称"),
            limit=200,
            required=True,
        )
    )
    bank = check(
        lambda: text_check(
            bank_name, field="bank_name", label=gettext("开户银行"), limit=100, required=True
        )
    )
    account = check(lambda: normalize("bank_account", bank_account or "", field="bank_account"))
    note = check(lambda: text_check(note, field="note", label=gettext("申请说明"), limit=2000))
    files = [f for f in (materials or ()) if f]
    if len(files) > MAX_MATERIALS:
        errors.append(ErrorItem(CoreError.OUT_OF_RANGE, field="materials"))
    content_types = [
        check(
            lambda f=f: check_upload(
                f, max_bytes=material_max_bytes(), allowed=MATERIAL_TYPES, field="materials"
            )
        )
        for f in files
    ]

    entitlement = entitlements.entitlement_for(institution=institution, year=year)
    claimed_yuan = claimed_yuan or {}
    chosen = []
    for key in keys:
        item = entitlement.item(key)
        if item is None:
            errors.append(ErrorItem(SubsidyError.ITEM_NOT_ENTITLED, field="item_keys"))
            continue
        amount = item.amount_yuan
        if claimed_yuan.get(key) not in (None, ""):
            amount = check(
                lambda k=key: money(
                    claimed_yuan[k], field=f"claimed_yuan[{k}]", label=gettext("申请金额")
                )
            )
            if amount is not None and amount > item.amount_yuan:
                errors.append(
                    ErrorItem(SubsidyError.CLAIM_ABOVE_ENTITLEMENT, field=f"claimed_yuan[{key}]")
                )
                amount = None
        if amount is not None:
            chosen.append((item, amount))
    if not errors and items_taken([i.key for i, _ in chosen]):
        errors.append(ErrorItem(SubsidyError.ITEM_ALREADY_CLAIMED, field="item_keys"))
    if errors:
        status = 409 if errors[0].code == SubsidyError.ITEM_ALREADY_CLAIMED else 422
        raise DomainError(errors=errors, status=status)

    claim = _claim_create_numbered(
        institution=institution,
        year=year,
        bank_account_name=account_name,
        bank_name=bank,
        bank_account=account,
        note=note,
        submitted_by=acting_user,
        submitted_at=at,
    )
    try:
        with transaction.atomic():  # claim_item_claimed_once: a concurrent claim was first
            ClaimItem.objects.bulk_create(
                [
                    ClaimItem(
                        claim=claim,
                        item_key=item.key,
                        policy_ref=item.policy_ref,
                        policy_version=item.policy_version,
                        description=item.description[:200],
                        quantity=item.quantity,
                        unit_amount_yuan=item.unit_amount_yuan,
                        entitled_yuan=item.amount_yuan,
                        claimed_yuan=amount,
                        basis=item.basis,
                    )
                    for item, amount in chosen
                ]
            )
    except IntegrityError as exc:
        if "claim_item_claimed_once" in str(exc) or "item_key" in str(exc):
            raise DomainError(
                SubsidyError.ITEM_ALREADY_CLAIMED, field="item_keys", status=409
            ) from None
        raise
    stored = []
    for f, content_type in zip(files, content_types, strict=True):
        name = os.path.basename(getattr(f, "name", "") or "")[:200]
        size, digest = file_size(f), _sha256(f)
        material = ClaimMaterial(
            claim=claim,
            original_name=name,
            content_type=content_type,
            size=size,
            uploaded_by=acting_user,
        )
        material.file.save(name, f, save=False)
        material.save()
        stored.append({"name": name, "content_type": content_type, "size": size, "sha256": digest})
    total = sum((a for _, a in chosen), ZERO)
    audit_record(
        action=SubsidyAction.CLAIM_SUBMITTED,
        actor=acting_user,
        obj=claim,
        detail={
            "number": claim.number,
            "year": year,
            "item_keys": [i.key for i, _ in chosen],
            "claimed_yuan": str(total),
            "materials": stored,
        },
    )
    claim.refresh_from_db()  # the bank account as stored: Sealed (masked when shown)
    return claim


# --- eligibility (区卫健局's review) ---------------------------------------------------------


# The dates behind an item, by the keys of `EntitlementItem.basis` (entitlements.py): the day
# a class was filed (P-SUB-1), a title conferred (P-SUB-3), the first and last day of each
# stretch of filed, affordable slots (P-SUB-2). Other dates there (when a rule took effect,
# a version segment's bounds) are policy facts, not the institution's.
ITEM_DATE_KEYS = ("class_filed_on", "conferred_on")


def _iso(value) -> dt.date | None:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def item_dates(basis: dict) -> list[dt.date]:
    """The dates behind an item (filed and not cancelled on each: `filed_on_dates`)."""
    basis = basis or {}
    found = {_iso(basis.get(k)) for k in ITEM_DATE_KEYS}
    for period in basis.get("periods") or ():
        if isinstance(period, dict) and (period.get("slots") or 0) > 0:
            found |= {_iso(period.get("start")), _iso(period.get("end"))}
    return sorted(d for d in found if d is not None)


def _filed_on(institution, day: dt.date) -> bool:
    filed_on = institution.filed_on
    cancelled = institution.filing_cancelled_on
    return filed_on is not None and filed_on <= day and (cancelled is None or day < cancelled)


def eligibility_checks(claim: Claim, *, on: dt.date | None = None) -> list[dict]:
    """The eligibility rules in force on `on` (policy data,
    `subsidy.claim_eligibility_rules`), each with its outcome: passed, failed (with the
    reasons in words) or unchecked (no app registered the rule: 未能核查, which blocks an
    approval). `filed_on_dates` is this app's own check (filed and not cancelled on every
    date behind each item); the others come from `tuoyu.institutions.standing`."""
    on = on or clock.today()
    rules = policy.at(on).subsidy.claim_eligibility_rules
    institution = claim.institution
    items = list(claim.items.all())
    known = registered()
    standing_keys = [r for r in rules if r != "filed_on_dates" and r in known]
    problems = standing_problems(standing_keys, [institution.pk], on)
    out = []
    for rule in rules:
        label = RULE_LABELS.get(rule, rule)
        if rule == "filed_on_dates":
            reasons = []
            for item in items:
                dates = item_dates(item.basis) or [claim.submitted_at.date()]
                bad = [d for d in dates if not _filed_on(institution, d)]
                if bad:
                    reasons.append(
                        gettext("%(item)s：%(dates)s 未备案或已注销")
                        % {"item": item.description, "dates": "、".join(d.isoformat() for d in bad)}
                    )
            out.append(
                {
                    "rule": rule,
                    "label": label,
                    "outcome": FAILED if reasons else PASSED,
                    "reasons": reasons,
                }
            )
        elif rule not in known:
            out.append(
                {
                    "rule": rule,
                    "label": label,
                    "outcome": UNCHECKED,
                    "reasons": [gettext("未能核查：尚无提供此项核查的模块")],
                }
            )
        else:
            reasons = [str(r) for r in problems.get(rule, {}).get(institution.pk, [])]
            out.append(
                {
                    "rule": rule,
                    "label": label,
                    "outcome": FAILED if reasons else PASSED,
                    "reasons": reasons,
                }
            )
    return out


def _locked_claim(claim: Claim) -> Claim:
    return Claim.objects.select_for_update().select_related("institution").get(pk=claim.pk)


def _decide_amounts(items, amounts, *, previous: str, target: str) -> tuple[list, list]:
    """Set `target` on each item from `amounts` ({item pk: (amount, reason)}), by default the
    `previous` step's amount; a reduction needs a reason, never above the previous step."""
    amounts = {int(k): v for k, v in (amounts or {}).items()}
    errors, changes = [], []
    for item in items:
        before = getattr(item, previous)
        amount, reason = before, ""
        if item.pk in amounts and amounts[item.pk] is not None:
            raw, reason = amounts[item.pk]
            reason = (reason or "").strip()[:300]
            field = f"amounts[{item.pk}]"
            try:
                amount = money(raw, field=field, label=gettext("金额"), positive=False)
            except DomainError as exc:
                errors.extend(exc.errors)
                continue
            if amount > before:
                errors.append(ErrorItem(SubsidyError.AMOUNT_ABOVE_PREVIOUS_STEP, field=field))
                continue
            if amount < before and not reason:
                errors.append(ErrorItem(SubsidyError.REDUCTION_REASON_REQUIRED, field=field))
                continue
        setattr(item, target, amount)
        if amount < before:
            item.decision_reason = reason
            changes.append(
                {"item_id": item.pk, "from": str(before), "to": str(amount), "reason": reason}
            )
        if amount == 0:
            item.active = False  # nothing granted: the item may be claimed again
    return errors, changes


@transaction.atomic
def claim_review(*, acting_user, claim, approve, amounts=None, note="") -> Claim:
    """区卫健局 reviews a submitted claim (P-ORG-2): the eligibility rules are checked and
    kept on the claim (`review_checks`); approving needs every rule passed (a failed or
    unchecked rule → claim_eligibility_failed) and gives per-item reviewed amounts
    (reductions with a reason); rejecting (a reason required) frees the items to be claimed
    again. Errors: not_reviewing_department (403), claim_wrong_state (409),
    reduction_reason_required, amount_above_previous_step, claim_eligibility_failed."""
    if not acting_user.has_perm("subsidies.review"):
        raise DomainError(SubsidyError.NOT_REVIEWING_DEPARTMENT, status=403)
    claim = _locked_claim(claim)
    if claim.status != Claim.Status.SUBMITTED:
        raise DomainError(SubsidyError.CLAIM_WRONG_STATE, status=409)
    note = text_check(note, field="note", label=gettext("审核意见"), limit=2000)
    checks = eligibility_checks(claim)
    items = list(claim.items.select_for_update())
    now = clock.now()
    changes: list = []
    if approve:
        blocking = [c for c in checks if c["outcome"] != PASSED]
        if blocking:
            raise DomainError(
                SubsidyError.CLAIM_ELIGIBILITY_FAILED,
                gettext("资格核查未通过或未能核查：%(rules)s")
                % {"rules": "；".join(c["label"] for c in blocking)},
                status=409,
            )
        errors, changes = _decide_amounts(
            items, amounts, previous="claimed_yuan", target="reviewed_yuan"
        )
        if errors:
            raise DomainError(errors=errors)
        if not any(i.reviewed_yuan > 0 for i in items):
            raise DomainError(CoreError.INVALID, gettext("审核金额不能全部为零"), field="amounts")
        claim.status = Claim.Status.REVIEWED
        action = SubsidyAction.CLAIM_REVIEWED
    else:
        if not note:
            raise DomainError(CoreError.REQUIRED, gettext("请填写审核不通过的理由"), field="note")
        for item in items:
            item.active = False
        claim.status = Claim.Status.REJECTED
        action = SubsidyAction.CLAIM_REJECTED
    ClaimItem.objects.bulk_update(items, ["reviewed_yuan", "decision_reason", "active"])
    claim.reviewed_by, claim.reviewed_at, claim.review_note = acting_user, now, note
    claim.review_checks = checks
    claim.save(
        update_fields=["status", "reviewed_by", "reviewed_at", "review_note", "review_checks"]
    )
    audit_record(
        action=action,
        actor=acting_user,
        obj=claim,
        changes={"status": [Claim.Status.SUBMITTED, claim.status]},
        detail={
            "number": claim.number,
            "note": note,
            "reductions": changes,
            "checks": {c["rule"]: c["outcome"] for c in checks},
            "reviewed_yuan": str(sum((i.reviewed_yuan or ZERO for i in items), ZERO)),
        },
    )
    return claim


@transaction.atomic
def claim_approve(*, acting_user, claim, approve, amounts=None, note="") -> Claim:
    """区财政局 approves a reviewed claim, possibly partially (reductions with a reason), or
    declines it (a reason required; the items are freed). Errors: not_approving_department
    (403: the department that reviewed, or any other, may not approve), claim_wrong_state
    (409), reduction_reason_required, amount_above_previous_step."""
    if not acting_user.has_perm("subsidies.approve"):
        raise DomainError(SubsidyError.NOT_APPROVING_DEPARTMENT, status=403)
    claim = _locked_claim(claim)
    if claim.status != Claim.Status.REVIEWED:
        raise DomainError(SubsidyError.CLAIM_WRONG_STATE, status=409)
    note = text_check(note, field="note", label=gettext("审批意见"), limit=2000)
    items = list(claim.items.select_for_update())
    changes: list = []
    if approve:
        granted = [i for i in items if i.active]
        errors, changes = _decide_amounts(
            granted, amounts, previous="reviewed_yuan", target="approved_yuan"
        )
        if errors:
            raise DomainError(errors=errors)
        if not any(i.approved_yuan > 0 for i in granted):
            raise DomainError(CoreError.INVALID, gettext("批准金额不能全部为零"), field="amounts")
        claim.status = Claim.Status.APPROVED
        action = SubsidyAction.CLAIM_APPROVED
    else:
        if not note:
            raise DomainError(CoreError.REQUIRED, gettext("请填写不予批准的理由"), field="note")
        for item in items:
            item.active = False
        claim.status = Claim.Status.DECLINED
        action = SubsidyAction.CLAIM_DECLINED
    ClaimItem.objects.bulk_update(items, ["approved_yuan", "decision_reason", "active"])
    claim.approved_by, claim.approved_at, claim.approval_note = acting_user, clock.now(), note
    claim.save(update_fields=["status", "approved_by", "approved_at", "approval_note"])
    audit_record(
        action=action,
        actor=acting_user,
        obj=claim,
        changes={"status": [Claim.Status.REVIEWED, claim.status]},
        detail={
            "number": claim.number,
            "note": note,
            "reductions": changes,
            "approved_yuan": str(sum((i.approved_yuan or ZERO for i in items), ZERO)),
        },
    )
    return claim


@transaction.atomic
def claim_pay(*, acting_user, claim, fund, voucher_number, paid_on, budget_year=None) -> Payment:
    """区财政局 pays an approved claim from `fund` (P-SUB-4): one Payment (voucher unique) and
    one positive ledger entry per approved item, in one transaction. The fund row is locked
    first (select_for_update), so concurrent payments from one fund queue and cannot
    together overdraw it; the claim is then re-read under its own lock.

    Errors: not_approving_department (403), claim_wrong_state (409), item_already_paid
    (409: the claim or one of its items was paid meanwhile — `ledger_item_paid_once`),
    fund_not_for_item, fund_no_budget, fund_balance_exceeded, voucher_reused (409)."""
    if not acting_user.has_perm("subsidies.pay"):
        raise DomainError(SubsidyError.NOT_APPROVING_DEPARTMENT, status=403)
    if not isinstance(paid_on, dt.date):
        raise DomainError(CoreError.REQUIRED, gettext("请填写支付日期"), field="paid_on")
    budget_year = int(budget_year or paid_on.year)
    fund = Fund.objects.select_for_update().filter(pk=fund.pk, active=True).first()
    if fund is None:
        raise DomainError(CoreError.INVALID_CHOICE, field="fund")
    claim = _locked_claim(claim)
    if claim.status == Claim.Status.PAID:
        raise DomainError(SubsidyError.ITEM_ALREADY_PAID, status=409)
    if claim.status != Claim.Status.APPROVED:
        raise DomainError(SubsidyError.CLAIM_WRONG_STATE, status=409)
    items = [i for i in claim.items.all() if i.active and (i.approved_yuan or ZERO) > 0]
    if fund.pays_refs and any(i.policy_ref not in fund.pays_refs for i in items):
        raise DomainError(SubsidyError.FUND_NOT_FOR_ITEM, field="fund")
    if not fund.budgets.filter(year=budget_year).exists():
        raise DomainError(SubsidyError.FUND_NO_BUDGET, field="fund")
    total = sum((i.approved_yuan for i in items), ZERO)
    if total > fund_balance(fund, budget_year):
        raise DomainError(SubsidyError.FUND_BALANCE_EXCEEDED, field="fund")
    voucher = voucher_check(voucher_number)
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                claim=claim,
                fund=fund,
                budget_year=budget_year,
                voucher_number=voucher,
                paid_on=paid_on,
                amount_yuan=total,
                recorded_by=acting_user,
            )
    except IntegrityError as exc:
        if "voucher" in str(exc).lower():
            raise DomainError(
                SubsidyError.VOUCHER_REUSED, field="voucher_number", status=409
            ) from None
        raise DomainError(SubsidyError.ITEM_ALREADY_PAID, status=409) from None  # claim_id
    try:
        with transaction.atomic():  # ledger_item_paid_once
            LedgerEntry.objects.bulk_create(
                [
                    LedgerEntry(
                        fund=fund,
                        budget_year=budget_year,
                        kind=LedgerEntry.Kind.PAYMENT,
                        institution_id=claim.institution_id,
                        claim_item=item,
                        item_key=item.item_key,
                        policy_ref=item.policy_ref,
                        payment=payment,
                        amount_yuan=item.approved_yuan,
                        booked_on=paid_on,
                        voucher_number=voucher,
                        recorded_by=acting_user,
                    )
                    for item in items
                ]
            )
    except IntegrityError as exc:
        if "ledger_item_paid_once" in str(exc) or "item_key" in str(exc):
            raise DomainError(SubsidyError.ITEM_ALREADY_PAID, status=409) from None
        raise
    claim.status = Claim.Status.PAID
    claim.save(update_fields=["status"])
    audit_record(
        action=SubsidyAction.CLAIM_PAID,
        actor=acting_user,
        obj=claim,
        changes={"status": [Claim.Status.APPROVED, Claim.Status.PAID]},
        detail={
            "number": claim.number,
            "fund_id": fund.pk,
            "budget_year": budget_year,
            "voucher_number": voucher,
            "paid_on": paid_on.isoformat(),
            "amount_yuan": str(total),
            "item_keys": [i.item_key for i in items],
        },
    )
    return payment


@transaction.atomic
def claim_material_download_record(*, acting_user, material: ClaimMaterial) -> None:
    """Audit a download of a claim's supporting file (the caller fetched it through
    `selectors.claims.claim_material_get`, which applies the access rule)."""
    audit_record(
        action=SubsidyAction.CLAIM_MATERIAL_DOWNLOADED,
        actor=acting_user,
        obj=material.claim,
        detail={"material_id": material.pk, "name": material.original_name},
    )
