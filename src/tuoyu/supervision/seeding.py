"""Demo and scale data of supervision (after every other app, `generate_after_all`): for each
filed institution, three years of inspections against the checklists, rectification orders
in every state (open, replied, accepted, overdue and escalated), complaints (answered,
open, overdue, urgent, anonymous), the credit events they cause, then the ratings and risk
scores computed set-based. Deterministic (`ctx.rng`, institutions by USCC); written a
chunk of institutions at a time (bulk inserts, one transaction each), so memory stays
flat at province scale. In the platform's own district, quarterly plan history through
the services: each quarter's random draw with its stored seed."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from itertools import islice

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Sum

from tuoyu import policy
from tuoyu.audit.services import audit_record_bulk
from tuoyu.institutions.models import Institution
from tuoyu.supervision.catalogue import SupervisionAction
from tuoyu.supervision.duties import checklist_for
from tuoyu.supervision.models import (
    Complaint,
    CreditEvent,
    CreditRating,
    Inspection,
    ItemResult,
    RectificationOrder,
    Severity,
)
from tuoyu.supervision.services.credit import points_for, rating_for
from tuoyu.supervision.services.risk import risk_recompute

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
CHUNK = 500
DEPARTMENTS = ("health", "market_regulation", "fire_rescue")
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
COMPLAINTS = {
    "food": ("午餐饭菜经常是冷的，孩子说吃不饱。", "点心过期，包装上的日期已经过了。"),
    "fire": ("楼梯间堆放了很多纸箱，安全出口被挡住。", "灭火器压力表指针在红区。"),
    "security": ("接孩子时门口没有人登记，陌生人也能进。", "监控摄像头好几天都是黑屏。"),
    "health_care": ("午睡室通风不好，孩子回家说很闷。", "孩子发烧了老师没有及时通知家长。"),
    "fees": ("要求一次性预交半年保育费。", "收费项目和公示的不一致。"),
    "abuse": ("孩子身上有掐痕，说是老师弄的。",),
    "other": ("老师频繁更换，孩子很难适应。", "户外活动时间明显不够两小时。"),
}
CATEGORY_WEIGHTS = (
    ("food", 20),
    ("fire", 10),
    ("security", 10),
    ("health_care", 25),
    ("fees", 15),
    ("abuse", 2),
    ("other", 18),
)
REPLIES = (
    "经现场核查，情况属实，已责令机构限期整改并将复查。",
    "经核查，未发现所反映的问题，已向机构提出注意事项。",
    "已约谈机构负责人，机构已整改完毕。",
)
FINDINGS = {
    "observation_room": "保健观察室未配备观察床",
    "cctv_90_days": "监控录像只保存了 30 天",
    "staff_health_certificates": "两名保育员健康合格证过期",
    "outdoor_time": "户外活动记录显示每日不足 2 小时",
    "meal_accounts": "食品进货台账缺少最近两周记录",
    "food_samples": "留样不足 48 小时",
    "escape_routes": "疏散通道堆放杂物",
    "extinguishers": "灭火器过期未检",
}


def _weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    r = rng.random() * total
    for value, weight in pairs:
        r -= weight
        if r < 0:
            return value
    return pairs[-1][0]


def _inspectors() -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for code in DEPARTMENTS:
        ids = list(
            get_user_model()
            .objects.filter(department__code=code, scope_kind="department", is_active=True)
            .order_by("username")
            .values_list("pk", flat=True)
        )
        if ids:
            out[code] = ids
    return out


def _order_state(rng, order, today, rules):
    """Put an order in one of the states it can be in on `today`."""
    if order.due_on < today:
        r = rng.random()
        if r < 0.7:
            order.status = RectificationOrder.Status.ACCEPTED
            order.reply = "已按要求整改，附整改前后照片。"
        elif r < 0.85:
            order.status = RectificationOrder.Status.REPLIED
            order.reply = "已整改，请验收。"
        else:
            order.escalated_on = order.due_on + dt.timedelta(1)
    elif rng.random() < 0.5:
        order.status = RectificationOrder.Status.REPLIED
        order.reply = "正在整改，已购置所需设备。"


def _inspections_for(rng, inst, today, inspectors):
    """(inspection, [item results], [orders]) of one institution."""
    out = []
    rules = policy.at(today).supervision
    for _ in range(rng.choice((1, 1, 2, 3))):
        code = rng.choice(sorted(inspectors))
        performed = today - dt.timedelta(rng.randint(10, 3 * 365))
        checklist = checklist_for(code)
        inspection = Inspection(
            institution_id=inst.pk,
            department_code=code,
            kind=rng.choice(("routine", "routine", "targeted")),
            inspector_id=rng.choice(inspectors[code]),
            scheduled_on=performed,
            performed_on=performed,
            status=Inspection.Status.DONE,
            checklist_version=checklist.version,
            reason="",
        )
        items, orders = [], []
        for item in checklist.items:
            r = rng.random()
            outcome = "fail" if r < 0.08 else "na" if r < 0.12 else "pass"
            items.append(ItemResult(institution_id=inst.pk, item_code=item.code, outcome=outcome))
            if outcome == "fail":
                severity = _weighted(rng, (("minor", 70), ("serious", 25), ("critical", 5)))
                days = getattr(rules, f"rectification_days_{severity}")
                order = RectificationOrder(
                    institution_id=inst.pk,
                    department_code=code,
                    item_code=item.code,
                    severity=severity,
                    finding=FINDINGS.get(item.code, item.text),
                    due_on=performed + dt.timedelta(days),
                )
                _order_state(rng, order, today, rules)
                orders.append(order)
        inspection.result = "rectify" if orders else "passed"
        out.append((inspection, items, orders))
    return out


def _complaints_for(rng, inst, today):
    rules = policy.at(today).supervision
    out = []
    for _ in range(rng.choice((0, 0, 0, 1, 1, 2))):
        category = _weighted(rng, CATEGORY_WEIGHTS)
        filed = today - dt.timedelta(rng.randint(0, 720))
        urgent_to = rules.complaint_urgent_categories.get(category)
        days = rules.complaint_urgent_answer_days if urgent_to else rules.complaint_answer_days
        anonymous = rng.random() < 0.3
        c = Complaint(
            institution_id=inst.pk,
            tracking_number="TS" + "".join(rng.choice(ALPHABET) for _ in range(10)),
            category=category,
            description=rng.choice(COMPLAINTS[category]),
            channel=rng.choice(("portal", "portal", "api", "hotline")),
            anonymous=anonymous,
            contact_phone=""
            if anonymous
            else f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}",
            department_code=rules.complaint_routing.get(category, rules.complaint_routing["other"]),
            notified_departments=f",{urgent_to}," if urgent_to else "",
            urgent=bool(urgent_to),
            due_on=filed + dt.timedelta(days),
            created_at=dt.datetime.combine(filed, dt.time(9 + rng.randint(0, 8)), SHANGHAI),
        )
        if filed + dt.timedelta(3) < today and rng.random() < 0.85:
            c.status = Complaint.Status.ANSWERED
            c.substantiated = rng.random() < 0.4
            c.reply = REPLIES[0] if c.substantiated else rng.choice(REPLIES[1:])
            c.answered_at = c.created_at + dt.timedelta(days=rng.randint(1, days))
        out.append(c)
    return out


def _credit_events(rng, inst, orders, complaints, today):
    events = []

    def event(kind, day, description, source):
        points, ref = points_for(kind, day)
        label = CreditEvent.Kind(kind).label
        events.append(
            CreditEvent(
                institution_id=inst.pk,
                kind=kind,
                points=points,
                rule_ref=ref,
                rule_text=f"{label}：{points:+d} 分（{ref}）",
                occurred_on=day,
                description=description,
                source=source,
            )
        )

    for order in orders:
        if order.severity in (Severity.SERIOUS, Severity.CRITICAL):
            event(
                CreditEvent.Kind.SERIOUS_FINDING,
                order.inspection.performed_on,
                order.finding,
                f"order:{order.pk}",
            )
        if order.escalated_on:
            event(
                CreditEvent.Kind.OVERDUE_ORDER,
                order.escalated_on,
                "整改通知逾期未整改",
                f"order:{order.pk}",
            )
    for c in complaints:
        if c.substantiated:
            event(
                CreditEvent.Kind.SUBSTANTIATED_COMPLAINT,
                c.answered_at.date(),
                "投诉经核查属实",
                f"complaint:{c.pk}",
            )
    if rng.random() < 0.03:
        event(
            CreditEvent.Kind.COMMENDATION,
            today - dt.timedelta(rng.randint(30, 700)),
            "获评区级优秀托育机构",
            "seed:c",
        )
    if rng.random() < 0.02:
        event(
            CreditEvent.Kind.DEMONSTRATION,
            today - dt.timedelta(rng.randint(30, 700)),
            "评为市级示范托育机构",
            "seed:d",
        )
    return events


def _write_chunk(ctx, chunk, inspectors) -> dict[str, list[int]]:
    written = {"inspection": [], "order": [], "complaint": [], "credit": []}
    with transaction.atomic():
        plan = [(inst, _inspections_for(ctx.rng, inst, ctx.today, inspectors)) for inst in chunk]
        rows = [i for _, found in plan for i, _, _ in found]
        Inspection.objects.bulk_create(rows)
        items, orders = [], []
        for _, found in plan:
            for inspection, its, ords in found:
                for x in its + ords:
                    x.inspection = inspection
                items += its
                orders += ords
        ItemResult.objects.bulk_create(items)
        RectificationOrder.objects.bulk_create(orders)
        complaints = {inst.pk: _complaints_for(ctx.rng, inst, ctx.today) for inst in chunk}
        Complaint.objects.bulk_create([c for cs in complaints.values() for c in cs])
        by_inst: dict[int, list] = {}
        for o in orders:
            by_inst.setdefault(o.institution_id, []).append(o)
        events = []
        for inst in chunk:
            events += _credit_events(
                ctx.rng, inst, by_inst.get(inst.pk, []), complaints[inst.pk], ctx.today
            )
        CreditEvent.objects.bulk_create(events)
    written["inspection"] = [i.pk for i in rows]
    written["order"] = [o.pk for o in orders]
    written["complaint"] = [c.pk for cs in complaints.values() for c in cs]
    written["credit"] = [e.pk for e in events]
    return written


def _ratings(today) -> int:
    base = policy.at(today).supervision.credit_base_score
    totals = CreditEvent.objects.values_list("institution_id").annotate(s=Sum("points"))
    rows = [
        CreditRating(institution_id=pk, score=base + s, rating=rating_for(base + s, today))
        for pk, s in totals.values_list("institution_id", "s")
    ]
    CreditRating.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["institution"],
        update_fields=["score", "rating"],
    )
    return len(rows)


def _quarter_start(day: dt.date, back: int) -> dt.date:
    month = (day.month - 1) // 3 * 3 + 1 - 3 * back
    year = day.year + (month - 1) // 12
    return dt.date(year, (month - 1) % 12 + 1, 1)


def _record(ctx, user, inspection, performed_on, force_fail: bool) -> None:
    from tuoyu.supervision.services import inspection_record

    results = {}
    for i, item in enumerate(checklist_for(inspection.department_code).items):
        fail = (force_fail and i == 0) or ctx.rng.random() < 0.1
        results[item.code] = (
            {"outcome": "fail", "severity": "minor", "note": FINDINGS.get(item.code, item.text)}
            if fail
            else {"outcome": "pass"}
        )
    inspection_record(
        acting_user=user,
        inspection_id=inspection.pk,
        performed_on=performed_on,
        results=results,
        summary="现场检查已完成，问题已当场告知机构负责人。",
    )


def _plan_history(ctx, inspectors) -> None:
    """Three quarterly plans per department (two past, the current one) through the
    services, each drawn from a seed derived from the run's seed."""
    from tuoyu.supervision.services import plan_create, plan_draw

    users = get_user_model().objects.in_bulk([ids[0] for ids in inspectors.values()])
    population = Institution.objects.filter(filing_status="filed").count()
    if population == 0:
        return
    for code in ("health", "market_regulation"):
        if code not in inspectors:
            continue
        user = users[inspectors[code][0]]
        for back in (2, 1, 0):
            start = _quarter_start(ctx.today, back)
            end = _quarter_start(ctx.today, back - 1) - dt.timedelta(1)
            plan = plan_create(
                acting_user=user,
                title=f"{start.year}年第{(start.month - 1) // 3 + 1}季度双随机抽查",
                period_start=start,
                period_end=end,
                draw_size=min(4, population),
            )
            plan = plan_draw(acting_user=user, plan_id=plan.pk, seed=f"{ctx.seed}-{code}-{start}")
            for n, inspection in enumerate(plan.inspections.order_by("id")):
                if back:
                    day = start + dt.timedelta(10 + 7 * n)
                elif n % 2 == 0:
                    day = ctx.today - dt.timedelta(3 + n)
                else:
                    continue  # still to inspect this quarter
                _record(ctx, user, inspection, min(day, ctx.today), force_fail=n == 0)


