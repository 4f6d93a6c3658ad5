"""Demo institutions across the region's townships, one account each (API-CONTRACT §7),
with the registration events behind them (P-REG-11); after the filings exist, in every
district 普惠 designations (P-MODE-2), a chain agreement with branches (P-REG-13) and one
deregistration (P-FIL-3), through the services (as that district's platform,
`core.seeding.jurisdiction`). Legal forms and registration authorities follow P-REG-10.
Institutions and accounts are streamed in chunks (`ctx.stream`)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tuoyu.accounts.models import User
from tuoyu.audit.services import audit_record, diff
from tuoyu.core.identifiers import make_uscc
from tuoyu.core.names import person_name, street_address
from tuoyu.institutions.catalogue import InstitutionsAction
from tuoyu.institutions.models import Institution, RegistrationEvent
from tuoyu.institutions.registration_schema import RegistrationIn, registration_payload_hash
from tuoyu.institutions.services.affordable import affordable_designate
from tuoyu.institutions.services.chains import chain_agreement_create, chain_branch_attach
from tuoyu.institutions.services.registration import facts_of, registration_event_receive
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

    def institutions():
        for i in ctx.progress(range(count), total=count, desc="托育机构"):
            township = (
                townships[i % len(townships)] if i < len(townships) else rng.choice(townships)
            )
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
            registered_at = start + dt.timedelta(
                days=rng.randrange(span_days), hours=rng.randint(0, 7)
            )
            yield Institution(
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

    ctx.stream(Institution, institutions())
    created = list(Institution.objects.order_by("id").values_list("id", "uscc", "name"))
    password = ctx.shared.get("demo_password_hash")
    width = max(2, len(str(len(created))))
    users = (
        User(
            username=f"jg{n:0{width}d}",
            display_name=f"{name[:40]}管理员",
            scope_kind=User.ScopeKind.INSTITUTION,
            institution_id=pk,
            password=password or "!",
        )
        for n, (pk, _uscc, name) in enumerate(created, start=1)
    )
    accounts = ctx.stream(User, users)
    audit_record(
        action=InstitutionsAction.INSTITUTION_SEEDED,
        object_type="institutions.institution",
        detail={"institutions": len(created), "accounts": accounts, "seed": ctx.seed},
    )
    ctx.shared["institution_ids"] = [pk for pk, _, _ in created]
    seed_registration_events(ctx, ctx.shared["institution_ids"])


def generate_after_all(ctx) -> None:
    """After every app's data (the filings exist): 普惠 designations, a chain and one
    deregistration, through the services."""
    seed_affordable_chains_deregistration(ctx)


# --- registration events -------------------------------------------------------------------

# Prefixes of the authorities' own event numbers in the demo data (as in the contract's
# example "SAMR-330703-2024-000123").
SEED_EVENT_PREFIX = {
    "market_regulation": "SAMR",
    "civil_affairs": "MZ",
    "public_institution_registration": "SYDJ",
    "education": "JYT",
}
SEED_BATCH = 1000


def seed_registration_events(ctx, institutions: Iterable[Institution | int]) -> int:
    """Create, set-based and deterministically, the pushed event behind each generated
    institution (channel api): its `registered` event, and a `deregistered` event for one
    already deregistered. Event ids follow the authorities' own numbering
    (<prefix>-<region>-<year>-<seq>), numbered by time of occurrence. Institutions that
    already have a `registered` event are skipped, so running it again adds nothing.
    Returns the number of events created."""
    rows = _institutions_without_registered_event(institutions)
    receivers = _seed_receivers()
    planned = _seed_events_planned(rows)
    taken = set(RegistrationEvent.objects.values_list("event_id", flat=True))
    sequence: dict[tuple[str, str, int], int] = {}
    events = []
    for occurred_at, _uscc, action, inst in planned:
        event_id = _seed_event_id(inst, occurred_at, taken=taken, sequence=sequence)
        events.append(
            _seed_event(
                inst,
                action,
                occurred_at=occurred_at,
                event_id=event_id,
                receiver=receivers.get(inst.registration_authority),
            )
        )
    _seed_events_write(ctx, events)
    return len(events)


def _institutions_without_registered_event(
    institutions: Iterable[Institution | int],
) -> list[Institution]:
    """The given institutions (ids, saved rows, or unsaved rows found by USCC) that have no
    `registered` event yet, with their township; so seeding again adds nothing."""
    given = list(institutions)
    ids = sorted({i if isinstance(i, int) else i.pk for i in given} - {None})
    usccs = [i.uscc for i in given if not isinstance(i, int) and i.pk is None]
    if usccs:  # backends that return no ids from bulk_create: find them by USCC
        for start in range(0, len(usccs), SEED_BATCH):
            ids.extend(
                Institution.objects.filter(uscc__in=usccs[start : start + SEED_BATCH]).values_list(
                    "pk", flat=True
                )
            )
        ids = sorted(set(ids))
    rows: list[Institution] = []
    for start in range(0, len(ids), SEED_BATCH):
        rows.extend(
            Institution.objects.filter(pk__in=ids[start : start + SEED_BATCH])
            .exclude(registration_events__action=RegistrationEvent.Action.REGISTERED)
            .select_related("township")
        )
    return rows


def _seed_receivers() -> dict[str, User]:
    """Who received each authority's pushes: the first (by pk) account of the department
    that is that registration authority."""
    receivers = {}
    for user in (
        User.objects.filter(
            scope_kind=User.ScopeKind.DEPARTMENT, department__registration_authority__gt=""
        )
        .select_related("department")
        .order_by("pk")
    ):
        receivers.setdefault(user.department.registration_authority, user)
    return receivers


def _seed_events_planned(
    rows: list[Institution],
) -> list[tuple[dt.datetime, str, str, Institution]]:
    """The events behind the rows — `registered` for each, `deregistered` for one already
    deregistered — in order of occurrence (then USCC, action), the order they are numbered."""
    planned: list[tuple[dt.datetime, str, str, Institution]] = []
    for inst in rows:
        planned.append((inst.registered_at, inst.uscc, RegistrationEvent.Action.REGISTERED, inst))
        if inst.is_deregistered and inst.deregistered_at:
            planned.append(
                (inst.deregistered_at, inst.uscc, RegistrationEvent.Action.DEREGISTERED, inst)
            )
    planned.sort(key=lambda p: (p[0], p[1], p[2]))
    return planned


def _seed_event_id(
    inst: Institution,
    occurred_at: dt.datetime,
    *,
    taken: set[str],
    sequence: dict[tuple[str, str, int], int],
) -> str:
    """The next event id in the authority's own numbering, <prefix>-<region>-<year>-<seq>
    per authority, region and (Shanghai) year, skipping ids already taken."""
    authority = inst.registration_authority
    year = timezone.localtime(occurred_at, SHANGHAI).year
    region = (inst.township.code if inst.township_id else "")[:6]
    key = (authority, region, year)
    while True:
        sequence[key] = sequence.get(key, 0) + 1
        event_id = f"{SEED_EVENT_PREFIX.get(authority, 'REG')}-{region}-{year}-{sequence[key]:06d}"
        if event_id not in taken:
            break
    taken.add(event_id)
    return event_id


def _seed_event_body(
    inst: Institution, action: str, *, occurred_at: dt.datetime, event_id: str
) -> dict:
    """The canonical body the authority would have pushed (as `registration_event_receive`
    stores it), so that a replay of it is recognised."""
    body = {
        "event_id": event_id,
        "authority": inst.registration_authority,
        "action": action,
        "uscc": inst.uscc,
        "name": inst.name,
        "legal_form": inst.legal_form,
        "for_profit": inst.for_profit,
        "legal_representative": inst.legal_representative or None,
        "address": inst.address or None,
        "township_code": inst.township.code,
        "occurred_at": timezone.localtime(occurred_at, SHANGHAI).isoformat(),
    }
    return RegistrationIn.model_validate(body).canonical()


def _seed_event(
    inst: Institution,
    action: str,
    *,
    occurred_at: dt.datetime,
    event_id: str,
    receiver: User | None,
) -> RegistrationEvent:
    """The (unsaved) event row as receiving that push would have stored it: its answer and
    its changes."""
    body = _seed_event_body(inst, action, occurred_at=occurred_at, event_id=event_id)
    status = (
        Institution.RegistrationStatus.REGISTERED
        if action == RegistrationEvent.Action.REGISTERED
        else Institution.RegistrationStatus.DEREGISTERED
    )
    return RegistrationEvent(
        event_id=event_id,
        authority=inst.registration_authority,
        action=action,
        uscc=inst.uscc,
        payload=body,
        payload_hash=registration_payload_hash(body),
        institution=inst,
        occurred_at=occurred_at,
        received_by=receiver,
        channel=RegistrationEvent.Channel.API,
        response={"institution_id": inst.pk, "registration_status": status},
        changes=diff({}, facts_of(inst))
        if action == RegistrationEvent.Action.REGISTERED
        else {"registration_status": ["registered", "deregistered"]},
    )


def _seed_events_write(ctx, events: list[RegistrationEvent]) -> None:
    """Insert the events in one transaction, dated as received when they occurred, with one
    audit event for the lot (none when there is nothing to add)."""
    with transaction.atomic():
        RegistrationEvent.objects.bulk_create(events, batch_size=SEED_BATCH)
        # received_at is auto_now_add; the demo's pushes arrived when they occurred.
        event_ids = [e.event_id for e in events]
        for start in range(0, len(event_ids), SEED_BATCH):
            RegistrationEvent.objects.filter(
                event_id__in=event_ids[start : start + SEED_BATCH]
            ).update(received_at=F("occurred_at"))
        if events:
            audit_record(
                action=InstitutionsAction.REGISTRATION_SEEDED,
                object_type="institutions.registrationevent",
                detail={"events": len(events), "seed": getattr(ctx, "seed", None)},
            )


# --- affordable designations, a chain, a deregistration --------------------------------------


def seed_affordable_chains_deregistration(ctx) -> dict[str, int]:
    """In every district of the seeded region ([scale] point 1), through the services as
    that district's platform (`jurisdiction`): 普惠 designations, one chain with branches,
    one deregistration. Districts in code order; the draws of one district do not depend
    on the others' data."""
    from tuoyu.core.seeding import jurisdiction

    health = User.objects.filter(department__code="health", is_active=True).first()
    if health is None:
        return {}
    counts = {"affordable": 0, "chain_branches": 0, "deregistered": 0}
    filed_by_district: dict[str, list[Institution]] = {}
    for inst in (
        Institution.objects.filter(filing_status=Institution.FilingStatus.FILED)
        .select_related("township")
        .order_by("filed_on", "pk")
    ):
        filed_by_district.setdefault(inst.township.code[:6], []).append(inst)
    names = dict(
        Region.objects.filter(code__in=list(filed_by_district)).values_list("code", "name")
    )
    for code in ctx.progress(sorted(filed_by_district), desc="普惠、连锁、注销"):
        with jurisdiction(code), transaction.atomic():
            for key, n in _seed_district_extras(
                ctx, health, code, names.get(code, ""), filed_by_district[code]
            ).items():
                counts[key] += n
    ctx.log("普惠、连锁、注销：" + "，".join(f"{k} {v}" for k, v in counts.items()))
    return counts


