"""P-REG-10 integrated kindergarten–nurseries (托幼一体化, issue 7 point 2).

An institution registered by 区教体局 (registration authority `education`) is managed as a
kindergarten: 区教体局 decides its filing and sees its applications; the four subject
reviews stay with the subject departments; 区卫健局 sees the applications (statistics) but
does not decide them. Every other institution is decided by 区卫健局, never by 区教体局.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tuoyu.core.errors import DomainError
from tuoyu.filings import selectors, services
from tuoyu.filings.models import FilingApplication, SubjectReview
from tuoyu.filings.tests.conftest import BASIC, approve_all, fill
from tuoyu.institutions.selectors.directory import institutions_directory

pytestmark = pytest.mark.django_db

KINDERGARTEN_BASIC = {**BASIC, "operating_mode": "kindergarten_class"}
KINDERGARTEN_CLASSES = [("托大一班", "toddler_large", 20)]


@pytest.fixture
def kindergarten(make_institution):
    inst = make_institution(name="金华市金东区春苗幼儿园", legal_form="kindergarten")
    assert inst.registration_authority == "education"
    return inst


def submit_kindergarten(make_user, kindergarten, reviewers, *, n=1):
    """The kindergarten files; the four subject departments approve: it awaits a decision."""
    user = make_user(f"youeryuan{n}", institution=kindergarten)
    app = services.filing_start(acting_user=user, institution=kindergarten, kind="initial")
    fill(user, app, basic=KINDERGARTEN_BASIC, classes=KINDERGARTEN_CLASSES)
    services.filing_submit(acting_user=user, application=app, commitment_accepted=True)
    app.refresh_from_db()
    assert app.status == FilingApplication.Status.IN_REVIEW
    # the subject reviews stay with the subject departments
    assert SubjectReview.objects.filter(application=app, status="pending").count() == 4
    return approve_all(app, reviewers)


@pytest.fixture
def awaiting(make_user, kindergarten, reviewers):
    app = submit_kindergarten(make_user, kindergarten, reviewers)
    assert app.status == FilingApplication.Status.AWAITING_DECISION
    return app


def test_p_reg_10_education_sees_and_decides_a_kindergarten_nursery(
    awaiting, kindergarten, education_user
):
    assert selectors.application_get(acting_user=education_user, pk=awaiting.pk) == awaiting
    assert list(selectors.decision_queue(acting_user=education_user)) == [awaiting]
    assert education_user.has_perm("filings.decide", awaiting)
    services.filing_decide(acting_user=education_user, application=awaiting, approve=True)
    awaiting.refresh_from_db()
    kindergarten.refresh_from_db()
    assert awaiting.status == FilingApplication.Status.APPROVED
    assert awaiting.decided_by == education_user
    assert kindergarten.filing_status == "filed" and kindergarten.filing_number


def test_p_reg_10_education_rejects_a_kindergarten_nursery(awaiting, kindergarten, education_user):
    services.filing_decide(
        acting_user=education_user,
        application=awaiting,
        approve=False,
        note="场地不符合要求",
        rejection_category=FilingApplication.RejectionCategory.PREMISES,
    )
    awaiting.refresh_from_db()
    kindergarten.refresh_from_db()
    assert awaiting.status == FilingApplication.Status.REJECTED
    assert kindergarten.filing_status == "not_filed"


def test_p_reg_10_health_bureau_sees_but_does_not_decide_it(awaiting, health_user, client):
    # sees it (statistics) …
    assert selectors.application_get(acting_user=health_user, pk=awaiting.pk) == awaiting
    assert awaiting in selectors.applications_list(acting_user=health_user)
    # … but it is not in its decision queue and it may not decide it
    assert awaiting not in selectors.decision_queue(acting_user=health_user)
    assert not health_user.has_perm("filings.decide", awaiting)
    with pytest.raises(DomainError) as exc:
        services.filing_decide(acting_user=health_user, application=awaiting, approve=True)
    assert exc.value.code == "out_of_scope" and exc.value.status == 403
    assert "区教体局" in exc.value.message
    awaiting.refresh_from_db()
    assert awaiting.status == FilingApplication.Status.AWAITING_DECISION

    client.force_login(health_user)
    page = client.get(reverse("filings:detail", args=[awaiting.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert 'data-testid="decision-form"' not in content
    assert "区教体局" in content  # who decides it
    r = client.post(
        reverse("filings:decide", args=[awaiting.pk]), {"decision": "approve", "confirmed": "1"}
    )
    awaiting.refresh_from_db()
    assert awaiting.status == FilingApplication.Status.AWAITING_DECISION
    assert "区教体局" in client.get(r.url).content.decode()


def test_p_reg_10_education_decides_in_the_pages(awaiting, education_user, client):
    client.force_login(education_user)
    queue = client.get(reverse("filings:queue"))
    assert queue.status_code == 200
    assert reverse("filings:detail", args=[awaiting.pk]) in queue.content.decode()
    page = client.get(reverse("filings:detail", args=[awaiting.pk]))
    assert 'data-testid="decision-form"' in page.content.decode()
    client.post(
        reverse("filings:decide", args=[awaiting.pk]), {"decision": "approve", "confirmed": "1"}
    )
    awaiting.refresh_from_db()
    assert awaiting.status == FilingApplication.Status.APPROVED


def test_p_reg_10_health_bureau_still_decides_ordinary_filings(
    submitted, reviewers, health_user, education_user, client
):
    app = approve_all(submitted, reviewers)
    assert app.status == FilingApplication.Status.AWAITING_DECISION
    # 区教体局 neither sees nor decides an institution it did not register
    assert app not in selectors.applications_list(acting_user=education_user)
    assert list(selectors.decision_queue(acting_user=education_user)) == []
    assert not education_user.has_perm("filings.decide", app)
    with pytest.raises(DomainError) as exc:
        services.filing_decide(acting_user=education_user, application=app, approve=True)
    assert exc.value.code == "out_of_scope" and exc.value.status == 403
    client.force_login(education_user)
    r = client.post(reverse("filings:decide", args=[app.pk]), {"decision": "approve"})
    assert r.status_code == 404  # outside its scope, as for what does not exist
    app.refresh_from_db()
    assert app.status == FilingApplication.Status.AWAITING_DECISION

    assert app in selectors.decision_queue(acting_user=health_user)
    services.filing_decide(acting_user=health_user, application=app, approve=True)
    app.refresh_from_db()
    assert app.status == FilingApplication.Status.APPROVED


def test_p_reg_10_other_departments_decide_nothing(awaiting, market_user):
    assert not market_user.has_perm("filings.decide")
    assert not market_user.has_perm("filings.decide", awaiting)
    with pytest.raises(DomainError) as exc:
        services.filing_decide(acting_user=market_user, application=awaiting, approve=True)
    assert exc.value.code == "out_of_scope"


def test_p_reg_10_education_sees_its_institutions_and_their_review_times(
    awaiting, kindergarten, education_user
):
    assert kindergarten in institutions_directory(acting_user=education_user)
    rows = {r.subject: r for r in selectors.waiting_report(acting_user=education_user)}
    assert all(rows[s].decided == 1 for s in ("fire", "security", "food", "health_care"))


def test_p_reg_10_subject_reviews_stay_with_the_subject_departments(
    make_user, kindergarten, education_user
):
    user = make_user("youeryuan9", institution=kindergarten)
    app = services.filing_start(acting_user=user, institution=kindergarten, kind="initial")
    fill(user, app, basic=KINDERGARTEN_BASIC, classes=KINDERGARTEN_CLASSES)
    services.filing_submit(acting_user=user, application=app, commitment_accepted=True)
    # 区教体局 sees the application but reviews no subject of it
    assert selectors.application_get(acting_user=education_user, pk=app.pk) == app
    assert list(selectors.review_queue(acting_user=education_user)) == []
