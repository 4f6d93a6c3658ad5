"""Seeding of subsidies (funds part), called by seeding.py: the district's three funds
(P-SUB-4: each source kept apart) with a budget for every year from 2021 to the seed's
year, and demonstration titles (P-SUB-3, P-V2023-1) for some filed institutions — spread
over the levels and the years, some before and some after 2023-08-01 (so both award rules
show), a few reaching a higher level later (the difference paid), a few comprehensive
centres. At district scale about one filed institution in five gets a title; at larger
scales about one in sixteen, across the whole province, written a chunk at a time.

Rows are written directly (bulk_create), one audit event per bulk (`audit_record_bulk`);
the titles' `demonstration_title_conferred` event is not emitted (seed data, not a
decision: supervision's credit events come from its own seed)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import islice

from django.contrib.auth import get_user_model
from django.db import transaction

from tuoyu.audit.services import audit_record_bulk
from tuoyu.institutions.models import Institution
from tuoyu.subsidies.catalogue import SubsidyAction
from tuoyu.subsidies.models import DemonstrationTitle, Fund, FundBudget

CHUNK = 2_000
FIRST_BUDGET_YEAR = 2021
V2023_FROM = dt.date(2023, 8, 1)  # only to spread the seed's dates; amounts come from policy

# (code, name, source, pays_refs, note, budget of 2021 in yuan, yearly growth)
FUNDS = (
    (
        "district-budget",
        "区级财政预算托育补助资金",
        Fund.Source.DISTRICT_BUDGET,
        [],
        "金东区本级财政预算安排的婴幼儿照护服务补助资金",
        Decimal("3000000"),
        Decimal("1.08"),
    ),
    (
        "ndrc-affordable-care",
        "国家发展改革委普惠托育专项资金",
        Fund.Source.NDRC_PROJECT,
        ["P-SUB-1", "P-SUB-2"],
        "普惠托育服务专项行动中央预算内投资，专款专用，仅用于新增托位与普惠运营",
        Decimal("1600000"),
        Decimal("1.05"),
    ),
    (
        "provincial-award",
        "省级奖补资金",
        Fund.Source.PROVINCIAL_AWARD,
        ["P-SUB-3", "P-V2023-1"],
        "省级示范托育机构与综合托育服务中心奖补资金",
        Decimal("800000"),
        Decimal("1.00"),
    ),
)
LEVELS = ("municipal", "provincial", "national")
FIRST_LEVEL_WEIGHTS = (("municipal", 70), ("provincial", 25), ("national", 5))
DOCUMENT = {
    "municipal": "金市卫健〔{y}〕{n}号",
    "provincial": "浙卫发〔{y}〕{n}号",
    "national": "国卫人口函〔{y}〕{n}号",
    "comprehensive_centre": "金东卫健〔{y}〕{n}号",
}


def _user(code: str):
    return (
        get_user_model()
        .objects.filter(department__code=code, is_active=True)
        .order_by("username")
        .first()
    )


def _weighted(rng, pairs):
    r = rng.random() * sum(w for _, w in pairs)
    for value, weight in pairs:
        r -= weight
        if r < 0:
            return value
    return pairs[-1][0]


def _day_between(rng, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max((end - start).days, 0)))


def _funds(ctx, finance) -> None:
    with transaction.atomic():
        Fund.objects.bulk_create(
            Fund(code=code, name=name, source=source, pays_refs=refs, note=note)
            for code, name, source, refs, note, _b, _g in FUNDS
        )
        funds = list(Fund.objects.filter(code__in=[f[0] for f in FUNDS]).order_by("pk"))
        by_code = {f.code: f for f in funds}
        budgets = []
        for code, _n, _s, _r, _note, first, growth in FUNDS:
            amount = first
            for year in range(FIRST_BUDGET_YEAR, ctx.year + 1):
                budgets.append(
                    FundBudget(
                        fund=by_code[code],
                        year=year,
                        amount_yuan=(amount / 10000).quantize(Decimal(1)) * 10000,
                        document_ref=f"金东财社〔{year}〕{len(budgets) + 1}号",
                        recorded_by=finance,
                    )
                )
                amount *= growth
        FundBudget.objects.bulk_create(budgets)
        budget_ids = list(
            FundBudget.objects.filter(fund__in=funds).order_by("pk").values_list("pk", flat=True)
        )
        audit_record_bulk(
            action=SubsidyAction.DEMO_SEEDED,
            actor=finance,
            object_type="subsidies.fund",
            object_ids=[f.pk for f in funds],
            detail={"today": ctx.today.isoformat()},
        )
        audit_record_bulk(
            action=SubsidyAction.DEMO_SEEDED,
            actor=finance,
            object_type="subsidies.fundbudget",
            object_ids=budget_ids,
            detail={"today": ctx.today.isoformat()},
        )


def _titles_of(rng, inst_pk: int, filed_on: dt.date, today: dt.date, seq, every: int):
    """The titles of one institution (empty for most)."""
    if rng.randrange(every):
        return []
    earliest = max(filed_on + dt.timedelta(days=180), dt.date(2021, 1, 1))
    if earliest > today:
        return []
    out = []
    level = _weighted(rng, FIRST_LEVEL_WEIGHTS)
    on = _day_between(rng, earliest, today)
    out.append((level, on))
    # one in four reaches a higher level one to three years later
    if level != "national" and rng.random() < 0.25:
        later = on + dt.timedelta(days=rng.randint(365, 3 * 365))
        if later <= today:
            out.append((LEVELS[LEVELS.index(level) + 1], later))
    # one in ten completes a comprehensive centre (an award from 2023-08-01, P-V2023-1)
    if rng.random() < 0.1 and today >= V2023_FROM:
        out.append(("comprehensive_centre", _day_between(rng, max(earliest, V2023_FROM), today)))
    return [
        DemonstrationTitle(
            institution_id=inst_pk,
            level=lv,
            conferred_on=day,
            document_ref=DOCUMENT[lv].format(y=day.year, n=next(seq)),
        )
        for lv, day in out
    ]


def _titles(ctx, health) -> int:
    rng = ctx.rng_for("subsidies.titles")
    every = 5 if ctx.scale.name == "district" else 16
    counter = iter(range(1, 10**9))
    institutions = (
        Institution.objects.filter(filing_status="filed", filed_on__isnull=False)
        .order_by("uscc")
        .values_list("pk", "filed_on")
    )
    ids: list[int] = []
    iterator = institutions.iterator(chunk_size=CHUNK)
    while chunk := list(islice(iterator, CHUNK)):
        rows = []
        for pk, filed_on in chunk:
            for title in _titles_of(rng, pk, filed_on, ctx.today, counter, every):
                title.recorded_by = health
                rows.append(title)
        if not rows:
            continue
        with transaction.atomic():
            created = DemonstrationTitle.objects.bulk_create(rows, batch_size=CHUNK)
            new_ids = [t.pk for t in created if t.pk is not None]
            if len(new_ids) != len(created):  # a backend that returns no ids
                new_ids = list(
                    DemonstrationTitle.objects.filter(
                        institution_id__in=[pk for pk, _ in chunk]
                    ).values_list("pk", flat=True)
                )
            audit_record_bulk(
                action=SubsidyAction.DEMO_SEEDED,
                actor=health,
                object_type="subsidies.demonstrationtitle",
                object_ids=new_ids,
                detail={"today": ctx.today.isoformat()},
            )
        ids += new_ids
    return len(ids)


def generate(ctx) -> None:
    finance, health = _user("finance"), _user("health")
    if finance is None or health is None or Fund.objects.exists():
        return
    _funds(ctx, finance)
    count = _titles(ctx, health)
    ctx.log(
        f"补助资金：{len(FUNDS)} 项资金，{FIRST_BUDGET_YEAR}–{ctx.year} 年度预算；示范称号 {count} 个"
    )