def generate_after_all(ctx) -> None:
    inspectors = _inspectors()
    if not inspectors:
        return
    institutions = Institution.objects.filter(filing_status="filed").order_by("uscc").only("pk")
    totals = {"inspection": [], "order": [], "complaint": [], "credit": []}
    iterator = institutions.iterator(chunk_size=CHUNK)
    while chunk := list(islice(iterator, CHUNK)):
        for key, ids in _write_chunk(ctx, chunk, inspectors).items():
            totals[key] += ids
    if not totals["inspection"]:
        return
    with transaction.atomic():
        for key, model in (
            ("inspection", "supervision.inspection"),
            ("order", "supervision.rectificationorder"),
            ("complaint", "supervision.complaint"),
            ("credit", "supervision.creditevent"),
        ):
            if totals[key]:
                audit_record_bulk(
                    action=SupervisionAction.DEMO_SEEDED,
                    object_type=model,
                    object_ids=totals[key],
                    detail={"today": ctx.today.isoformat()},
                )
    _ratings(ctx.today)
    risk_recompute(today=ctx.today)
    if ctx.district_code == settings.TUOYU_DISTRICT_CODE:
        from tuoyu.supervision.services import orders_escalate

        _plan_history(ctx, inspectors)
        # what the daily job would have done by the seed's day
        orders_escalate(today=ctx.today)
        risk_recompute(today=ctx.today)
    ctx.log(
        f"综合监管：检查 {len(totals['inspection'])} 次，整改通知 {len(totals['order'])} 份，"
        f"投诉 {len(totals['complaint'])} 件，信用事件 {len(totals['credit'])} 条"
    )
