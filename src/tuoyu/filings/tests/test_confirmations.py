"""[accounts-ux] #9 point 6: approve / return a subject review, decide (准予 / 不予备案),
withdraw and request a cancellation (注销) are confirmed before anything is written — a
server-side step (no script): the form posts to its view, which answers with a page stating
what will happen and a final button re-posting the same values with `confirmed=1`. The
decider then finds the receipt (download, verify link) on the application and on the
institution's 备案记录 tab; the download is audited."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tuoyu.audit.models import AuditEvent
from tuoyu.filings.models import FilingApplication, SubjectReview
from tuoyu.filings.tests.conftest import approve_all

pytestmark = pytest.mark.django_db


def hidden_fields(html: str) -> dict[str, list[str]]:
    """The confirmation form's hidden inputs (what the final button re-posts)."""
    out: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html):
        out.setdefault(name, []).append(value)
    return out


def audit_count() -> int:
    return AuditEvent.objects.count()


def test_a_decision_without_confirmation_shows_what_will_happen_and_changes_nothing(
    client, submitted, reviewers
):
    app = approve_all(submitted, reviewers)
    client.force_login(reviewers["health"])
    before = audit_count()

    r = client.post(reverse("filings:decide", args=[app.pk]), {"decision": "approve"})

    assert r.status_code == 200
    page = r.content.decode()
    assert 'data-testid="confirmation"' in page
    assert "准予备案后将发放备案编号并生成备案回执，机构状态变为已备案。" in page
    assert "决定作出后不能撤回。" in page
    assert hidden_fields(page)["confirmed"] == ["1"]
    assert hidden_fields(page)["decision"] == ["approve"]
    app.refresh_from_db()
    app.institution.refresh_from_db()
    assert app.status == FilingApplication.Status.AWAITING_DECISION
    assert app.institution.filing_number is None
    assert audit_count() == before  # the dry run left no trace


def test_the_confirmed_decision_decides(client, submitted, reviewers):
    app = approve_all(submitted, reviewers)
    client.force_login(reviewers["health"])
    page = client.post(reverse("filings:decide", args=[app.pk]), {"decision": "approve"})
    fields = {k: v[0] for k, v in hidden_fields(page.content.decode()).items()}
    fields.pop("csrfmiddlewaretoken", None)

    r = client.post(reverse("filings:decide", args=[app.pk]), fields)

    assert r.status_code == 302
    app.refresh_from_db()
    assert app.status == FilingApplication.Status.APPROVED
    assert app.institution.filing_number


def test_a_rejection_is_confirmed_with_its_note_and_category(client, submitted, reviewers):
    app = approve_all(submitted, reviewers)
    client.force_login(reviewers["health"])
    data = {"decision": "reject", "note": "无保健观察室", "rejection_category": "health_care"}
    page = client.post(reverse("filings:decide", args=[app.pk]), data).content.decode()
    assert "不予备案公示" in page and "无保健观察室" in page
    fields = hidden_fields(page)
    assert fields["note"] == ["无保健观察室"] and fields["rejection_category"] == ["health_care"]
    app.refresh_from_db()
    assert app.status == FilingApplication.Status.AWAITING_DECISION
    client.post(reverse("filings:decide", args=[app.pk]), {**data, "confirmed": "1"})
    app.refresh_from_db()
    assert (app.status, app.rejection_category) == ("rejected", "health_care")


def test_a_decision_the_service_refuses_shows_its_error_before_any_confirmation(
    client, submitted, reviewers
):
    """A rejection without its note is refused at once (the service's own message), not
    after a confirmation that could not succeed."""
    app = approve_all(submitted, reviewers)
    client.force_login(reviewers["health"])
    r = client.post(reverse("filings:decide", args=[app.pk]), {"decision": "reject"}, follow=True)
    page = r.content.decode()
    assert 'data-testid="confirmation"' not in page
    assert "不予备案时请填写理由" in page


def test_a_review_approval_is_confirmed_first(client, submitted, reviewers):
    fire = SubjectReview.objects.get(application=submitted, subject="fire")
    client.force_login(reviewers["fire"])
    url = reverse("filings:review", args=[fire.pk])

    page = client.post(url, {"decision": "approve", "comment": "符合"}).content.decode()

    assert "审核通过后，“消防安全”事项记为通过，不能再更改。" in page
    assert "所有事项均通过后，申请送区卫健局决定。" in page
    fire.refresh_from_db()
    assert fire.status == SubjectReview.Status.PENDING
    r = client.post(url, {"decision": "approve", "comment": "符合", "confirmed": "1"})
    assert r.status_code == 302
    fire.refresh_from_db()
    assert fire.status == SubjectReview.Status.APPROVED and fire.comment == "符合"


