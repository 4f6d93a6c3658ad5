"""Demo and scale data of workforce (`tuoyu seed`): rosters with realistic Chinese names and
valid checksummed resident ID numbers from the institutions' own region codes, certificates
(some near expiry), trainings, lifetime bans and, in the district demo, one health worker
listed at two institutions and one banned person whom an institution tried to hire.

Volume: every filed institution gets the caregivers its filed classes need (P-STD-1), a
head, a health worker, a cook and a guard; at province scale the rosters are topped up to
STAFF_TARGET staff and BANS bans, all streamed (`ctx.stream`), never held in memory whole.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

from tuoyu import policy
from tuoyu.audit.services import audit_record
from tuoyu.core.identifiers import make_id_number
from tuoyu.core.names import person_name
from tuoyu.core.personal import mask
from tuoyu.institutions.models import CareClass, Institution
from tuoyu.workforce.catalogue import WorkforceAction
from tuoyu.workforce.models import Ban, BanAttempt, Certificate, Person, StaffMember, Training

STAFF_TARGET = {"province": 100_000}
BANS = {"district": 3, "test": 10, "city": 100, "province": 1_000}
PROVIDERS = ("区妇计中心（托育指导中心）", "金华职业技术学院", "金东区职业技能培训中心")


def has_data() -> bool:
    return Person.objects.exists()


class _People:
    """Distinct valid ID numbers drawn from `rng` (region code of the institution)."""

    def __init__(self, rng, today: dt.date):
        self.rng = rng
        self.today = today
        self.seen: set[str] = set()

    def id_number(self, region: str) -> str:
        while True:
            born = dt.date(1968, 1, 1) + dt.timedelta(days=self.rng.randrange(365 * 34))
            value = make_id_number(region, born, self.rng.randrange(1000))
            if value not in self.seen:
                self.seen.add(value)
                return value


def _roles_for(classes, rules, extra: int):
    roles = []
    for c in classes:
        need = rules.classes[c.class_type].min_caregivers(c.capacity)
        roles += [("caregiver", c.pk)] * need
    roles += [("principal", None), ("health_worker", None), ("cook", None), ("security", None)]
    roles += [("other", None)] * extra
    return roles


def _plan(ctx, institutions, classes_of, rules):
    """(institution, role, class id, person id number, name) for every employment."""
    people = _People(ctx.rng, ctx.today)
    target = STAFF_TARGET.get(ctx.scale.name)
    base = sum(len(_roles_for(classes_of[i.pk], rules, 0)) for i in institutions)
    extra = math.ceil(max(0, (target or 0) - base) / max(len(institutions), 1))
    made = 0
    for inst in institutions:
        region = inst.township.code[:6]
        for role, class_id in _roles_for(classes_of[inst.pk], rules, extra):
            if target and made >= target:
                return
            made += 1
            yield inst, role, class_id, people.id_number(region), person_name(ctx.rng)


def _rows(ctx, plan, rules):
    rng = ctx.rng
    today = ctx.today
    for inst, role, class_id, id_number, name in plan:
        person = Person(
            name=name,
            id_number=id_number,
            id_number_masked=mask("id_number", id_number),
            birth_date=dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14])),
        )
        staff = StaffMember(
            institution_id=inst.pk,
            name=name,
            role=role,
            care_class_id=class_id,
            hired_on=max(
                inst.registered_at.date(), today - dt.timedelta(days=rng.randrange(30, 1500))
            ),
            full_time=rng.random() < 0.9,
            education=rng.choice(("senior_middle", "junior_college", "junior_college", "bachelor")),
            experience_years=rng.randrange(0, 15),
            head_training=role == "principal" and rng.random() < 0.85,
        )
        yield person, staff


def _certificates(ctx, staff_rows):
    rng = ctx.rng
    today = ctx.today
    for staff in staff_rows:
        # P-HC-5: a yearly health certificate; about one in twelve is near expiry or expired.
        start = today - dt.timedelta(days=rng.randrange(0, 380))
        yield Certificate(
            institution_id=staff.institution_id,
            staff_id=staff.pk,
            kind="health_certificate",
            number=f"JK{staff.pk:08d}",
            issuer="金东区疾病预防控制中心",
            valid_from=start,
            valid_until=start + dt.timedelta(days=365),
        )
        kind = {
            "caregiver": "childcare_worker" if rng.random() < 0.8 else None,
            "health_worker": "health_worker_training" if rng.random() < 0.9 else "nurse",
            "security": "security_guard",
            "principal": "kindergarten_teacher" if rng.random() < 0.5 else None,
        }.get(staff.role)
        if kind:
            yield Certificate(
                institution_id=staff.institution_id,
                staff_id=staff.pk,
                kind=kind,
                number=f"ZS{staff.pk:08d}",
                issuer="金华市人力资源和社会保障局",
                valid_from=staff.hired_on - dt.timedelta(days=rng.randrange(0, 900)),
            )


def _trainings(ctx, staff_rows):
    rng = ctx.rng
    for staff in staff_rows:
        if staff.role not in ("caregiver", "health_worker", "principal") or rng.random() < 0.4:
            continue
        appraisal = rng.random() < 0.3
        yield Training(
            institution_id=staff.institution_id,
            staff_id=staff.pk,
            kind="appraisal" if appraisal else rng.choice(("pre_job", "in_service")),
            title="保育师职业技能等级认定" if appraisal else "婴幼儿照护服务培训",
            provider=rng.choice(PROVIDERS),
            hours=0 if appraisal else rng.choice((8, 16, 24, 40)),
            completed_on=ctx.today - dt.timedelta(days=rng.randrange(0, 700)),
            appraisal_level=rng.choice(("五级", "四级", "三级")) if appraisal else "",
        )


def _stream_roster(ctx, institutions, classes_of, rules) -> int:
    """Persons and employments a chunk at a time (flat memory): the persons of a chunk are
    written, their ids read back by blind index, then the chunk's employments."""
    from itertools import islice

    from tuoyu.core.seeding import CHUNK

    rows = _rows(ctx, _plan(ctx, institutions, classes_of, rules), rules)
    written = 0
    while chunk := list(islice(rows, CHUNK)):
        ctx.stream(Person, (p for p, _ in chunk))
        person_of = dict(
            Person.objects.filter(
                id_number_index__in=[p.id_number_index for p, _ in chunk]
            ).values_list("id_number_index", "pk")
        )
        for p, s in chunk:
            s.person_id = person_of[p.id_number_index]
        written += ctx.stream(StaffMember, (s for _, s in chunk))
    staff = StaffMember.objects.order_by("pk").only("pk", "institution_id", "role", "hired_on")
    ctx.stream(Certificate, _certificates(ctx, staff.iterator(chunk_size=CHUNK)))
    ctx.stream(Training, _trainings(ctx, staff.iterator(chunk_size=CHUNK)))
    return written


