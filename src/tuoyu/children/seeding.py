"""Demo and scale data of children (`tuoyu seed`): children in the filed classes of every
filed institution (a share of each class's filed places, ages fitting the class type),
entry and periodic examinations with growth, and — at the district and test scales —
`ctx.history_weeks` school weeks of morning and noon checks (4 by default; a year for
`make demo`) with the illness of the season (`SEASONS`) and planted clusters that raise
outbreak alerts (P-HC-6). Deterministic (`ctx.rng`, classes in id order); streamed
(`ctx.stream`, COPY / executemany) with flat memory. At the larger scales (city, province)
one school day of morning and noon checks, ordinary illness only (no planted cluster, no
alert evaluation): four weeks would be ≈ 10 million rows for a province's 120,000
children, and `bench/health_checks.py` measures the ingest of a province day through the
API instead.

Names are Chinese (core.names), ID numbers GB 11643-valid with the district's real 3307xx
(or other) address code and the sex digit, guardians' phones valid mobile numbers.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict

from tuoyu import policy
from tuoyu.audit.services import audit_record
from tuoyu.children import growth
from tuoyu.children.catalogue import ChildrenAction
from tuoyu.children.models import Child, Examination, HealthCheck, HealthCheckBatch
from tuoyu.children.services.health_checks import healthcheck_partitions_ensure
from tuoyu.children.services.outbreak import outbreak_evaluate
from tuoyu.core.identifiers import make_id_number
from tuoyu.core.names import GIVEN_CHARS, person_name
from tuoyu.institutions.models import CareClass, Institution

# WHO 2006 medians (boys; girls ≈ 0.4 kg and 1 cm less) by month: (months, cm, kg), for
# plausible measurements; the z-scores themselves come from `growth`.
MEDIANS = [
    (0, 49.9, 3.3),
    (3, 61.4, 6.4),
    (6, 67.6, 7.9),
    (9, 72.0, 8.9),
    (12, 75.7, 9.6),
    (18, 82.3, 10.9),
    (24, 87.8, 12.2),
    (30, 91.9, 13.3),
    (36, 96.1, 14.3),
]
# Illness by month, as the district's paediatric seasons run (Zhejiang): respiratory
# infections (fever, cough) peak in winter, hand-foot-mouth disease from April to July,
# viral gastroenteritis (vomiting, diarrhoea) in late autumn and winter. Per month: the
# share of checks with an illness, and the symptoms it shows, by weight (hand-foot-mouth
# disease is rare in any one class: two cases in a class within a week raise an alert). Demo data, not
# an epidemiological model: it makes the year's pages and the EARS baselines look real.
SEASONS = {
    1: (0.055, {"fever": 4, "cough": 5, "vomiting": 1, "diarrhea": 1}),
    2: (0.05, {"fever": 4, "cough": 5, "vomiting": 1, "diarrhea": 1}),
    3: (0.04, {"fever": 3, "cough": 4, "rash": 1, "conjunctivitis": 1}),
    4: (0.035, {"fever": 2, "cough": 2, "hand_foot_mouth_signs": 0.05, "rash": 1}),
    5: (0.035, {"fever": 2, "cough": 1, "hand_foot_mouth_signs": 0.1, "rash": 1}),
    6: (0.035, {"fever": 2, "cough": 1, "hand_foot_mouth_signs": 0.1, "diarrhea": 1}),
    7: (0.03, {"fever": 2, "cough": 1, "hand_foot_mouth_signs": 0.05, "diarrhea": 1}),
    8: (0.025, {"fever": 2, "cough": 1, "diarrhea": 1, "conjunctivitis": 1}),
    9: (0.035, {"fever": 3, "cough": 3, "diarrhea": 1}),
    10: (0.035, {"fever": 3, "cough": 3, "vomiting": 1, "diarrhea": 2}),
    11: (0.045, {"fever": 3, "cough": 4, "vomiting": 2, "diarrhea": 2}),
    12: (0.055, {"fever": 4, "cough": 5, "vomiting": 2, "diarrhea": 2}),
}
LARGE_SCALE_CHECK_DAYS = 1  # the last school day, at the scales outside FULL_SCALES
FULL_SCALES = ("district", "test")
PHONE_PREFIXES = ("133", "135", "137", "138", "139", "150", "152", "158", "159", "180", "187")


def _median(months: float, gender: str) -> tuple[float, float]:
    for (m0, h0, w0), (m1, h1, w1) in itertools.pairwise(MEDIANS):
        if months <= m1:
            f = (months - m0) / (m1 - m0)
            h, w = h0 + f * (h1 - h0), w0 + f * (w1 - w0)
            break
    else:
        h, w = MEDIANS[-1][1], MEDIANS[-1][2]
    return (h, w) if gender == "male" else (h - 1.0, w - 0.4)


def _months_before(day: dt.date, months: float) -> dt.date:
    return day - dt.timedelta(days=round(months * 30.4375))


def _children(ctx, classes, seen_ids: set):
    rng, today = ctx.rng, ctx.today
    standards = policy.at(today).classes
    vac_days = policy.at(today).health.vaccination_check_within_days or 30
    for c in ctx.progress(classes, total=len(classes), desc="在托儿童"):
        std = standards[c["class_type"]]
        for _ in range(round(c["capacity"] * rng.uniform(0.6, 0.95))):
            gender = rng.choice(("male", "female"))
            # at least half a month above the type's minimum, so that the child was of
            # age on an enrolment day at least a week ago (P-STD-1)
            age = rng.uniform(std.min_age_months + 0.5, std.max_age_months - 0.2)
            birth = _months_before(today, age)
            earliest = max(
                _months_before(birth, -std.min_age_months), today - dt.timedelta(days=540)
            )
            span = max((today - dt.timedelta(days=7) - earliest).days, 1)
            enrolled = earliest + dt.timedelta(days=rng.randrange(span))
            name = person_name(rng)
            id_number = ""
            if rng.random() < 0.9:  # infants often have only a birth-certificate number
                region = c["region"]
                while True:
                    seq = rng.randrange(500) * 2 + (1 if gender == "male" else 0)
                    id_number = make_id_number(region, birth, seq)
                    if id_number not in seen_ids:
                        seen_ids.add(id_number)
                        break
            checked = enrolled + dt.timedelta(days=rng.randint(3, vac_days))
            yield Child(
                institution_id=c["institution_id"],
                care_class_id=c["id"],
                name=name,
                gender=gender,
                birth_date=birth,
                id_number=id_number,
                guardian_name=name[0] + rng.choice(GIVEN_CHARS) + rng.choice(GIVEN_CHARS),
                guardian_phone=rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}",
                enrolled_on=enrolled,
                vaccination_due_on=enrolled + dt.timedelta(days=vac_days),
                vaccination_checked_on=checked if checked < today else None,
            )


def _exams(ctx, children, with_growth: bool):
    """Entry examination before enrolment, then the 4-2-2 schedule up to today."""
    rng, today = ctx.rng, ctx.today
    for ch in ctx.progress(children, total=len(children), desc="儿童体检"):
        day = ch["enrolled_on"] - dt.timedelta(days=rng.randint(3, 20))
        kind = Examination.Kind.ENTRY
        offset = rng.gauss(0, 0.9)  # the child's own growth channel, in SD-ish units
        while day <= today:
            months = (day - ch["birth_date"]).days / 30.4375
            fields = {}
            if with_growth:
                h, w = _median(months, ch["gender"])
                height = round(h * (1 + 0.035 * offset) + rng.gauss(0, 0.4), 1)
                weight = round(w * (1 + 0.11 * offset) + rng.gauss(0, 0.15), 2)
                r = growth.judge(
                    gender=ch["gender"],
                    birth_date=ch["birth_date"],
                    measured_on=day,
                    weight_kg=weight,
                    height_cm=height,
                )
                fields = {
                    "weight_kg": weight,
                    "height_cm": height,
                    "waz": _r(r.waz),
                    "haz": _r(r.haz),
                    "whz": _r(r.whz),
                    "growth_flags": ",".join(r.flags),
                    "growth_reference": r.reference,
                }
            yield Examination(
                institution_id=ch["institution_id"],
                child_id=ch["id"],
                kind=kind,
                examined_on=day,
                examined_by="金东区妇幼保健院",
                result="未见异常",
                **fields,
            )
            kind = Examination.Kind.PERIODIC
            day += dt.timedelta(days=91 if months < 12 else 182)


def _r(z):
    return None if z is None else round(z, 2)


def _school_days(today: dt.date, weeks: int) -> list[dt.date]:
    days, d = [], today
    while len(days) < weeks * 5:
        if d.weekday() < 5:
            days.append(d)
        d -= dt.timedelta(days=1)
    return sorted(days)


def _plant(children_by_class: dict, days: list[dt.date]) -> dict:
    """(child_id, day) → symptoms for the planted clusters: in the first class, 4 children
    with fever on one day 3 school days ago; in the second class, hand-foot-mouth signs in
    2 children within a week; with six weeks of history or more, 3 children of the third
    class with gastroenteritis on one day."""
    planted = {}
    class_ids = sorted(children_by_class)
    if class_ids and len(children_by_class[class_ids[0]]) >= 4 and len(days) >= 4:
        for child in children_by_class[class_ids[0]][:4]:
            planted[(child["id"], days[-4])] = ["fever"]
    if len(class_ids) > 1 and len(children_by_class[class_ids[1]]) >= 2 and len(days) >= 5:
        a, b = children_by_class[class_ids[1]][:2]
        planted[(a["id"], days[-5])] = ["hand_foot_mouth_signs", "fever"]
        planted[(b["id"], days[-2])] = ["hand_foot_mouth_signs"]
    # With a longer history (the demo's year): a gastroenteritis cluster six school weeks
    # back — 3 children of the third class vomiting on one day.
    if len(class_ids) > 2 and len(children_by_class[class_ids[2]]) >= 3 and len(days) >= 30:
        for child in children_by_class[class_ids[2]][:3]:
            planted[(child["id"], days[-30])] = ["vomiting", "diarrhea"]
    return planted


def _check_row(rng, ch, day, session, planted_symptoms, batch_id):
    attendance, symptoms, action, temp = "present", [], "none", None
    if planted_symptoms:
        attendance = "absent_sick" if session == "morning" else "present"
        symptoms, temp = planted_symptoms, 38.4
        action = "sent_home"
    else:
        sick, weights = SEASONS[day.month]
        roll = rng.random()
        if roll < sick:
            attendance = "absent_sick"
            symptoms = rng.choices(list(weights), weights=list(weights.values()))
        elif roll < sick + 0.04:
            attendance = "absent_other"
        elif roll < sick + 0.05:
            symptoms, action = ["cough"], "observe"
        if attendance == "present":
            temp = round(rng.uniform(36.2, 37.2), 1)
    return HealthCheck(
        institution_id=ch["institution_id"],
        record_id=f"seed-{ch['id']}-{day:%Y%m%d}-{session}",
        child_id=ch["id"],
        care_class_id=ch["care_class_id"],
        date=day,
        session=session,
        attendance=attendance,
        temperature_c=temp,
        symptoms=f",{','.join(sorted(set(symptoms)))}," if symptoms else "",
        action=action,
        batch_id=batch_id,
    )


def _checks(ctx, children, days, *, plant: bool = True):
    rng = ctx.rng
    by_institution = defaultdict(list)
    for ch in children:
        by_institution[ch["institution_id"]].append(ch)
    made = HealthCheckBatch.objects.bulk_create(
        [HealthCheckBatch(institution_id=inst_id) for inst_id in sorted(by_institution)]
    )
    batches = {b.institution_id: b.pk for b in made}
    first = sorted(by_institution)[0] if by_institution else None
    by_class = defaultdict(list)
    for ch in by_institution.get(first, []):
        by_class[ch["care_class_id"]].append(ch)
    planted = _plant(by_class, days) if plant else {}

    def rows():
        for day in days:
            for ch in children:
                if ch["enrolled_on"] > day:
                    continue
                for session in ("morning", "noon"):
                    p = planted.get((ch["id"], day))
                    yield _check_row(rng, ch, day, session, p, batches[ch["institution_id"]])

    # PostgreSQL: the months' partitions first, so the rows land in their months at once
    # rather than in the DEFAULT partition ([children] #12; nothing on SQLite).
    healthcheck_partitions_ensure(months=days)
    return ctx.stream(HealthCheck, rows())


def _evaluate_alerts(ctx) -> int:
    """P-HC-6 on every symptomatic check seeded (the same rules as after an API write)."""
    raised = 0
    rows_by_inst = defaultdict(list)
    for row in (
        HealthCheck.objects.exclude(symptoms="")
        .order_by("institution_id", "date", "pk")
        .values("institution_id", "care_class_id", "date", "symptoms")
    ):
        rows_by_inst[row["institution_id"]].append(row)
    for inst_id, rows in sorted(rows_by_inst.items()):
        institution = Institution.objects.get(pk=inst_id)
        raised += len(outbreak_evaluate(acting_user=None, institution=institution, rows=rows))
    return raised


def generate(ctx) -> None:
    if Child.objects.exists():
        ctx.log("已有儿童数据，跳过儿童生成。")
        return
    classes = list(
        CareClass.objects.filter(status=CareClass.Status.FILED, institution__filing_status="filed")
        .order_by("id")
        .values("id", "institution_id", "class_type", "capacity", "institution__township__code")
    )
    for c in classes:
        c["region"] = c.pop("institution__township__code")[:6]
    written = ctx.stream(Child, _children(ctx, classes, set()))
    children = list(
        Child.objects.order_by("id").values(
            "id", "institution_id", "care_class_id", "birth_date", "gender", "enrolled_on"
        )
    )
    full = ctx.scale.name in FULL_SCALES
    exams = ctx.stream(Examination, _exams(ctx, children, with_growth=full))
    checks = alerts = 0
    if full and children:
        checks = _checks(ctx, children, _school_days(ctx.today, ctx.history_weeks))
        alerts = _evaluate_alerts(ctx)
    elif children:
        days = _school_days(ctx.today, 1)[-LARGE_SCALE_CHECK_DAYS:]
        checks = _checks(ctx, children, days, plant=False)
    audit_record(
        action=ChildrenAction.CHILDREN_SEEDED,
        object_type="children.child",
        detail={
            "children": written,
            "examinations": exams,
            "health_checks": checks,
            "alerts": alerts,
            "seed": ctx.seed,
        },
    )
    ctx.log(f"在托儿童 {written} 名，体检 {exams} 次，晨午检 {checks} 条，预警 {alerts} 条。")