def _seed_district_extras(ctx, health, code: str, name: str, filed) -> dict[str, int]:
    rng = ctx.rng
    counts = {"affordable": 0, "chain_branches": 0, "deregistered": 0}
    short = name[:2] or code  # 金东区 → 金东卫发〔2024〕11号
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
                decision_ref=f"{short}卫发〔{starts.year}〕{n + 10}号",
            )
            counts["affordable"] += 1
    if not counts["affordable"] and filed:  # every district has at least one (small seeds)
        inst = filed[0]
        starts = min(inst.filed_on + dt.timedelta(days=30), ctx.today)
        affordable_designate(
            acting_user=health,
            institution=inst,
            starts_on=starts,
            decision_ref=f"{short}卫发〔{starts.year}〕10号",
        )
        counts["affordable"] += 1

    # One chain: a filed company as head, three townships, two branches attached (in a
    # district with fewer than three filed companies: any filed institutions).
    companies = [i for i in filed if i.legal_form == Institution.LegalForm.COMPANY]
    pool = companies if len(companies) >= 3 else filed
    chained = set()
    if len(pool) >= 3:
        head = pool[0]
        chained = {i.pk for i in pool[:3]}
        townships = list(
            Region.objects.filter(level=Region.Level.TOWNSHIP, code__startswith=code).order_by(
                "code"
            )[:4]
        )
        valid_from = max(head.filed_on, ctx.today - dt.timedelta(days=400))
        prefix = "JDLS" if code == ctx.district_code else f"LS{code}"
        agreement = chain_agreement_create(
            acting_user=health,
            head=head,
            agreement_number=f"{prefix}-{valid_from.year}-001",
            townships=townships,
            max_branches=5,
            valid_from=valid_from,
            valid_until=valid_from + dt.timedelta(days=3 * 365),
        )
        for branch in pool[1:3]:
            chain_branch_attach(acting_user=health, agreement=agreement, institution=branch)
            counts["chain_branches"] += 1

    # One institution deregistered by its authority: its filing is cancelled (P-FIL-3).
    unchained = [i for i in filed if i.pk not in chained]
    # A small district keeps one plain filed institution if it can; else deregister a branch
    # rather than leave the district without the state ([scale] point 1).
    candidates = companies[3:] or unchained[1:] or unchained or filed[2:]
    if candidates:
        inst = candidates[-1]
        authority = User.objects.filter(
            department__registration_authority=inst.registration_authority, is_active=True
        ).first()
        if authority is not None:
            registration_event_receive(
                acting_user=authority,
                data={
                    "event_id": f"SAMR-{code}-{ctx.today.year}-D{inst.pk:05d}",
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
    return counts