def _bans(ctx, people: _People, officer):
    for n in range(BANS.get(ctx.scale.name, 0)):
        id_number = people.id_number("330703")
        yield Ban(
            name=person_name(ctx.rng),
            id_number=id_number,
            id_number_masked=mask("id_number", id_number),
            reason="虐待婴幼儿，经公安机关查实",
            decided_on=ctx.today - dt.timedelta(days=30 + n),
            decision_ref=f"金东卫禁〔{ctx.today.year - 1}〕{n + 1}号",
            case_ref=f"金东公（刑）案字〔{ctx.today.year - 1}〕{n + 1}号",
            status=Ban.Status.IN_FORCE,
            approved_by=officer,
            approved_at=None,
        )


def _demo_specials(ctx, institutions, officer) -> None:
    """District demo: one health worker at two institutions; one banned person tried."""
    if len(institutions) < 3:
        return
    first, second, third = institutions[:3]
    hw = StaffMember.objects.filter(institution_id=first.pk, role="health_worker").first()
    if hw is not None:
        StaffMember.objects.create(
            institution_id=second.pk,
            person_id=hw.person_id,
            name=hw.name,
            role="health_worker",
            hired_on=ctx.today - dt.timedelta(days=60),
            full_time=False,
        )
    ban = Ban.objects.order_by("pk").first()
    if ban is not None:
        from tuoyu.accounts.models import User

        user = User.objects.filter(institution_id=third.pk).first()
        BanAttempt.objects.create(
            ban=ban, institution_id=third.pk, attempted_by=user, channel="form", name=ban.name
        )


def generate(ctx) -> None:
    if has_data():
        ctx.log("已有从业人员数据，跳过。")
        return
    from tuoyu.accounts.models import User

    rules = policy.at(ctx.today)
    institutions = list(
        Institution.objects.filter(registration_status="registered")
        .filter(
            filing_status__in=("filed", "in_review")
            if ctx.scale.name != "province"
            else ("filed", "in_review", "not_filed")
        )
        .select_related("township")
        .order_by("pk")
    )
    classes_of = defaultdict(list)
    for c in CareClass.objects.filter(status=CareClass.Status.FILED).order_by("pk"):
        classes_of[c.institution_id].append(c)
    written = _stream_roster(ctx, institutions, classes_of, rules)
    officer = User.objects.filter(username="weijian").first()
    people = _People(ctx.rng_for("workforce:bans"), ctx.today)
    bans = ctx.stream(Ban, _bans(ctx, people, officer))
    if ctx.scale.name == "district":
        _demo_specials(ctx, institutions, officer)
    audit_record(
        action=WorkforceAction.STAFF_IMPORTED,
        object_type="workforce.staffmember",
        detail={"staff": written, "bans": bans, "seed": ctx.seed},
    )
