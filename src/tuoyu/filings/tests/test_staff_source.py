"""P-STD-2 / P-WF-1: an institution keeping a roster files the roster's staff counts, not
typed ones (`filings.staff_source`). A fake provider stands in for the roster here: filings
never imports the app that keeps it (floor 9)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tuoyu.audit.models import AuditEvent
from tuoyu.core.errors import DomainError
from tuoyu.filings import services, staff_source
from tuoyu.filings.catalogue import FilingsError
from tuoyu.filings.models import FilingApplication
from tuoyu.filings.tests.conftest import STAFF, approve_all, fill

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)

ROSTER = {
    "principal": {"count": 1, "certified": 1},
    "caregiver": {"count": 9, "certified": 6},
    "health_worker": {"count": 1, "certified": 1},
    "cook": {"count": 2, "certified": 2},
    "security": {"count": 1, "certified": 1},
    "other": {"count": 1, "certified": 0},
}


class FakeRoster:
    """Answers for the institutions given `counts`; every other one has no roster."""

    def __init__(self):
        self.counts: dict[int, dict] = {}
        self.asked: list = []

        def fake_roster(institution_id, day):
            self.asked.append((institution_id, day))
            return self.counts.get(institution_id)

        self.provider = fake_roster


@pytest.fixture
def roster():
    fake = FakeRoster()
    staff_source.register_staff_source(fake.provider)
    yield fake
    staff_source.unregister(fake.provider)


def _draft(user, institution):
    app = services.filing_start(
        acting_user=user, institution=institution, kind=FilingApplication.Kind.INITIAL
    )
    return fill(user, app)


def _submitted_event(app, action="filings.application.submitted"):
    return AuditEvent.objects.filter(action=action, object_id=str(app.pk)).latest("pk")


def test_registry_answers_none_without_provider_and_cleans_a_provider_answer(roster, institution):
    """P-STD-2: no answer → None (typed counts); an answer comes back in the form's shape,
    every role present."""
    assert staff_source.roster_staff(institution, DAY) is None
    roster.counts[institution.pk] = {"caregiver": {"count": 3, "certified": 2}}
    got = staff_source.roster_staff(institution, DAY)
    assert got["caregiver"] == {"count": 3, "certified": 2}
    assert got["principal"] == {"count": 0, "certified": 0}
    assert set(got) == set(ROSTER)
    assert roster.asked[-1] == (institution.pk, DAY)
    staff_source.unregister(roster.provider)
    assert staff_source.roster_staff(institution, DAY) is None


def test_typed_staff_refused_when_the_institution_keeps_a_roster(
    roster, institution_user, institution
):
    """P-WF-1: the roster's counts, never typed ones; the refusal is catalogued (409)."""
    app = _draft(institution_user, institution)
    roster.counts[institution.pk] = ROSTER
    with pytest.raises(DomainError) as exc:
        services.filing_update_staff(acting_user=institution_user, application=app, staff=STAFF)
    assert exc.value.code == FilingsError.STAFF_FROM_ROSTER
    assert exc.value.status == 409 and exc.value.errors[0].field == "staff"
    app.refresh_from_db()
    assert app.facts["staff"] == STAFF  # nothing written


def test_submission_files_the_roster_counts_and_records_it(roster, institution_user, institution):
    """P-STD-2 / P-WF-1: whatever the draft held, the submission files the roster's counts
    of the submission day, and its audit event says so."""
    app = _draft(institution_user, institution)
    roster.counts[institution.pk] = ROSTER
    services.filing_submit(acting_user=institution_user, application=app, commitment_accepted=True)
    app.refresh_from_db()
    assert app.status == "in_review"
    assert app.facts["staff"] == ROSTER
    assert _submitted_event(app).detail["staff_source"] == "roster"


def test_roster_counts_are_checked_like_typed_ones(roster, institution_user, institution):
    """P-STD-2: a roster without a principal keeps the application from being submitted."""
    app = _draft(institution_user, institution)
    roster.counts[institution.pk] = {**ROSTER, "principal": {"count": 0, "certified": 0}}
    with pytest.raises(DomainError) as exc:
        services.filing_submit(
            acting_user=institution_user, application=app, commitment_accepted=True
        )
    assert ("staff_missing", "staff.principal") in [(e.code, e.field) for e in exc.value.errors]
    app.refresh_from_db()
    assert app.status == "draft" and app.facts["staff"] == STAFF  # nothing half written


def test_without_roster_the_typed_counts_are_filed(roster, institution_user, institution):
    app = _draft(institution_user, institution)
    services.filing_submit(acting_user=institution_user, application=app, commitment_accepted=True)
    app.refresh_from_db()
    assert app.facts["staff"] == STAFF
    assert _submitted_event(app).detail["staff_source"] == "typed"


def test_resubmission_takes_the_roster_again(roster, institution_user, institution, reviewers):
    """P-REG-12 resubmission after a return: the roster of that day is filed."""
    from tuoyu.filings.models import SubjectReview

    app = _draft(institution_user, institution)
    services.filing_submit(acting_user=institution_user, application=app, commitment_accepted=True)
    review = SubjectReview.objects.get(application=app, subject="fire")
    services.subject_review_decide(
        acting_user=reviewers["fire"], review=review, approve=False, reasons=["缺少灭火器配置图"]
    )
    roster.counts[institution.pk] = ROSTER
    app.refresh_from_db()
    services.filing_submit(acting_user=institution_user, application=app, commitment_accepted=True)
    app.refresh_from_db()
    assert app.facts["staff"] == ROSTER
    event = _submitted_event(app, "filings.application.resubmitted")
    assert event.detail["staff_source"] == "roster"


def test_change_filing_takes_the_roster_and_is_reviewed_on_staff(
    roster, submitted, reviewers, institution_user, institution
):
    """P-FIL-3: a change whose only change is the roster's staffing is a staff change
    (reviewed by security and health care)."""
    services.filing_decide(
        acting_user=reviewers["health"], application=approve_all(submitted, reviewers), approve=True
    )
    institution.refresh_from_db()
    app = services.filing_start(
        acting_user=institution_user, institution=institution, kind="change"
    )
    roster.counts[institution.pk] = ROSTER
    services.filing_submit(acting_user=institution_user, application=app, commitment_accepted=True)
    app.refresh_from_db()
    assert app.facts["staff"] == ROSTER
    assert {"security", "health_care"} <= set(app.subjects)
    assert _submitted_event(app).detail["staff_source"] == "roster"


def test_edit_page_shows_roster_read_only_and_refuses_typed_counts(
    roster, client, institution_user, institution
):
    """P-STD-2 / P-WF-1 on the page: the sentence, the link to the roster, no staff inputs;
    a stale form posting counts is refused with the catalogued message."""
    app = _draft(institution_user, institution)
    client.force_login(institution_user)
    edit = reverse("filings:edit", args=[app.pk])
    page = client.get(edit).content.decode()
    assert 'name="staff-caregiver-count"' in page  # no roster: typed
    roster.counts[institution.pk] = ROSTER
    page = client.get(edit).content.decode()
    assert "人员配备取自本机构的从业人员名册（更新名册后自动同步）" in page
    assert reverse("workforce:my_roster") in page
    assert 'name="staff-' not in page
    assert 'data-testid="staff-caregiver-count">9<' in page
    r = client.post(edit, {"staff-caregiver-count": "9", "staff-caregiver-certified": "6"})
    assert r.status_code == 409
    assert "不能手工填写" in r.content.decode()
    app.refresh_from_db()
    assert app.facts["staff"] == STAFF
