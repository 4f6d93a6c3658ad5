"""[hardening] points 6, 7, 8 for filings: every number and date of the filing form has
bounds and a coded error before anything reaches the database; every text has a length
limit (shown in the form); the receipt verification never crashes and is case-insensitive."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tuoyu.core.errors import DomainError
from tuoyu.filings import checks, services
from tuoyu.filings.models import FilingApplication, SubjectReview
from tuoyu.filings.tests.conftest import BASIC, approve_all, fill

pytestmark = pytest.mark.django_db


def codes(exc: DomainError) -> dict:
    return {e.field: str(e.code) for e in exc.errors}


def clean(institution, **overrides):
    return checks.clean_basic({**BASIC, **overrides}, institution=institution)


# --- point 6: numbers of the basic facts -------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("monthly_fee_yuan", str(10**20)),
        ("monthly_fee_yuan", str(checks.MAX_MONTHLY_FEE_YUAN)),
        ("indoor_area_m2", "1e30"),
        ("indoor_area_m2", str(checks.MAX_AREA_M2)),
        ("outdoor_area_m2", "9" * 40),
        ("latitude", "1e30"),
    ],
)
def test_out_of_range_facts_are_coded_errors(institution, name, value):
    with pytest.raises(DomainError) as caught:
        clean(institution, **{name: value})
    assert codes(caught.value)[name] in ("out_of_range", "coordinates_invalid")


def test_facts_at_their_bounds_are_kept(institution):
    out = clean(
        institution,
        monthly_fee_yuan=str(checks.MAX_MONTHLY_FEE_YUAN - 1),
        indoor_area_m2="99999.99",
        outdoor_area_m2="0",
    )
    assert out["monthly_fee_yuan"] == checks.MAX_MONTHLY_FEE_YUAN - 1
    assert out["indoor_area_m2"] == "99999.99"


def test_staff_counts_are_bounded(institution):
    with pytest.raises(DomainError) as caught:
        checks.clean_staff({"caregiver": {"count": str(10**20), "certified": "0"}})
    assert codes(caught.value)["staff.caregiver.count"] == "out_of_range"


def test_form_with_huge_numbers_answers_422_not_500(client, institution_user, institution):
    client.force_login(institution_user)
    client.post(reverse("filings:start"), {"kind": "initial"})
    app = FilingApplication.objects.get()
    r = client.post(
        reverse("filings:edit", args=[app.pk]),
        {
            **BASIC,
            "action": "save:basic",
            "monthly_fee_yuan": str(10**20),
            "indoor_area_m2": "1e30",
        },
    )
    assert r.status_code == 422
    body = r.content.decode()
    assert "月收费" in body and "室内面积" in body
    app.refresh_from_db()
    assert app.facts["basic"]["monthly_fee_yuan"] != 10**20


def test_an_application_stored_with_a_bad_fee_is_refused_not_crashed(
    institution_user, institution, reviewers
):
    """A draft saved before the bounds existed: the decision is a coded error (the approval
    used to crash with a 500 and leave the application stuck), and 不予备案 still works."""
    app = services.filing_start(
        acting_user=institution_user, institution=institution, kind=FilingApplication.Kind.INITIAL
    )
    fill(institution_user, app)
    app = services.filing_submit(
        acting_user=institution_user, application=app, commitment_accepted=True
    )
    app = approve_all(app, reviewers)
    basic = {**app.facts["basic"], "monthly_fee_yuan": 10**20}
    FilingApplication.objects.filter(pk=app.pk).update(facts={**app.facts, "basic": basic})
    app.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        services.filing_decide(acting_user=reviewers["health"], application=app, approve=True)
    assert codes(caught.value)["monthly_fee_yuan"] == "out_of_range"
    app.refresh_from_db()
    assert app.status == FilingApplication.Status.AWAITING_DECISION
    services.filing_decide(
        acting_user=reviewers["health"],
        application=app,
        approve=False,
        note="月收费数值有误",
        rejection_category="other",
    )
    app.refresh_from_db()
    assert app.status == FilingApplication.Status.REJECTED


def test_a_draft_with_a_bad_stored_value_cannot_be_submitted(institution_user, institution):
    app = services.filing_start(
        acting_user=institution_user, institution=institution, kind=FilingApplication.Kind.INITIAL
    )
    fill(institution_user, app)
    basic = {**app.facts["basic"], "indoor_area_m2": "1E+30"}
    FilingApplication.objects.filter(pk=app.pk).update(facts={**app.facts, "basic": basic})
    app.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        services.filing_submit(
            acting_user=institution_user, application=app, commitment_accepted=True
        )
    assert codes(caught.value)["indoor_area_m2"] == "out_of_range"


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31"])
def test_cancellation_date_is_bounded(client, institution_user, filed, day):
    client.force_login(institution_user)
    r = client.post(reverse("filings:cancel_request"), {"cancelled_on": day, "reason": "停办"})
    assert r.status_code == 422
    assert "date_out_of_range" in r.content.decode()
    assert not FilingApplication.objects.filter(kind="cancellation").exists()


# --- point 7: texts ------------------------------------------------------------------------


def test_return_reason_is_limited(submitted, reviewers):
    review = SubjectReview.objects.get(application=submitted, subject="fire")
    with pytest.raises(DomainError) as caught:
        services.subject_review_decide(
            acting_user=reviewers["fire"], review=review, approve=False, reasons=["理" * 100_000]
        )
    assert codes(caught.value)["reasons"] == "too_long"
    review.refresh_from_db()
    assert review.status == SubjectReview.Status.PENDING


def test_too_many_return_reasons_are_refused(submitted, reviewers):
    review = SubjectReview.objects.get(application=submitted, subject="fire")
    with pytest.raises(DomainError) as caught:
        services.subject_review_decide(
            acting_user=reviewers["fire"],
            review=review,
            approve=False,
            reasons=["消防通道堵塞"] * (checks.RETURN_REASONS_MAX + 1),
        )
    assert codes(caught.value)["reasons"] == "too_long"


def test_review_comment_is_limited(submitted, reviewers):
    review = SubjectReview.objects.get(application=submitted, subject="fire")
    with pytest.raises(DomainError) as caught:
        services.subject_review_decide(
            acting_user=reviewers["fire"],
            review=review,
            approve=True,
            comment="意" * (checks.REVIEW_COMMENT_MAX + 1),
        )
    assert codes(caught.value)["comment"] == "too_long"


def test_decision_note_is_limited(submitted, reviewers):
    app = approve_all(submitted, reviewers)
    with pytest.raises(DomainError) as caught:
        services.filing_decide(
            acting_user=reviewers["health"],
            application=app,
            approve=False,
            note="由" * (checks.DECISION_NOTE_MAX + 1),
        )
    assert codes(caught.value)["note"] == "too_long"


def test_cancellation_and_withdrawal_reasons_are_limited(institution_user, filed):
    with pytest.raises(DomainError) as caught:
        services.filing_cancellation_request(
            acting_user=institution_user,
            institution=filed,
            reason="停" * (checks.CANCELLATION_REASON_MAX + 1),
            cancelled_on=dt.date(2026, 1, 1),
        )
    assert codes(caught.value)["reason"] == "too_long"
    app = services.filing_start(acting_user=institution_user, institution=filed, kind="change")
    with pytest.raises(DomainError) as caught:
        services.filing_withdraw(
            acting_user=institution_user,
            application=app,
            reason="撤" * (checks.WITHDRAW_REASON_MAX + 1),
        )
    assert codes(caught.value)["reason"] == "too_long"


def test_review_page_shows_the_limits(client, submitted, reviewers):
    client.force_login(reviewers["fire"])
    page = client.get(reverse("filings:detail", args=[submitted.pk])).content.decode()
    assert f'maxlength="{checks.REVIEW_COMMENT_MAX}"' in page
    assert f"最多 {checks.REVIEW_COMMENT_MAX} 字" in page
    client.force_login(reviewers["health"])
    approve_all(submitted, reviewers)
    page = client.get(reverse("filings:detail", args=[submitted.pk])).content.decode()
    assert f'maxlength="{checks.DECISION_NOTE_MAX}"' in page
    assert f"最多 {checks.DECISION_NOTE_MAX} 字" in page


def test_review_form_with_a_huge_reason_answers_with_a_message(client, submitted, reviewers):
    review = SubjectReview.objects.get(application=submitted, subject="fire")
    client.force_login(reviewers["fire"])
    r = client.post(
        reverse("filings:review", args=[review.pk]),
        {"decision": "return", "reasons": "理" * 100_000},
        follow=True,
    )
    assert r.status_code == 200
    assert f"最多 {checks.RETURN_REASON_MAX} 字" in r.content.decode()
    review.refresh_from_db()
    assert review.status == SubjectReview.Status.PENDING


def test_cancel_and_edit_pages_show_the_limits(client, institution_user, filed):
    client.force_login(institution_user)
    page = client.get(reverse("filings:cancel_request")).content.decode()
    assert f'maxlength="{checks.CANCELLATION_REASON_MAX}"' in page
    assert f"最多 {checks.CANCELLATION_REASON_MAX} 字" in page
    app = services.filing_start(acting_user=institution_user, institution=filed, kind="change")
    page = client.get(reverse("filings:edit", args=[app.pk])).content.decode()
    for name in ("legal_representative", "address", "opening_hours"):
        limit = next(f.max_length for f in checks.BASIC_FACTS if f.name == name)
        assert f"最多 {limit} 字" in page


# --- point 8: receipt verification ---------------------------------------------------------


@pytest.mark.parametrize("number", ["a/b", "../x", "x" * 41, "编号/1", "a\\b", "%2F"])
def test_verify_form_never_crashes(client, number):
    r = client.get("/filings/verify/", {"number": number})
    assert r.status_code == 400
    assert "备案编号格式" in r.content.decode()


def test_verify_is_case_insensitive(client, api_client, filed):
    number = filed.filing_number
    assert number != number.lower()
    r = client.get(f"/filings/verify/{number.lower()}/")
    assert r.status_code == 200 and filed.name in r.content.decode()
    r = client.get("/filings/verify/", {"number": number.lower()})
    assert r.status_code == 302
    r = client.get(f"/api/v1/public/filings/{number.lower()}")
    assert r.status_code == 200 and r.json()["uscc"] == filed.uscc


def test_verify_of_an_overlong_number_is_404(client):
    assert client.get("/filings/verify/" + "A" * 5000 + "/").status_code == 404
    assert client.get("/api/v1/public/filings/" + "A" * 5000).status_code == 404
