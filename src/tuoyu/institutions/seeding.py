"""Demo institutions across the district's townships, one account each (API-CONTRACT §7).

Legal forms and registration authorities follow P-REG-10. The institutions issue extends
this generator with filings, classes and their states.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db import transaction

from tuoyu.accounts.models import User
from tuoyu.audit.services import audit_record
from tuoyu.core.bulk import bulk_insert
from tuoyu.core.identifiers import make_uscc
from tuoyu.core.names import person_name, street_address
from tuoyu.institutions.models import Institution
from tuoyu.institutions.seeding_filings import seed_filings
from tuoyu.institutions.seeding_supervision import seed_affordable_chains_deregistration
from tuoyu.institutions.services.registration import seed_registration_events
from tuoyu.regions.models import Region

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

BRANDS = (
    "小橡树",
    "童心",
    "爱贝",
    "悦宝",
    "金宝贝",
    "七色花",
    "小太阳",
    "春苗",
    "乐育",
    "暖暖",
    "贝乐",
    "启蒙",
    "蒲公英",
    "小水滴",
    "萌芽",
    "格林",
    "朵朵",
    "星辰",
    "和美",
    "安吉",
    "婴童",
    "博爱",
    "未来星",
    "葵花",
    "知更鸟",
    "彩虹",
    "好孩子",
    "禾苗",
    "稚趣",
    "亲亲",
)

# legal form → (for_profit, authority, USCC registration dept + org type, name suffix)
FORMS = [
    ("company", True, "market_regulation", ("9", "1"), "托育有限公司", 0.60),
    ("social_organization", False, "civil_affairs", ("5", "2"), "托育服务中心", 0.20),
    ("public_institution", False, "public_institution_registration", ("1", "2"), "托育园", 0.05),
    ("kindergarten", False, "education", ("5", "2"), "幼儿园", 0.15),
]


def _pick_form(rng):
    r = rng.random()
    acc = 0.0
    for form in FORMS:
        acc += form[5]
        if r < acc:
            return form
    return FORMS[0]


def _org_code(rng) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return "MA" + "".join(rng.choice(alphabet) for _ in range(6))


@transaction.atomic
def generate(ctx) -> None:
    rng = ctx.rng
    if Institution.objects.exists():
        ctx.log("已有机构数据，跳过机构生成。")
        return
    townships = list(
        Region.objects.filter(level=Region.Level.TOWNSHIP).select_related("parent").order_by("code")
    )
    if not townships:
        raise RuntimeError("请先加载区划数据（regions）")
    count = ctx.scale.institutions
    start = dt.datetime(2020, 11, 2, 9, 0, tzinfo=SHANGHAI)
    span_days = max((ctx.today - start.date()).days, 1)
    seen: set[str] = set()
    institutions = []
    for i in ctx.progress(range(count), total=count, desc="托育机构"):
        township = townships[i % len(townships)] if i < len(townships) else rng.choice(townships)
        legal_form, for_profit, authority, (dept, kind), suffix, _ = _pick_form(rng)
        while True:
            uscc = make_uscc(dept, kind, township.code[:6], _org_code(rng))
            if uscc not in seen:
                seen.add(uscc)
                break
        city = "金华市" if township.code.startswith("3307") else ""
        district = township.parent.name if township.parent_id else ""
        brand = BRANDS[i % len(BRANDS)] if i < len(BRANDS) else rng.choice(BRANDS)
        name = f"{city}{district}{brand}{suffix}"
        if i >= len(BRANDS):
            name = f"{city}{district}{township.name}{brand}{suffix}"
        registered_at = start + dt.timedelta(days=rng.randrange(span_days), hours=rng.randint(0, 7))
        institutions.append(
            Institution(
                uscc=uscc,
                name=name[:200],
                legal_form=legal_form,
                for_profit=for_profit,
                legal_representative=person_name(rng),
                address=street_address(rng, f"{district}{township.name}"),
                township=township,
                registration_authority=authority,
                registered_at=registered_at,
            )
        )
    bulk_insert(Institution, institutions)
    created = list(Institution.objects.order_by("id").values_list("id", "uscc", "name"))
    password = ctx.shared.get("demo_password_hash")
    width = max(2, len(str(len(created))))
    users = [
        User(
            username=f"jg{n:0{width}d}",
            display_name=f"{name[:40]}管理员",
            scope_kind=User.ScopeKind.INSTITUTION,
            institution_id=pk,
            password=password or "!",
        )
        for n, (pk, _uscc, name) in enumerate(created, start=1)
    ]
    bulk_insert(User, users)
    audit_record(
        action="seed.institutions_generated",
        object_type="institutions.institution",
        detail={"institutions": len(created), "accounts": len(users), "seed": ctx.seed},
    )
    ctx.shared["institution_ids"] = [pk for pk, _, _ in created]
    seed_registration_events(ctx, ctx.shared["institution_ids"])
    # Filings, reviews, receipts and cancellations through the filings services, so the
    # demo shows an institution in every state (issue: institutions, done-when).
    seed_filings(
        ctx,
        Institution.objects.filter(pk__in=ctx.shared["institution_ids"]).select_related("township"),
    )
    seed_affordable_chains_deregistration(ctx)
