"""Demo 普惠 designations (P-MODE-2), a chain agreement with branches (P-REG-13) and one
deregistration (P-FIL-3), through the services, after the filings exist. Only institutions
of the platform's own district take part (the services refuse other townships)."""

from __future__ import annotations

import datetime as dt

from tuoyu.accounts.models import User
from tuoyu.institutions.models import Institution
from tuoyu.institutions.services.affordable import affordable_designate
from tuoyu.institutions.services.chains import chain_agreement_create, chain_branch_attach
from tuoyu.institutions.services.registration import registration_event_receive
from tuoyu.regions.models import Region


def seed_affordable_chains_deregistration(ctx) -> dict[str, int]:
    rng = ctx.rng
    health = User.objects.filter(department__code="health", is_active=True).first()
    if health is None:
        return {}
    local = Institution.objects.filter(township__code__startswith=ctx.district_code)
    filed = list(
        local.filter(filing_status=Institution.FilingStatus.FILED).order_by("filed_on", "pk")
    )
    counts = {"affordable": 0, "chain_branches": 0, "deregistered": 0}

    # About 40 % of filed institutions are affordable; non-profits more often (P-MODE-2).
    for n, inst in enumerate(filed, start=1):
        if rng.random() < (0.6 if not inst.for_profit else 0.3):
            starts = inst.filed_on + dt.timedelta(days=rng.randint(20, 120))
            if starts > ctx.today:
                continue
            affordable_designate(
                acting_user=health,
                institution=inst,
                starts_on=starts,
                decision_ref=f"金东卫发〔{starts.year}〕{n + 10}号",
            )
            counts["affordable"] += 1

    # One chain: a filed company as head, three townships, two branches attached.
    companies = [i for i in filed if i.legal_form == Institution.LegalForm.COMPANY]
    if len(companies) >= 3:
        head = companies[0]
        townships = list(
            Region.objects.filter(
                level=Region.Level.TOWNSHIP, code__startswith=ctx.district_code
            ).order_by("code")[:4]
        )
        valid_from = max(head.filed_on, ctx.today - dt.timedelta(days=400))
        agreement = chain_agreement_create(
            acting_user=health,
            head=head,
            agreement_number=f"JDLS-{valid_from.year}-001",
            townships=townships,
            max_branches=5,
            valid_from=valid_from,
            valid_until=valid_from + dt.timedelta(days=3 * 365),
        )
        for branch in companies[1:3]:
            chain_branch_attach(acting_user=health, agreement=agreement, institution=branch)
            counts["chain_branches"] += 1

    # One institution deregistered by its authority: its filing is cancelled (P-FIL-3).
    candidates = [i for i in filed if i.legal_form == Institution.LegalForm.COMPANY][3:]
    if candidates:
        inst = candidates[-1]
        authority = User.objects.filter(
            department__registration_authority=inst.registration_authority, is_active=True
        ).first()
        if authority is not None:
            registration_event_receive(
                acting_user=authority,
                data={
                    "event_id": f"SAMR-{ctx.district_code}-{ctx.today.year}-D{inst.pk:05d}",
                    "authority": inst.registration_authority,
                    "action": "deregistered",
                    "uscc": inst.uscc,
                    "occurred_at": dt.datetime.combine(
                        ctx.today - dt.timedelta(days=10), dt.time(10, 0)
                    ).isoformat()
                    + "+08:00",
                },
            )
            counts["deregistered"] += 1
    ctx.log("普惠、连锁、注销：" + "，".join(f"{k} {v}" for k, v in counts.items()))
    return counts
