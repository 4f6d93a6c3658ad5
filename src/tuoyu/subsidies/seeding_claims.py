"""Seeding of subsidies (claims part), called by seeding.py after `seeding_funds` (funds,
budgets, titles): at district scale only, claims in every state — submitted, rejected,
reviewed, declined, approved, paid, and one paid then partly clawed back — for filed
institutions of the demo district, the demo institution `jg03` among them, each through the
services with the demo users (the institution's account, 区卫健局 `weijian`, 区财政局
`caizheng`), so every decision is in the audit log. Deterministic (`ctx.rng_for`)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from tuoyu.core.errors import DomainError
from tuoyu.institutions.models import Institution
from tuoyu.subsidies import entitlements
from tuoyu.subsidies.catalogue import SubsidyError
from tuoyu.subsidies.models import Claim, Fund, LedgerEntry
from tuoyu.subsidies.selectors.ledger import fund_balance
from tuoyu.subsidies.services.claims import (
    claim_approve,
    claim_pay,
    claim_review,
    claim_submit,
)
from tuoyu.subsidies.services.ledger import clawback_book

DEMO_INSTITUTION = "jg03"
# the states to show, in the order they are seeded (jg03 takes the first that fits it)
STATES = ("paid", "submitted", "reviewed", "approved", "rejected", "declined", "clawed_back")
BANKS = (
    "中国农业银行金华金东支行",
    "中国工商银行金华分行",
    "金华银行金东支行",
    "浙江金东农村商业银行",
)


def _user(**filters):
    return get_user_model().objects.filter(is_active=True, **filters).order_by("username").first()


def _candidates(ctx, years):
    """(institution, user, year, entitlement) for filed institutions with something to claim,
    the demo institution first, then in id order."""
    institutions = list(
        Institution.objects.filter(filing_status=Institution.FilingStatus.FILED).order_by("id")
    )
    users = {
        u.institution_id: u
        for u in get_user_model().objects.filter(
            institution_id__in=[i.pk for i in institutions], is_active=True
        )
    }
    out = []
    for year in years:
        found = entitlements.entitlements_for_year(
            year=year, institution_ids=[i.pk for i in institutions]
        )
        for inst in institutions:
            ent = found.get(inst.pk)
            if ent and ent.items and inst.pk in users:
                out.append((inst, users[inst.pk], year, ent))
    out.sort(key=lambda c: (users[c[0].pk].username != DEMO_INSTITUTION, -c[2], c[0].pk))
    return out


def _seed_one(ctx, state, cand, *, health, finance, fund, rng, n) -> bool:
    inst, user, year, ent = cand
    at = dt.datetime.combine(ctx.today - dt.timedelta(days=40 - n), dt.time(9, 30)).astimezone()
    digits = "".join(str(rng.randrange(10)) for _ in range(15))
    try:
        with transaction.atomic():
            claim = claim_submit(
                acting_user=user,
                institution=inst,
                year=year,
                item_keys=[i.key for i in ent.items],
                bank_account_name=inst.name,
                bank_name=rng.choice(BANKS),
                bank_account="6228" + digits,
                note="按年度应享补助申请",
                at=at,
            )
            if state == "submitted":
                return True
            if state == "rejected":
                claim_review(
                    acting_user=health,
                    claim=claim,
                    approve=False,
                    note="证明材料不全，请补正后重新申请",
                )
                return True
            first = claim.items.order_by("pk").first()
            reduce = {}
            if len(ent.items) > 1 or first.claimed_yuan > 1000:
                cut = (first.claimed_yuan * Decimal("0.9")).quantize(Decimal("1"), ROUND_HALF_UP)
                reduce = {first.pk: (cut, "按实际开设时间核减")} if state == "approved" else {}
            claim_review(acting_user=health, claim=claim, approve=True, amounts=reduce)
            if state == "reviewed":
                return True
            if state == "declined":
                claim_approve(
                    acting_user=finance, claim=claim, approve=False, note="本年度预算已用完"
                )
                return True
            claim_approve(acting_user=finance, claim=claim, approve=True, note="同意")
            if state == "approved":
                return True
            paid_on = ctx.today - dt.timedelta(days=20 - n)
            if fund_balance(fund, paid_on.year) < sum(i.approved_yuan for i in claim.items.all()):
                raise DomainError(SubsidyError.FUND_BALANCE_EXCEEDED)
            payment = claim_pay(
                acting_user=finance,
                claim=claim,
                fund=fund,
                voucher_number=f"JDCZ-{paid_on.year}-{n:04d}",
                paid_on=paid_on,
            )
            if state == "clawed_back":
                entry = LedgerEntry.objects.filter(payment=payment).order_by("pk").first()
                part = (entry.amount_yuan / 4).quantize(Decimal("0.01"), ROUND_HALF_UP)
                clawback_book(
                    acting_user=finance,
                    entry=entry,
                    amount_yuan=part,
                    reason="核查发现部分托位未实际开设，追回相应补助",
                    voucher_number=f"JDCZ-ZH-{paid_on.year}-{n:04d}",
                    booked_on=paid_on + dt.timedelta(days=10),
                )
            return True
    except DomainError:
        return False  # e.g. an eligibility rule failed: try the next institution


def generate(ctx) -> None:
    if ctx.scale.name != "district" or Claim.objects.exists():
        return
    health = _user(username="weijian") or _user(department__code="health")
    finance = _user(username="caizheng") or _user(department__code="finance")
    fund = Fund.objects.filter(code="district-budget").first() or Fund.objects.first()
    if health is None or finance is None or fund is None:
        return
    rng = ctx.rng_for("subsidies.claims")
    candidates = _candidates(ctx, [ctx.year - 1, ctx.year - 2, ctx.year - 3, ctx.year])
    used: set[tuple[int, int]] = set()
    seeded = []
    for n, state in enumerate(STATES, start=1):
        for cand in candidates:
            key = (cand[0].pk, cand[2])
            if key in used:
                continue
            used.add(key)  # tried once: seeded, or refused (a failed rule, an item taken)
            if _seed_one(ctx, state, cand, health=health, finance=finance, fund=fund, rng=rng, n=n):
                seeded.append(state)
                break
    ctx.log(f"补助申请：{len(seeded)} 件（{'、'.join(seeded)}）")
