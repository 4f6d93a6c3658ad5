"""Fixtures for the filing workflow: one reviewer per subject, valid scans, and a helper
that fills a complete draft. The institution and its account are the root conftest's
`institution` and `institution_user`; the reviewers build on its role users."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import COMPLIANT_STANDARDS
from tuoyu.filings import checks, services
from tuoyu.filings.models import FilingApplication

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def pdf(name="scan.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def reviewers(make_user, fire_user, market_user, health_user):
    """P-REG-12: one account per reviewing unit, by subject (and "health" for 区卫健局's
    decision); fire, food and health are the root role users."""
    return {
        "fire": fire_user,
        "housing": make_user("zhujian", department="housing"),
        "security": make_user("gongan", department="public_security"),
        "food": market_user,
        "health_care": make_user("fuji", department="mch_centre"),
        "health": health_user,
    }


BASIC = {
    "operating_mode": "social",
    "institution_form": "embedded",
    "legal_representative": "王某",
    "address": "金东区多湖街道光明路1号",
    "township": "330703001",
    "community": "330703001001",
    "latitude": "29.083",
    "longitude": "119.7",
    "indoor_area_m2": "300",
    "outdoor_area_m2": "60",
    "opening_hours": "周一至周五 7:30-17:30",
    "monthly_fee_yuan": "2800",
    "serves_meals": "on",
}
STAFF = {
    "principal": {"count": 1, "certified": 1},
    "caregiver": {"count": 8, "certified": 7},
    "health_worker": {"count": 1, "certified": 1},
    "cook": {"count": 1, "certified": 1},
    "security": {"count": 1, "certified": 1},
    "other": {"count": 0, "certified": 0},
}


STANDARDS = COMPLIANT_STANDARDS


def fill(user, application, *, basic=None, meals=True, classes=None, standards=None, staff=None):
    """Fill every section of a draft so that it can be submitted (P-FIL-1), with standards
    that meet P-STD-2/3 unless `standards` says otherwise."""
    data = dict(basic or BASIC)
    if not meals:
        data.pop("serves_meals", None)
    services.filing_update_basic(acting_user=user, application=application, data=data)
    services.filing_update_staff(acting_user=user, application=application, staff=staff or STAFF)
    services.filing_update_standards(
        acting_user=user, application=application, standards=standards or STANDARDS
    )
    for name, class_type, capacity in classes or [
        ("托小一班", "toddler_small", 15),
        ("托大一班", "toddler_large", 20),
    ]:
        services.filing_class_add(
            acting_user=user,
            application=application,
            name=name,
            class_type=class_type,
            capacity=capacity,
        )
    kinds = list(checks.INITIAL_MATERIALS)
    if meals:
        kinds.append("food_licence")
    for kind in kinds:
        services.filing_material_upload(
            acting_user=user, application=application, kind=kind, file=pdf(f"{kind}.pdf")
        )
    application.refresh_from_db()
    return application


@pytest.fixture
def submitted(institution_user, institution):
    """An initial filing submitted on the full path (all four subjects pending)."""
    app = services.filing_start(
        acting_user=institution_user, institution=institution, kind=FilingApplication.Kind.INITIAL
    )
    fill(institution_user, app)
    return services.filing_submit(
        acting_user=institution_user, application=app, commitment_accepted=True
    )


def approve_all(application, reviewers):
    from tuoyu.filings.models import SubjectReview

    for review in SubjectReview.objects.filter(application=application, status="pending"):
        user = reviewers[review.subject]
        services.subject_review_decide(acting_user=user, review=review, approve=True)
    application.refresh_from_db()
    return application


@pytest.fixture
def filed(submitted, reviewers, institution):
    """The institution filed through the full path (two classes, 35 slots)."""
    app = approve_all(submitted, reviewers)
    services.filing_decide(acting_user=reviewers["health"], application=app, approve=True)
    institution.refresh_from_db()
    return institution