def test_a_return_carries_every_reason_through_the_confirmation(client, submitted, reviewers):
    fire = SubjectReview.objects.get(application=submitted, subject="fire")
    client.force_login(reviewers["fire"])
    url = reverse("filings:review", args=[fire.pk])
    page = client.post(
        url, {"decision": "return", "reasons": "疏散通道被占用\n安全出口指示灯缺失"}
    ).content.decode()
    assert "只重新审核被退回的事项" in page
    fields = hidden_fields(page)
    assert fields["reasons"] == ["疏散通道被占用", "安全出口指示灯缺失"]
    fire.refresh_from_db()
    assert fire.status == SubjectReview.Status.PENDING
    client.post(url, {"decision": "return", "reasons": fields["reasons"], "confirmed": "1"})
    fire.refresh_from_db()
    assert fire.status == SubjectReview.Status.RETURNED
    assert fire.reasons == ["疏散通道被占用", "安全出口指示灯缺失"]


def test_a_withdrawal_is_confirmed_first(client, submitted, institution_user):
    client.force_login(institution_user)
    url = reverse("filings:withdraw", args=[submitted.pk])
    page = client.post(url, {}).content.decode()
    assert "撤回后，本申请办结" in page
    submitted.refresh_from_db()
    assert submitted.status == FilingApplication.Status.IN_REVIEW
    client.post(url, {"confirmed": "1"})
    submitted.refresh_from_db()
    assert submitted.status == FilingApplication.Status.WITHDRAWN


def test_a_cancellation_request_is_confirmed_first(client, filed, institution_user):
    client.force_login(institution_user)
    url = reverse("filings:cancel_request")
    data = {"cancelled_on": "2026-06-30", "reason": "停办"}
    page = client.post(url, data).content.decode()
    assert "准予注销后，机构备案状态变为已注销" in page
    assert hidden_fields(page)["cancelled_on"] == ["2026-06-30"]
    assert not FilingApplication.objects.filter(kind="cancellation").exists()
    client.post(url, {**data, "confirmed": "1"})
    assert FilingApplication.objects.filter(kind="cancellation", institution=filed).exists()


def test_an_incomplete_cancellation_request_shows_its_errors_not_a_confirmation(
    client, filed, institution_user
):
    client.force_login(institution_user)
    r = client.post(reverse("filings:cancel_request"), {"cancelled_on": "2026-06-30"})
    assert r.status_code == 422
    assert "请填写注销原因" in r.content.decode()
    assert 'data-testid="confirmation"' not in r.content.decode()


def test_the_decider_finds_and_downloads_the_receipt(client, submitted, reviewers, institution):
    """The receipt on the application and on the institution's 备案记录 tab, downloaded by
    区卫健局 (200, a PDF) and audited."""
    app = approve_all(submitted, reviewers)
    health = reviewers["health"]
    client.force_login(health)
    client.post(reverse("filings:decide", args=[app.pk]), {"decision": "approve", "confirmed": "1"})
    institution.refresh_from_db()
    receipt_url = reverse("filings:receipt", args=[institution.pk])
    verify_url = reverse("filings:verify", args=[institution.filing_number])

    detail = client.get(reverse("filings:detail", args=[app.pk])).content.decode()
    assert 'data-testid="receipt-card"' in detail
    assert receipt_url in detail and verify_url in detail
    tab = client.get(
        reverse("institutions:detail", args=[institution.pk]), {"tab": "filings"}
    ).content.decode()
    assert receipt_url in tab and verify_url in tab

    r = client.get(receipt_url)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    (event,) = AuditEvent.objects.filter(action="filings.receipt.downloaded")
    assert event.actor_id == health.pk and event.object_id == str(institution.pk)
    assert event.detail["filing_number"] == institution.filing_number


def test_the_deciding_education_bureau_downloads_the_receipt_of_a_kindergarten(
    client, education_user, make_institution
):
    """P-REG-10: 区教体局 decides 托幼一体化 and opens the receipt it issued."""
    from tests.factories import InstitutionFactory

    kindergarten = InstitutionFactory(
        registration_authority="education",
        filing_status="filed",
        filing_number="TY330703-2026-0099",
    )
    client.force_login(education_user)
    r = client.get(reverse("filings:receipt", args=[kindergarten.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(
        action="filings.receipt.downloaded", actor_id=education_user.pk
    ).exists()
