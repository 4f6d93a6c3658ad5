"""Demo filings: the generated institutions in every state of the filing workflow (P-REG-12,
P-REG-13, P-FIL-1..3), with classes and slots realistic for §9.1.

`generate(ctx)` runs after institutions' generator (the institutions and their accounts
exist); institutions' `generate_after_all` then designates, chains and deregisters. Deterministic: every choice comes from `ctx.rng`,
every time is counted from `ctx.today`.

States, in EVERY district of the seeded region ([scale] point 1): in each district the
newest registrations take the states still in progress (at most `Scale.per_state_per_district`
each), the older ones are filed. The services accept only the platform's own district, so
another district's institutions go through them inside `core.seeding.jurisdiction(code)` —
as that district's platform would have written them:
- not filed (some overdue against the policy deadline), draft, in review (some subjects
  approved), returned (reasons shown), awaiting 区卫健局's decision: through the services,
  exactly as people would have done it (audited, consistent);
- filed (most): through the services too for small seeds; above `BULK_THRESHOLD` filed
  institutions (city and province scale) the filed state is written set-based — classes,
  approved applications and their four approved reviews with bulk inserts, filing numbers
  assigned in decision order per year, one summary audit event;
- filed with a change pending, filed with an approved change (changed), and cancelled on
  request: through the services.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from tuoyu import policy
from tuoyu.accounts.models import User
from tuoyu.audit.services import audit_record
from tuoyu.core.bulk import bulk_insert
from tuoyu.core.scope import KINDERGARTEN_AUTHORITY
from tuoyu.core.seeding import jurisdiction
from tuoyu.filings import checks, deadlines, services
from tuoyu.filings.catalogue import FilingsAction
from tuoyu.filings.models import (
    FilingApplication,
    FilingNumberSequence,
    Subject,
    SubjectReview,
)
from tuoyu.institutions.models import CareClass, Institution
from tuoyu.institutions.services.filing_state import institutions_filed_in_bulk
from tuoyu.regions import workdays
from tuoyu.regions.models import Region

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
BULK_THRESHOLD = 100
BULK_CHUNK = 1_000  # filed institutions written per chunk (flat memory at province scale)
# How many institutions at most go through each in-progress state (keeps big seeds fast).
MAX_PER_STATE = 15
SEED_PDF = b"%PDF-1.4\n% tuoyu demo scan\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

RETURN_REASONS = {
    Subject.FIRE: [
        "疏散通道宽度不足，请整改后重新提交",
        "灭火器配置不符合要求",
        "缺少消防设施检测报告",
    ],
    Subject.SECURITY: [
        "视频监控未覆盖全部婴幼儿活动区域",
        "未配备专职保安员",
        "周界防护设施不完善",
    ],
    Subject.FOOD: ["食品经营许可证已过期", "厨房布局不符合生熟分开要求", "缺少食品留样设备"],
    Subject.HEALTH_CARE: [
        "保健观察室面积不足 6 平方米",
        "卫生评价报告未注明合格",
        "保健人员未经妇幼保健机构培训",
    ],
}
OPENING_HOURS = ("周一至周五 7:30-17:30", "周一至周五 7:00-18:00", "周一至周六 7:30-17:00")


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI)


class _Plan:
    """The facts one institution files, drawn from the rng once."""

    def __init__(self, rng, institution: Institution, villages: list[str], today: dt.date):
        self.institution = institution
        std = policy.at(today)
        mode = self._mode(rng, institution)
        if mode == "kindergarten_class":
            types = ["toddler_large"] * rng.randint(1, 2)
        elif mode == "family_care":
            types = ["mixed"]
        else:
            types = [
                rng.choice(["infant", "toddler_small", "toddler_small", "toddler_large", "mixed"])
                for _ in range(rng.randint(2, 5))
            ]
        counters: dict[str, int] = {}
        self.classes = []
        for class_type in types:
            counters[class_type] = counters.get(class_type, 0) + 1
            standard = std.classes[class_type]
            if mode == "family_care":
                # P-STD-5: before the national measures (November 2023) no limit applied;
                # the demo keeps home care points at today's size either way.
                capacity = std.standards.home_care_point_max_children or 5
            else:
                capacity = rng.randint(
                    max(1, standard.max_children * 6 // 10), standard.max_children
                )
            name = f"{standard.name_zh[:-1]}{'一二三四五六'[counters[class_type] - 1]}班"
            self.classes.append((name, class_type, capacity))
        slots = sum(c[2] for c in self.classes)
        per_child = std.standards.area_per_child_m2
        # Most meet the area standard (P-STD-3); about one in eight falls short (a warning).
        factor = Decimal(rng.choice(["0.8", "1.2", "1.5", "1.8", "2.0", "2.4", "1.3", "1.6"]))
        self.meals = rng.random() < 0.8
        # Ratios are minimums (P-STD-1): a short-staffed application is refused, so the demo's
        # applications meet them; a home care point also keeps ≤ N children per caregiver
        # (P-STD-5) once that limit is in force.
        caregivers = sum(std.classes[t].min_caregivers(c) for _n, t, c in self.classes)
        per_caregiver = std.standards.home_care_point_children_per_caregiver
        if mode == "family_care" and per_caregiver:
            caregivers = max(caregivers, -(-slots // per_caregiver))
        self.staff = {
            "principal": {"count": 1, "certified": 1},
            "caregiver": {"count": caregivers, "certified": max(0, caregivers - rng.randint(0, 2))},
            "health_worker": {"count": 1, "certified": 1},
            "cook": {"count": 1 if self.meals else 0, "certified": 1 if self.meals else 0},
            "security": {"count": 1, "certified": 1},
            "other": {"count": rng.randint(0, 2), "certified": 0},
        }
        # P-STD-2 / P-STD-3 facts, within the standards (the pages show what they say).
        living_area = (per_child * slots * factor * Decimal("0.7")).quantize(Decimal("1"))
        leased = rng.random() < 0.8
        self.standards = {
            "head_education": rng.choice(["bachelor", "bachelor", "college", "postgraduate"]),
            "head_experience_years": rng.randint(3, 18),
            "head_post_training": True,
            "health_workers_full_time": 1,
            "health_worker_mch_trained": True,
            "security_guard_licensed": True,
            "premises_tenure": "leased" if leased else "owned",
            "lease_years": rng.randint(3, 10) if leased else None,
            "living_floor_lowest": 1,
            "living_floor_highest": rng.randint(1, 3),
            "living_underground": False,
            "window_area_m2": str(
                (living_area * Decimal(rng.choice(["0.20", "0.22", "0.25", "0.30"]))).quantize(
                    Decimal("0.01")
                )
            ),
            "living_room_area_m2": str(living_area.quantize(Decimal("0.01"))),
            "observation_room_m2": str(Decimal(rng.randint(6, 12))),
            "observation_bed": True,
        }
        lat = Decimal("29.0830") + Decimal(rng.randint(-900, 900)) / 10000
        lng = Decimal("119.7000") + Decimal(rng.randint(-1200, 1200)) / 10000
        self.basic = {
            "operating_mode": mode,
            "institution_form": rng.choice(["embedded", "embedded", "distributed", "specialised"])
            if mode != "family_care"
            else "service_point",
            "legal_representative": institution.legal_representative or "负责人",
            "address": institution.address or f"{institution.township.name}",
            "township": institution.township.code,
            "community": rng.choice(villages) if villages else None,
            "latitude": str(lat),
            "longitude": str(lng),
            "indoor_area_m2": str((per_child * slots * factor).quantize(Decimal("1"))),
            "outdoor_area_m2": str(Decimal(rng.randint(0, 3) * 20 + slots)),
            "opening_hours": rng.choice(OPENING_HOURS),
            "monthly_fee_yuan": rng.randrange(
                1200 if mode == "kindergarten_class" else 1800, 4600, 100
            ),
            "serves_meals": self.meals,
        }

    @staticmethod
    def _mode(rng, institution) -> str:
        if institution.legal_form == Institution.LegalForm.KINDERGARTEN:
            return "kindergarten_class"
        if institution.legal_form == Institution.LegalForm.PUBLIC_INSTITUTION:
            return rng.choice(["public_private", "community"])
        if institution.legal_form == Institution.LegalForm.SOCIAL_ORGANIZATION:
            return rng.choice(["community", "social", "private_public_support"])
        return rng.choice(["social", "social", "social", "employer", "family_care"])


def _bulk_filed_classes(
    institution: Institution, plan: _Plan, *, on: dt.date, created_at: dt.datetime
) -> list[CareClass]:
    """The planned classes of a bulk-filed institution, filed on `on` (unsaved)."""
    return [
        CareClass(
            institution=institution,
            name=name,
            class_type=class_type,
            capacity=capacity,
            status=CareClass.Status.FILED,
            filed_on=on,
            created_at=created_at,
        )
        for name, class_type, capacity in plan.classes
    ]


def _reviewers() -> dict[str, User]:
    """One reviewer account per subject and the deciding 区卫健局 account (accounts seeding)."""
    out: dict[str, User] = {}
    users = (
        User.objects.filter(scope_kind=User.ScopeKind.DEPARTMENT, is_active=True)
        .select_related("department")
        .order_by("username")
    )
    for user in users:
        for subject in user.department.review_subjects or []:
            # prefer the district-level units named in the brief (fire: 区消防救援大队)
            out.setdefault(subject, user)
        if user.department.code == "health":
            out.setdefault("decide", user)
        if user.department.registration_authority == KINDERGARTEN_AUTHORITY:
            # P-REG-10: 区教体局 decides the 托幼一体化 institutions it registered
            out.setdefault("decide_kindergarten", user)
    return out


class _Seeder:
    def __init__(self, ctx, institutions):
        self.ctx = ctx
        self.rng = ctx.rng
        self.today = ctx.today
        self.calendar = None  # the working-day calendar, loaded once for the bulk path
        self.institutions = sorted(
            (
                i
                for i in institutions
                if i.registration_status == Institution.RegistrationStatus.REGISTERED
            ),
            key=lambda i: (i.registered_at, i.pk),
        )
        self.reviewers = _reviewers()
        self.accounts = dict(
            User.objects.filter(institution__in=[i.pk for i in self.institutions]).values_list(
                "institution_id", "pk"
            )
        )
        self.users = {u.pk: u for u in User.objects.filter(pk__in=self.accounts.values())}
        township_ids = {i.township_id for i in self.institutions}
        self.villages: dict[int, list[str]] = {}
        for parent_id, code in (
            Region.objects.filter(parent_id__in=township_ids, level=Region.Level.VILLAGE)
            .values_list("parent_id", "code")
            .order_by("code")
        ):
            self.villages.setdefault(parent_id, []).append(code)
        self.counts: dict[str, int] = {}

    # --- helpers --------------------------------------------------------------------------

    def user_of(self, institution) -> User | None:
        pk = self.accounts.get(institution.pk)
        return self.users.get(pk) if pk else None

    def plan(self, institution) -> _Plan:
        return _Plan(
            self.rng, institution, self.villages.get(institution.township_id, []), self.today
        )

    def start_filled(self, institution, plan: _Plan, started: dt.datetime) -> FilingApplication:
        user = self.user_of(institution)
        app = services.filing_start(acting_user=user, institution=institution, kind="initial")
        FilingApplication.objects.filter(pk=app.pk).update(created_at=started)
        services.filing_update_basic(acting_user=user, application=app, data=plan.basic)
        services.filing_update_staff(acting_user=user, application=app, staff=plan.staff)
        services.filing_update_standards(
            acting_user=user, application=app, standards=plan.standards
        )
        for name, class_type, capacity in plan.classes:
            services.filing_class_add(
                acting_user=user,
                application=app,
                name=name,
                class_type=class_type,
                capacity=capacity,
            )
        kinds = list(checks.INITIAL_MATERIALS) + (["food_licence"] if plan.meals else [])
        for kind in kinds:
            services.filing_material_upload(
                acting_user=user, application=app, kind=kind, file=_scan(f"{kind}.pdf")
            )
        app.refresh_from_db()
        return app

    def submit(self, app, at) -> FilingApplication:
        user = self.user_of(app.institution)
        services.filing_submit(acting_user=user, application=app, commitment_accepted=True, at=at)
        app.refresh_from_db()
        return app

    def review(self, app, subject, at, *, approve=True):
        review = SubjectReview.objects.get(application=app, subject=subject, status="pending")
        reasons = (
            [] if approve else self.rng.sample(RETURN_REASONS[subject], k=self.rng.randint(1, 2))
        )
        services.subject_review_decide(
            acting_user=self.reviewers[subject],
            review=review,
            approve=approve,
            reasons=reasons,
            at=at,
        )

    def decider(self, institution) -> User | None:
        """Who decides the institution's filings (P-REG-10): 区教体局 for 托幼一体化 (the
        institutions it registered), 区卫健局 for every other."""
        if institution.registration_authority == KINDERGARTEN_AUTHORITY:
            return self.reviewers.get("decide_kindergarten")
        return self.reviewers.get("decide")

    def clock(self, start: dt.datetime, days_min: int, days_max: int) -> dt.datetime:
        moment = start + dt.timedelta(
            days=self.rng.randint(days_min, days_max), hours=self.rng.randint(0, 6)
        )
        limit = _at(self.today, 17)
        return min(moment, limit)

    def bump(self, state):
        self.counts[state] = self.counts.get(state, 0) + 1

    # --- states ---------------------------------------------------------------------------

    def through_review(self, institution, plan, *, returned_once=False):
        """Submit and get every subject approved (fire returning once first if asked);
        returns (application, time all subjects passed)."""
        t0 = self.clock(institution.registered_at, 3, 25)
        app = self.start_filled(institution, plan, t0)
        t = self.clock(t0, 1, 6)
        app = self.submit(app, t)
        if app.status == FilingApplication.Status.APPROVED:  # chain branch (P-REG-13)
            return app, t
        last = t
        if returned_once:
            back = self.clock(t, 2, 8)
            self.review(app, Subject.FIRE, back, approve=False)
            t = self.clock(back, 2, 10)
            self.submit(app, t)
            last = t
        for subject in checks.ALL_SUBJECTS:
            done = self.clock(t, 1, 12)
            self.review(app, subject, done)
            last = max(last, done)
        app.refresh_from_db()
        return app, last

    def filed_by_services(self, institution, plan):
        app, passed = self.through_review(institution, plan, returned_once=self.rng.random() < 0.25)
        if app.status == FilingApplication.Status.APPROVED:
            self.bump("chain_simplified")
            return app
        decided = self.clock(passed, 1, 5)
        services.filing_decide(
            acting_user=self.decider(institution), application=app, approve=True, at=decided
        )
        self.bump("filed")
        return app

    def in_progress(self, institution, plan, state):
        user = self.user_of(institution)
        # Recent: the work in progress started 3–40 days ago.
        recent = _at(self.today, 9) - dt.timedelta(days=self.rng.randint(10, 40))
        started = max(recent, institution.registered_at + dt.timedelta(days=1))
        if state == "draft":
            app = services.filing_start(acting_user=user, institution=institution, kind="initial")
            FilingApplication.objects.filter(pk=app.pk).update(created_at=started)
            services.filing_update_basic(acting_user=user, application=app, data=plan.basic)
            for name, class_type, capacity in plan.classes[
                : self.rng.randint(0, len(plan.classes))
            ]:
                services.filing_class_add(
                    acting_user=user,
                    application=app,
                    name=name,
                    class_type=class_type,
                    capacity=capacity,
                )
            return
        app = self.start_filled(institution, plan, started)
        submitted = self.clock(started, 1, 4)
        app = self.submit(app, submitted)
        if app.status == FilingApplication.Status.APPROVED:
            self.bump("chain_simplified")
            return
        subjects = list(checks.ALL_SUBJECTS)
        self.rng.shuffle(subjects)
        if state == "in_review":
            for subject in subjects[: self.rng.randint(1, 2)]:
                self.review(app, subject, self.clock(submitted, 1, 5))
        elif state == "returned":
            self.review(app, subjects[0], self.clock(submitted, 1, 5), approve=False)
            self.review(app, subjects[1], self.clock(submitted, 1, 5))
        elif state in ("awaiting_decision", "rejected"):
            for subject in subjects:
                self.review(app, subject, self.clock(submitted, 1, 6))
        if state == "rejected":
            # Not accepted (P-FIL-2): told within 15 working days, with a published category.
            app.refresh_from_db()
            services.filing_decide(
                acting_user=self.decider(institution),
                application=app,
                approve=False,
                note="婴幼儿生活用房与消防设施不符合设置标准，整改后可重新申请备案。",
                rejection_category="premises",
                at=self.clock(submitted, 7, 9),
            )

    def change_pending(self, institution):
        if not institution.community_id:
            return
        user = self.user_of(institution)
        app = services.filing_start(acting_user=user, institution=institution, kind="change")
        basic = dict(app.facts["basic"])
        mode = basic.get("operating_mode")
        # A new class (reviewed by fire and health care) or a new fee (decided directly).
        # A nursery class takes 2–3 year olds only (P-MODE-3); a home care point is full.
        class_type = "toddler_large" if mode == "kindergarten_class" else "toddler_small"
        if mode == "family_care" or self.rng.random() < 0.5:
            basic["monthly_fee_yuan"] = int(basic.get("monthly_fee_yuan") or 2000) + 200
            services.filing_update_basic(acting_user=user, application=app, data=basic)
        else:
            standard = policy.at(self.today).classes[class_type]
            services.filing_class_add(
                acting_user=user,
                application=app,
                name="新增班",
                class_type=class_type,
                capacity=standard.max_children,
            )
            # The new class brings its caregivers (ratios are minimums, P-STD-1).
            staff = {role: dict(v) for role, v in app.facts["staff"].items()}
            extra = standard.min_caregivers(standard.max_children)
            staff["caregiver"]["count"] += extra
            staff["caregiver"]["certified"] += extra
            services.filing_update_staff(acting_user=user, application=app, staff=staff)
        self.submit(app, _at(self.today, 10) - dt.timedelta(days=self.rng.randint(1, 9)))
        self.bump("change_pending")

    def changed(self, institution):
        """A change filed: a new fee, submitted some weeks ago, reviewed where a subject
        reviews it, and approved by 区卫健局 (P-FIL-1)."""
        if not institution.community_id:
            return
        user = self.user_of(institution)
        app = services.filing_start(acting_user=user, institution=institution, kind="change")
        basic = dict(app.facts["basic"])
        basic["monthly_fee_yuan"] = int(basic.get("monthly_fee_yuan") or 2000) + 100
        services.filing_update_basic(acting_user=user, application=app, data=basic)
        submitted = _at(self.today, 10) - dt.timedelta(days=self.rng.randint(20, 40))
        app = self.submit(app, submitted)
        for subject in SubjectReview.objects.filter(application=app, status="pending").values_list(
            "subject", flat=True
        ):
            self.review(app, subject, self.clock(submitted, 1, 3))
        app.refresh_from_db()
        if app.status == FilingApplication.Status.AWAITING_DECISION:
            services.filing_decide(
                acting_user=self.decider(institution),
                application=app,
                approve=True,
                at=self.clock(submitted, 4, 8),
            )
        self.bump("changed")

    def cancelled(self, institution):
        user = self.user_of(institution)
        day = self.today - dt.timedelta(days=self.rng.randint(5, 60))
        app = services.filing_cancellation_request(
            acting_user=user,
            institution=institution,
            reason="举办者决定停止托育服务",
            cancelled_on=day,
            at=_at(day, 9) - dt.timedelta(days=3),
        )
        services.filing_decide(
            acting_user=self.decider(institution), application=app, approve=True, at=_at(day, 11)
        )
        self.bump("cancelled")

    # --- the bulk path for the filed state (city and province scale) ------------------------

    def filed_in_bulk(self, items: list[tuple[Institution, _Plan]]):
        """Filed institutions written set-based: each gets an approved initial application
        with its facts, four approved subject reviews, filed classes and a filing number
        (numbers per year in decision order, continuing each year's sequence)."""
        rows = self.bulk_timeline(items)
        sequences = dict(FilingNumberSequence.objects.values_list("year", "last_number"))
        # Chunk by chunk (each chunk's rows, then the next), so memory stays flat.
        for start in range(0, len(rows), BULK_CHUNK):
            chunk = rows[start : start + BULK_CHUNK]
            classes, apps = [], []
            for decided, institution, plan, submitted, _reviewed in chunk:
                on = decided.astimezone(SHANGHAI).date()
                sequences[on.year] = sequences.get(on.year, 0) + 1
                # The number its own district's platform gives (TY<district>-<year>-<seq>).
                with jurisdiction(institution.township.code[:6]):
                    number = services.filing_number_format(on.year, sequences[on.year])
                self.bulk_file_institution(institution, plan, number=number, on=on)
                classes.extend(_bulk_filed_classes(institution, plan, on=on, created_at=submitted))
                apps.append(
                    self.bulk_approved_application(
                        institution, plan, number=number, submitted=submitted, decided=decided
                    )
                )
            institutions_filed_in_bulk(institutions=[r[1] for r in chunk], classes=classes)
            bulk_insert(FilingApplication, apps)
            bulk_insert(SubjectReview, self.bulk_approved_reviews(chunk))
        for year, last in sequences.items():
            FilingNumberSequence.objects.update_or_create(year=year, defaults={"last_number": last})
        self.counts["filed"] = self.counts.get("filed", 0) + len(rows)

    def bulk_timeline(self, items: list[tuple[Institution, _Plan]]) -> list[tuple]:
        """When each was submitted, reviewed by each subject and decided (drawn from the rng
        in the given order), as (decided, institution, plan, submitted, reviewed) in decision
        order — the order filing numbers are given in."""
        rows = []
        for institution, plan in items:
            submitted = self.clock(institution.registered_at, 4, 30)
            reviewed = [self.clock(submitted, 1, 12) for _ in checks.ALL_SUBJECTS]
            decided = self.clock(max(reviewed), 1, 5)
            rows.append((decided, institution, plan, submitted, reviewed))
        rows.sort(key=lambda r: (r[0], r[1].pk))
        return rows

    def bulk_file_institution(
        self, institution: Institution, plan: _Plan, *, number: str, on: dt.date
    ) -> None:
        """The institution as filed on `on` with `number` and its planned facts (not yet
        saved: `institutions_filed_in_bulk` writes them)."""
        institution.filing_number = number
        institution.filed_on = on
        institution.filing_status = Institution.FilingStatus.FILED
        b = plan.basic
        institution.operating_mode = b["operating_mode"]
        institution.institution_form = b["institution_form"]
        institution.latitude = Decimal(b["latitude"])
        institution.longitude = Decimal(b["longitude"])
        institution.indoor_area_m2 = Decimal(b["indoor_area_m2"])
        institution.outdoor_area_m2 = Decimal(b["outdoor_area_m2"])
        institution.opening_hours = b["opening_hours"]
        institution.monthly_fee_yuan = b["monthly_fee_yuan"]
        institution.serves_meals = b["serves_meals"]
        institution.staff_summary = plan.staff
        institution.filed_standards = plan.standards
        if b["community"]:
            institution.community_id = self.village_ids[b["community"]]

    def bulk_approved_application(
        self,
        institution: Institution,
        plan: _Plan,
        *,
        number: str,
        submitted: dt.datetime,
        decided: dt.datetime,
    ) -> FilingApplication:
        """The approved initial application behind the filing (full path, round 1, all
        subjects), with the facts as submitted."""
        facts = {
            "basic": plan.basic,
            "staff": plan.staff,
            "standards": plan.standards,
            "classes_close": [],
            "classes": [
                {"id": None, "name": n, "class_type": t, "capacity": c, "action": "add"}
                for n, t, c in plan.classes
            ],
        }
        # P-FIL-2: deadlines from the day the complete materials arrived, as the service does.
        if self.calendar is None:
            self.calendar = workdays.calendar()
        submitted_on = submitted.astimezone(SHANGHAI).date()
        receipt_due, notice_due, unknown_year = deadlines.compute(submitted_on, self.calendar)
        return FilingApplication(
            materials_complete_on=submitted_on,
            receipt_due_on=receipt_due,
            notice_due_on=notice_due,
            deadline_unknown_year=unknown_year,
            institution=institution,
            kind="initial",
            status="approved",
            path="full",
            facts=facts,
            subjects=list(checks.ALL_SUBJECTS),
            commitment_accepted=True,
            round=1,
            created_at=submitted - dt.timedelta(days=1),
            first_submitted_at=submitted,
            submitted_at=submitted,
            awaiting_decision_since=decided - dt.timedelta(days=1),
            decided_at=decided,
            decided_by=self.decider(institution),
            decision_note="",
            filing_number=number,
        )

    def bulk_approved_reviews(self, rows: list[tuple]) -> list[SubjectReview]:
        """One approved round-1 review per subject for each inserted application, decided at
        the drawn review times by the subject's reviewer."""
        app_ids = dict(
            FilingApplication.objects.filter(
                institution_id__in=[r[1].pk for r in rows], kind="initial", status="approved"
            ).values_list("institution_id", "pk")
        )
        reviews = []
        for _decided, institution, _plan, submitted, reviewed in rows:
            for subject, at in zip(checks.ALL_SUBJECTS, reviewed, strict=True):
                reviewer = self.reviewers.get(subject)
                reviews.append(
                    SubjectReview(
                        application_id=app_ids[institution.pk],
                        institution=institution,
                        subject=subject,
                        round=1,
                        status="approved",
                        opened_at=submitted,
                        decided_at=at,
                        reviewer=reviewer,
                        reviewer_department=reviewer.department.name if reviewer else "",
                    )
                )
        return reviews

    # --- the whole ------------------------------------------------------------------------

    def run(self):
        items = [i for i in self.institutions if self.user_of(i) is not None]
        n = len(items)
        deciders = [*checks.ALL_SUBJECTS, "decide", "decide_kindergarten"]
        if not n or not all(k in self.reviewers for k in deciders):
            self.ctx.log("缺少机构账号或审核部门账号，跳过备案数据生成。")
            return self.counts

        def district_of(inst: Institution) -> str:
            return inst.township.code[:6]

        # Every district gets every state ([scale] point 1): per district, the newest
        # registrations are the ones still in progress, at most `per_state` each.
        by_district: dict[str, list[Institution]] = {}
        for inst in items:
            by_district.setdefault(district_of(inst), []).append(inst)
        per_state = getattr(self.ctx.scale, "per_state_per_district", MAX_PER_STATE)
        caps = {
            d: max(1, min(per_state, MAX_PER_STATE, round(len(local) * 0.06)))
            for d, local in by_district.items()
        }
        states: dict[int, str] = {}
        order = ["not_filed", "draft", "in_review", "returned", "awaiting_decision", "rejected"]
        for d in sorted(by_district):
            cap = caps[d]
            queue = list(reversed(by_district[d]))
            for state in order:
                for _ in range(cap if state != "not_filed" else max(1, cap // 2)):
                    if queue:
                        states[queue.pop(0).pk] = state
            # A few older registrations never filed: overdue (P-REG-12 deadline, policy data).
            for inst in queue[-max(1, cap // 2) :]:
                states[inst.pk] = "not_filed"
        filed = [i for i in items if i.pk not in states]
        plans = {i.pk: self.plan(i) for i in items if states.get(i.pk) != "not_filed"}
        self.village_ids = dict(
            Region.objects.filter(
                code__in=[p.basic["community"] for p in plans.values() if p.basic["community"]]
            ).values_list("code", "pk")
        )
        # Changes (pending, approved) and cancellations happen to filed institutions, through
        # the services: per district the oldest few filed ones.
        extras: dict[str, list[Institution]] = {}
        for d in sorted(by_district):
            cap = caps[d]
            wanted = max(2 * cap, cap + max(1, cap // 2) + 1)
            extras[d] = [i for i in filed if district_of(i) == d][:wanted]
        extra_ids = {i.pk for local in extras.values() for i in local}
        # Big or multi-district seeds write the plain filed state set-based.
        bulk = len(filed) > BULK_THRESHOLD or len(by_district) > 1
        service_filed = [i for d in sorted(extras) for i in extras[d]] if bulk else filed
        bulk_filed = [i for i in filed if i.pk not in extra_ids] if bulk else []
        with transaction.atomic():
            for inst in self.ctx.progress(service_filed, total=len(service_filed), desc="备案"):
                plan = plans[inst.pk]
                if not plan.basic["community"]:
                    bulk_filed.append(inst)
                    continue
                with jurisdiction(district_of(inst)):
                    self.filed_by_services(inst, plan)
            if bulk_filed:
                self.filed_in_bulk([(i, plans[i.pk]) for i in bulk_filed])
            for inst in self.ctx.progress(items, total=len(items), desc="办理中"):
                state = states.get(inst.pk)
                if state in (None, "not_filed"):
                    if state == "not_filed":
                        self.bump("not_filed")
                    continue
                if not plans[inst.pk].basic["community"]:
                    continue
                with jurisdiction(district_of(inst)):
                    self.in_progress(inst, plans[inst.pk], state)
                self.bump(state)
            for d in sorted(extras):
                cap = caps[d]
                with jurisdiction(d):
                    for k, inst in enumerate(extras[d]):
                        inst.refresh_from_db()
                        if inst.filing_status != Institution.FilingStatus.FILED:
                            continue
                        if k < cap:
                            self.change_pending(inst)
                        elif k < cap + max(1, cap // 2):
                            self.cancelled(inst)
                        else:
                            self.changed(inst)
            audit_record(
                action=FilingsAction.APPLICATION_SEEDED,
                object_type="filings.filingapplication",
                detail={
                    "counts": self.counts,
                    "seed": self.ctx.seed,
                    "bulk": bool(bulk_filed),
                    "districts": len(by_district),
                },
            )
        return self.counts


def _scan(name: str):
    return SimpleUploadedFile(name, SEED_PDF, content_type="application/pdf")


def seed_filings(ctx, institutions) -> dict[str, int]:
    """Put `institutions` (registered, with their accounts) in every filing state; returns
    how many ended in each state."""
    counts = _Seeder(ctx, list(institutions)).run()
    ctx.log("备案数据：" + "，".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return counts


def generate(ctx) -> None:
    ids = ctx.shared.get("institution_ids")
    if not ids:
        return
    seed_filings(ctx, Institution.objects.filter(pk__in=ids).select_related("township"))
