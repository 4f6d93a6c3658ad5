"""The whole path through the interfaces (P-REG-11, P-REG-12, P-FIL-3; API-CONTRACT §1, §2,
§6): push registration → classes by API → filing submitted → one subject returned →
resubmitted → all approved → decided → public verification; deregistration push cancels."""

from __future__ import annotations

import pytest
from django.test import Client

from tuoyu.core.errors import DomainError
from tuoyu.filings import checks, services
from tuoyu.filings.models import FilingApplication, SubjectReview
from tuoyu.filings.tests.conftest import BASIC, STAFF, STANDARDS, approve_all, pdf
from tuoyu.institutions.models import Institution
from tuoyu.institutions.tests.conftest import registration_body

pytestmark = pytest.mark.django_db


def test_whole_path_through_the_api(api_client, make_user, reviewers, make_institution):
    market = api_client(reviewers["food"])  # 区市场监管局 registers for-profit companies
    body = registration_body()
    r = market.post("/api/v1/registrations", body, content_type="application/json")
    assert r.status_code == 201, r.content
    institution = Institution.objects.get(pk=r.json()["institution_id"])
    assert institution.filing_status == "not_filed"
    user = make_user("jigou", institution=institution)
    own = api_client(user)
    uscc = institution.uscc

    for name, class_type, capacity in [("托小一班", "toddler_small", 15), ("混合班", "mixed", 18)]:
        r = own.post(
            f"/api/v1/institutions/{uscc}/classes",
            {"name": name, "class_type": class_type, "capacity": capacity},
            content_type="application/json",
        )
        assert r.status_code == 201
    r = own.post(
        f"/api/v1/institutions/{uscc}/classes",
        {"name": "大班", "class_type": "toddler_large", "capacity": 21},
        content_type="application/json",
    )
    assert r.json()["errors"][0]["code"] == "class_size_exceeds_standard"

    app = services.filing_start(acting_user=user, institution=institution, kind="initial")
    services.filing_update_basic(acting_user=user, application=app, data=BASIC)
    services.filing_update_staff(acting_user=user, application=app, staff=STAFF)
    services.filing_update_standards(acting_user=user, application=app, standards=STANDARDS)
    for kind in [*checks.INITIAL_MATERIALS, "food_licence"]:
        services.filing_material_upload(acting_user=user, application=app, kind=kind, file=pdf())
    services.filing_submit(acting_user=user, application=app, commitment_accepted=True)

    status = own.get(f"/api/v1/filings/institutions/{uscc}").json()
    assert status["filing_status"] == "in_review"
    assert {s["subject"]: s["status"] for s in status["open_application"]["subjects"]} == {
        "fire": "pending",
        "security": "pending",
        "food": "pending",
        "health_care": "pending",
    }

    fire = SubjectReview.objects.get(application=app, subject="fire")
    services.subject_review_decide(
        acting_user=reviewers["fire"], review=fire, approve=False, reasons=["灭火器过期"]
    )
    status = own.get(f"/api/v1/filings/institutions/{uscc}").json()
    assert status["open_application"]["status"] == "returned"
    fire_row = next(s for s in status["open_application"]["subjects"] if s["subject"] == "fire")
    assert fire_row["reasons"] == ["灭火器过期"]

    services.filing_submit(acting_user=user, application=app, commitment_accepted=True)
    assert list(
        SubjectReview.objects.filter(application=app, round=2).values_list("subject", flat=True)
    ) == ["fire"]
    approve_all(app, reviewers)
    services.filing_decide(acting_user=reviewers["health"], application=app, approve=True)

    status = own.get(f"/api/v1/filings/institutions/{uscc}").json()
    assert status["filing_status"] == "filed" and status["slots"] == 33
    assert status["open_application"] is None
    number = status["filing_number"]

    public = Client()
    r = public.get(f"/api/v1/public/filings/{number}")
    assert r.status_code == 200
    assert r.json() == {
        "valid": True,
        "institution": institution.name,
        "uscc": uscc,
        "filed_on": status["filed_on"],
        "status": "filed",
    }
    assert public.get("/api/v1/public/filings/TY330703-1900-0001").status_code == 404

    # another institution's token sees nothing of this one
    other = api_client(make_user("other", institution=make_institution()))
    assert other.get(f"/api/v1/filings/institutions/{uscc}").status_code == 404

    # deregistration push cancels the filing (P-FIL-3)
    r = market.post(
        "/api/v1/registrations",
        registration_body(
            action="deregistered",
            uscc=uscc,
            event_id="SAMR-330703-2026-DEREG1",
            occurred_at="2026-06-01T09:00:00+08:00",
        ),
        content_type="application/json",
    )
    assert r.status_code in (200, 201), r.content
    r = public.get(f"/api/v1/public/filings/{number}")
    assert r.json()["valid"] is False and r.json()["status"] == "cancelled"
    with pytest.raises(DomainError) as exc:
        services.filing_start(acting_user=user, institution=institution, kind="initial")
    assert exc.value.code == "institution_deregistered"
    assert FilingApplication.objects.filter(institution=institution).count() == 1
