"""The screenshots of the user guide (docs/guide/, [accounts-ux] point 11): one list, read by
the script that takes them (`tests/e2e/test_guide_screens.py`, `make guide`) and by the test
that keeps the guide true (`tests/e2e/test_guide.py`, part of `make test`).

Each shot is taken from the demo data (`tuoyu seed --scale district --seed 1`) as a demo
role sees the page; `path` is a page address or a function of the database that finds one
(an application awaiting decision, an institution of the role's township …).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

GUIDE_DIR = Path(__file__).resolve().parents[2] / "docs" / "guide"
IMAGE_DIR = GUIDE_DIR / "img"
DEMO_PASSWORD = "demo-pass-2020"
VIEWPORT = {"width": 1280, "height": 900}


@dataclass(frozen=True)
class Shot:
    name: str  # the image file: img/<name>.png
    role: str | None  # a demo account (None: the public)
    path: str | Callable[[], str]
    full_page: bool = False

    def url(self) -> str:
        return self.path() if callable(self.path) else self.path


def _application(status: str, kind: str = "initial") -> str:
    from tuoyu.filings.models import FilingApplication

    app = FilingApplication.objects.filter(status=status, kind=kind).order_by("pk").first()
    return f"/filings/applications/{app.pk}/"


def _pending_fire_review() -> str:
    from tuoyu.filings.models import FilingApplication, SubjectReview

    review = (
        SubjectReview.objects.filter(
            subject="fire", status="pending", application__status=FilingApplication.Status.IN_REVIEW
        )
        .order_by("pk")
        .first()
    )
    return f"/filings/applications/{review.application_id}/"


def _duohu_institution() -> str:
    from tuoyu.institutions.models import Institution

    inst = Institution.objects.filter(township__code="330703001").order_by("pk").first()
    return f"/institutions/{inst.pk}/"


def _unfiled_institution_accounts() -> str:
    from tuoyu.institutions.models import Institution

    inst = Institution.objects.filter(filing_status="not_filed").order_by("pk").first()
    return f"/institutions/{inst.pk}/?tab=accounts"


def _filed_number() -> str:
    from tuoyu.institutions.models import Institution

    inst = Institution.objects.filter(filing_status="filed").order_by("pk").first()
    return f"/filings/verify/{inst.filing_number}/"


def institution_role() -> str:
    """The demo account of an institution with a draft application (the 机构 guide)."""
    from tuoyu.accounts.models import User
    from tuoyu.filings.models import FilingApplication

    app = FilingApplication.objects.filter(status="draft", kind="initial").order_by("pk").first()
    return User.objects.filter(institution_id=app.institution_id).order_by("pk").first().username


def _draft_edit() -> str:
    from tuoyu.filings.models import FilingApplication

    app = FilingApplication.objects.filter(status="draft", kind="initial").order_by("pk").first()
    return f"/filings/applications/{app.pk}/edit/"


# A filed institution of the demo with classes, children, staff, open outbreak alerts and
# open rectification orders (jg03, 爱贝, seed 1): the 机构 guide's daily work. A demo user
# name, not a resolver, because tests/e2e/test_guide.py logs in with the shot's role as is.
FILED_INSTITUTION = "jg03"


def _own_institution_id(username: str = FILED_INSTITUTION) -> int:
    from tuoyu.accounts.models import User

    return User.objects.get(username=username).institution_id


def _own_roster(suffix: str = "") -> str:
    return f"/workforce/institutions/{_own_institution_id()}/{suffix}"


def _own_alert():
    from tuoyu.children.models import OutbreakAlert

    return (
        OutbreakAlert.objects.filter(institution_id=_own_institution_id())
        .exclude(status="closed")
        .order_by("pk")
        .first()
    )


def _own_class_check() -> str:
    # The session the demo has not recorded yet, so the entry form shows (P-HC-3).
    alert = _own_alert()
    return f"/children/classes/{alert.care_class_id}/check/?session=afternoon"


def _own_alert_page() -> str:
    return f"/children/alerts/{_own_alert().pk}/"


def _own_open_order() -> str:
    from tuoyu.supervision.models import RectificationOrder

    order = (
        RectificationOrder.objects.filter(institution_id=_own_institution_id(), status="open")
        .order_by("due_on", "pk")
        .last()
    )
    return f"/supervision/orders/{order.pk}/"


def _ban_with_attempt() -> str:
    from tuoyu.workforce.models import Ban

    ban = Ban.objects.filter(attempts__isnull=False).order_by("pk").first()
    return f"/workforce/bans/{ban.pk}/"


def _child_with_exams() -> str:
    from tuoyu.children.models import Child

    child = Child.objects.filter(examinations__isnull=False).order_by("pk").first()
    return f"/children/{child.pk}/"


def _open_alert_page() -> str:
    from tuoyu.children.models import OutbreakAlert

    alert = OutbreakAlert.objects.exclude(status="closed").order_by("-cases", "pk").first()
    return f"/children/alerts/{alert.pk}/"


def _planned_inspection(department: str) -> str:
    from tuoyu.supervision.models import Inspection

    item = (
        Inspection.objects.filter(department_code=department, status="planned")
        .order_by("pk")
        .first()
    )
    return f"/supervision/inspections/{item.pk}/"


def _drawn_plan(department: str) -> str:
    from tuoyu.supervision.models import InspectionPlan

    plan = (
        InspectionPlan.objects.filter(department_code=department, drawn_at__isnull=False)
        .order_by("-period_start", "pk")
        .first()
    )
    return f"/supervision/plans/{plan.pk}/"


def _replied_order(department: str) -> str:
    from tuoyu.supervision.models import RectificationOrder

    order = (
        RectificationOrder.objects.filter(department_code=department, status="replied")
        .order_by("pk")
        .first()
    )
    return f"/supervision/orders/{order.pk}/"


def _credit_file() -> str:
    return f"/supervision/credit/{_own_institution_id()}/"


def _complaint_status() -> str:
    from tuoyu.supervision.models import Complaint

    complaint = Complaint.objects.filter(status="answered").order_by("pk").first()
    return f"/supervision/public/complaints/status/?number={complaint.tracking_number}"


INSTITUTION = "@institution"  # resolved by institution_role() once the demo exists

SHOTS: tuple[Shot, ...] = (
    # 公众
    Shot("public-start", None, "/"),
    Shot("public-search", None, "/public/institutions/"),
    Shot("public-verify", None, _filed_number),
    Shot("public-complaint", None, "/supervision/public/complaints/new/", full_page=True),
    Shot("public-complaint-status", None, _complaint_status),
    # 区卫健局
    Shot("health-home", "weijian", "/"),
    Shot("health-queue", "weijian", "/filings/queue/"),
    Shot("health-decide", "weijian", lambda: _application("awaiting_decision"), full_page=True),
    Shot("health-unfiled", "weijian", "/institutions/registrations/?tab=unfiled"),
    Shot("health-accounts-tab", "weijian", _unfiled_institution_accounts),
    Shot("health-users", "weijian", "/accounts/users/"),
    Shot("health-bans", "weijian", "/workforce/bans/"),
    Shot("health-ban-new", "weijian", "/workforce/bans/new/", full_page=True),
    Shot("health-ban", "weijian", _ban_with_attempt, full_page=True),
    Shot("health-gaps", "weijian", "/workforce/gaps/"),
    Shot("health-expiry", "weijian", "/workforce/expiry/"),
    Shot("health-certification", "weijian", "/workforce/certification/"),
    Shot("health-alerts", "weijian", "/children/alerts/"),
    Shot("health-alert", "weijian", _open_alert_page, full_page=True),
    Shot("health-child", "weijian", _child_with_exams, full_page=True),
    Shot("health-rates", "weijian", "/children/rates/"),
    Shot("health-blacklist", "weijian", "/supervision/blacklist/", full_page=True),
    # 审核部门（以区消防救援大队、区市场监管局为例）
    Shot("review-home", "xiaofang", "/"),
    Shot("review-queue", "xiaofang", "/filings/queue/"),
    Shot("review-application", "xiaofang", _pending_fire_review, full_page=True),
    Shot("registration-list", "shichang", "/institutions/registrations/"),
    Shot("registration-new", "shichang", "/institutions/registrations/new/", full_page=True),
    # 综合监管（各监管部门；以区市场监管局为例，验收以区卫健局为例）
    Shot("supervision-plans", "shichang", "/supervision/plans/"),
    Shot("supervision-plan", "shichang", lambda: _drawn_plan("market_regulation"), full_page=True),
    Shot(
        "supervision-inspection",
        "shichang",
        lambda: _planned_inspection("market_regulation"),
        full_page=True,
    ),
    Shot("supervision-orders", "shichang", "/supervision/orders/"),
    Shot("supervision-order-accept", "weijian", lambda: _replied_order("health"), full_page=True),
    Shot("supervision-complaints", "shichang", "/supervision/complaints/"),
    Shot("supervision-hotline", "shichang", "/supervision/complaints/hotline/", full_page=True),
    Shot("supervision-risk", "shichang", "/supervision/risk/"),
    Shot("supervision-credit", "shichang", _credit_file, full_page=True),
    # 区人力社保局
    Shot("renshe-trainings", "renshe", "/workforce/trainings/"),
    # 镇街
    Shot("township-home", "duohu", "/"),
    Shot("township-directory", "duohu", "/institutions/"),
    Shot("township-institution", "duohu", _duohu_institution),
    Shot("township-supervision", "duohu", "/supervision/townships/", full_page=True),
    # 机构
    Shot("institution-home", INSTITUTION, "/"),
    Shot("institution-mine", INSTITUTION, "/filings/mine/"),
    Shot("institution-edit", INSTITUTION, _draft_edit, full_page=True),
    Shot("institution-activate", None, "/activate/"),
    # 机构的日常工作（已备案、有班级和在托儿童的机构）
    Shot("institution-roster", FILED_INSTITUTION, _own_roster, full_page=True),
    Shot("institution-staff-new", FILED_INSTITUTION, lambda: _own_roster("new/"), full_page=True),
    Shot("institution-upload", FILED_INSTITUTION, lambda: _own_roster("upload/")),
    Shot("institution-classes", FILED_INSTITUTION, "/children/classes/"),
    Shot("institution-class-check", FILED_INSTITUTION, _own_class_check, full_page=True),
    Shot("institution-alert", FILED_INSTITUTION, _own_alert_page, full_page=True),
    Shot("institution-order", FILED_INSTITUTION, _own_open_order, full_page=True),
    # 财政补助：申请（机构）、审核（区卫健局）、资金台账与报表（区财政局）、税费优惠名单（区税务局）
    Shot("institution-claims", FILED_INSTITUTION, "/subsidies/claims/"),
    Shot("health-claim-review", "weijian", lambda: _claim_waiting_review(), full_page=True),
    Shot("finance-funds", "caizheng", "/subsidies/funds/"),
    Shot("finance-reports", "caizheng", lambda: _subsidy_report(), full_page=True),
    Shot("tax-relief-lists", "shuiwu", "/subsidies/relief/", full_page=True),
)


def role_of(shot: Shot) -> str | None:
    return institution_role() if shot.role == INSTITUTION else shot.role


def _subsidy_report() -> str:
    """The subsidy report of the latest year with a payment in the demo (claims seeded by
    seeding_claims.py), else of this year."""
    from tuoyu.subsidies.models import LedgerEntry

    year = (
        LedgerEntry.objects.order_by("-claim_item__claim__year")
        .values_list("claim_item__claim__year", flat=True)
        .first()
    )
    return f"/subsidies/reports/?year={year}" if year else "/subsidies/reports/"


def _claim_waiting_review() -> str:
    """A claim of the demo waiting for 区卫健局's review (seeded by seeding_claims.py)."""
    from tuoyu.subsidies.models import Claim

    claim = Claim.objects.filter(status=Claim.Status.SUBMITTED).order_by("pk").first()
    return f"/subsidies/claims/{claim.pk}/"
