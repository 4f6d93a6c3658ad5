"""[hardening] points 6 and 7: every form of the filing workflow, the chain and 普惠 pages,
the directory and the public pages is walked with boundary values — each field in turn
replaced by an extreme (huge and negative numbers, 1e30, NaN, years 1 and 9999,
100,000-character texts, control characters) — and no answer is a server error; the
cleaning of the filing facts is property-tested (hypothesis) to raise nothing but coded
errors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import AffordableDesignationFactory, ChainAgreementFactory
from tuoyu.core.errors import DomainError
from tuoyu.filings import checks, services
from tuoyu.filings.models import FilingApplication, SubjectReview
from tuoyu.filings.tests.conftest import BASIC, STAFF, fill

pytestmark = pytest.mark.django_db

EXTREMES = [
    "9" * 30,
    "-" + "9" * 30,
    "1e30",
    "-1e30",
    "1e-999999",
    "NaN",
    "Infinity",
    "0001-01-01",
    "9999-12-31",
    "x" * 100_000,
    "名" * 5_000,
    " ",
    "\u202e\u200b",
    "a\x00b",
    "../../etc/passwd",
]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(
    institution,
    institution_user,
    make_institution,
    make_filed,
    make_user,
    health_user,
    fire_user,
    market_user,
    media_root,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    # An initial filing in review (the reviewers' forms) …
    app = services.filing_start(
        acting_user=institution_user, institution=institution, kind=FilingApplication.Kind.INITIAL
    )
    fill(institution_user, app)
    submitted = services.filing_submit(
        acting_user=institution_user, application=app, commitment_accepted=True
    )
    # … and a filed institution with a change draft (the institution's forms).
    filed = make_filed(name="边界托育", filing_number="TY330703-2024-0009")
    owner = make_user("jigou-f", institution=filed)
    draft = services.filing_start(acting_user=owner, institution=filed, kind="change")
    agreement = ChainAgreementFactory(
        head=make_filed(name="连锁总部"),
        valid_from=dt.date(2024, 1, 1),
        valid_until=dt.date(2030, 1, 1),
    )
    branch = make_institution(name="连锁分店", chain_agreement=agreement)
    designation = AffordableDesignationFactory(institution=filed, starts_on=dt.date(2024, 2, 1))
    return {
        "owner": owner,
        "draft": draft,
        "submitted": submitted,
        "review": SubjectReview.objects.get(application=submitted, subject="fire"),
        "agreement": agreement,
        "branch": branch,
        "designation": designation,
        "filed": filed,
        "users": {"owner": owner, "health": health_user, "fire": fire_user},
        "township": "330703001",
    }


def forms(w) -> list[tuple[str, str, str, dict]]:
    """(user, method, url, a valid set of values) of every form."""
    draft, agreement, designation = w["draft"], w["agreement"], w["designation"]
    edit = f"/filings/applications/{draft.pk}/edit/"
    staff = {}
    for role, row in STAFF.items():
        staff[f"staff-{role}-count"] = str(row["count"])
        staff[f"staff-{role}-certified"] = str(row["certified"])
    return [
        # [accounts-ux] #9 point 3: the editor is one form posted to its own address
        ("owner", "post", edit, {**BASIC, "action": "save:basic"}),
        ("owner", "post", edit, {**staff, "action": "save:staff"}),
        (
            "owner",
            "post",
            edit,
            {
                "action": "class_add",
                "class-name": "托小九班",
                "class-class_type": "toddler_small",
                "class-capacity": "15",
            },
        ),
        ("owner", "post", edit, {"action": "upload", "kind": "fire_inspection"}),
        ("owner", "post", edit, {"action": "material_remove:1"}),
        ("owner", "post", edit, {"action": "submit", "commitment_accepted": "on"}),
        ("owner", "post", "/filings/mine/start/", {"kind": "change"}),
        (
            "owner",
            "post",
            "/filings/mine/cancel/",
            {"cancelled_on": "2026-01-01", "reason": "停办"},
        ),
        ("owner", "get", "/filings/villages/", {"township": "330703001"}),
        (
            "fire",
            "post",
            f"/filings/reviews/{w['review'].pk}/",
            {"decision": "return", "reasons": "消防通道堵塞", "comment": "请整改"},
        ),
        ("fire", "get", "/filings/queue/", {"status": "in_review", "page": "1"}),
        (
            "health",
            "post",
            f"/filings/applications/{w['submitted'].pk}/decide/",
            {"decision": "reject", "note": "材料不实"},
        ),
        (
            "health",
            "post",
            "/institutions/chains/new/",
            {
                "head_uscc": w["filed"].uscc,
                "agreement_number": "LS-BOUND-1",
                "townships": "",
                "max_branches": "2",
                "valid_from": "2024-01-01",
                "valid_until": "2030-12-31",
            },
        ),
        (
            "health",
            "post",
            f"/institutions/chains/{agreement.pk}/edit/",
            {
                "agreement_number": agreement.agreement_number,
                "townships": "",
                "max_branches": "5",
                "valid_from": "2024-01-01",
                "valid_until": "2030-12-31",
            },
        ),
        (
            "health",
            "post",
            f"/institutions/chains/{agreement.pk}/end/",
            {"ended_on": "2025-01-01", "reason": "到期"},
        ),
        (
            "health",
            "post",
            f"/institutions/chains/{agreement.pk}/branches/",
            {"uscc": w["filed"].uscc},
        ),
        (
            "health",
            "post",
            f"/institutions/chains/{agreement.pk}/branches/{w['branch'].pk}/detach/",
            {"reason": "解约"},
        ),
        ("health", "get", "/institutions/chains/", {"q": "LS", "status": "active", "page": "1"}),
        (
            "health",
            "post",
            "/institutions/affordable/new/",
            {
                "uscc": w["filed"].uscc,
                "starts_on": "2025-01-01",
                "ends_on": "",
                "decision_ref": "金东卫〔2025〕1号",
            },
        ),
        (
            "health",
            "post",
            f"/institutions/affordable/{designation.pk}/withdraw/",
            {"withdrawn_on": "2025-06-01", "withdrawal_ref": "金东卫〔2025〕2号", "reason": "停办"},
        ),
        ("health", "get", "/institutions/affordable/", {"q": "托育", "status": "all", "page": "1"}),
        (
            "health",
            "get",
            "/institutions/",
            {
                "q": "托育",
                "township": "330703001",
                "registration_status": "registered",
                "filing_status": "filed",
                "operating_mode": "social",
                "affordable": "yes",
                "chain": "none",
                "sort": "name",
                "page": "1",
                "per_page": "50",
            },
        ),
        ("health", "get", f"/institutions/{w['filed'].pk}/", {"tab": "basic"}),
        (
            None,
            "get",
            "/public/institutions/",
            {
                "q": "托育",
                "township": "330703001",
                "affordable": "true",
                "age_months": "20",
                "page": "1",
            },
        ),
        (None, "get", "/public/verify/", {"number": "TY330703-2024-0009"}),
        (None, "get", "/filings/verify/", {"number": "TY330703-2024-0009"}),
    ]


def test_every_form_survives_boundary_values(world):
    client = Client(raise_request_exception=False)  # a 500 is collected, not raised
    failures = []
    for user, method, url, values in forms(world):
        if user is None:
            client.logout()
        else:
            client.force_login(world["users"][user])
        for name in values:
            for extreme in EXTREMES:
                data = {**values, name: extreme}
                if values.get("action") == "upload":
                    data["file"] = SimpleUploadedFile("a.pdf", PDF)
                response = getattr(client, method)(url, data)
                if response.status_code >= 500:
                    failures.append(
                        f"{method} {url} {name}={extreme!r:.30}: {response.status_code}"
                    )
    assert not failures, "\n".join(failures[:40])


def test_every_page_search_survives_overlong_queries(world):
    client = Client(raise_request_exception=False)
    client.force_login(world["users"]["health"])
    for url in (
        "/institutions/",
        "/institutions/chains/",
        "/institutions/affordable/",
        "/filings/queue/",
    ):
        for value in ("x" * 100_000, "9" * 30, "-1", "a\x00"):
            response = client.get(url, {"q": value, "page": value, "per_page": value})
            assert response.status_code < 500, (url, value[:20])


numbers = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["1e30", "1e-999999999", "1E+999999999", "9" * 5000, "-0", "+5", " 7 "]),
    st.text(max_size=50),
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    fee=numbers,
    indoor=numbers,
    outdoor=numbers,
    lat=numbers,
    lng=numbers,
    text=st.text(max_size=300),
)
def test_basic_facts_cleaning_raises_only_coded_errors(
    institution, fee, indoor, outdoor, lat, lng, text
):
    data = {
        **BASIC,
        "monthly_fee_yuan": fee,
        "indoor_area_m2": indoor,
        "outdoor_area_m2": outdoor,
        "latitude": lat,
        "longitude": lng,
        "opening_hours": text,
        "township": "",
        "community": "",
    }
    try:
        out = checks.clean_basic(data, institution=institution)
    except DomainError as exc:
        assert all(e.code for e in exc.errors)
        return
    if out["monthly_fee_yuan"] is not None:
        assert 0 <= out["monthly_fee_yuan"] < checks.MAX_MONTHLY_FEE_YUAN
    for name in ("indoor_area_m2", "outdoor_area_m2"):
        if out[name] is not None:
            assert len(out[name].replace(".", "").lstrip("0")) <= 9  # fits max_digits=9


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(count=numbers, certified=numbers)
def test_staff_cleaning_raises_only_coded_errors(count, certified):
    try:
        out = checks.clean_staff({"caregiver": {"count": count, "certified": certified}})
    except DomainError as exc:
        assert all(e.code for e in exc.errors)
        return
    assert 0 <= out["caregiver"]["count"] <= checks.MAX_STAFF_PER_ROLE
