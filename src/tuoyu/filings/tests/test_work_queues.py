"""[accounts-ux] #9 point 2: each role's home shows what waits for it, with counts, and the
navigation shows the same counts as badges — reviews per subject (the subject reviewers),
decisions waiting (区卫健局; 区教体局 for 托幼一体化, P-REG-10), the institution's returned
filing or unsubmitted draft, registrations not yet filed and overdue (区卫健局 and the
townships; P-REG-12 deadline `filing.registration_to_filing_deadline_days`). Counts are
scoped, cheap (the home page's number of queries does not grow with rows), and a role sees
no home link it cannot open."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import FilingApplicationFactory, InstitutionFactory, SubjectReviewFactory
from tuoyu.filings.models import FilingApplication

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - dt.timedelta(days=400)


def home(client, user) -> str:
    client.force_login(user)
    r = client.get("/")
    assert r.status_code == 200
    return r.content.decode()


def attr(html: str, testid: str, name: str) -> str | None:
    m = re.search(rf'data-testid="{testid}"[^>]*\bdata-{name}="([^"]*)"', html)
    return m.group(1) if m else None


def nav_badge(html: str, url_name: str) -> int:
    m = re.search(
        rf'data-testid="nav-badge" data-url-name="{re.escape(url_name)}"[^>]*>'
        r'(?:<span class="visually-hidden">[^<]*</span>)?(\d+)</span>',
        html,
    )
    return int(m.group(1)) if m else 0


def awaiting(**kwargs):
    return FilingApplicationFactory(
        submitted=True,
        status=FilingApplication.Status.AWAITING_DECISION,
        awaiting_decision_since=timezone.now() - dt.timedelta(days=3),
        **kwargs,
    )


def test_subject_reviewer_sees_its_pending_reviews_per_subject(client, fire_user, district):
    for _ in range(2):
        SubjectReviewFactory(subject="fire")
    SubjectReviewFactory(subject="security")  # not fire's
    page = home(client, fire_user)
    assert attr(page, "reviews-card", "total") == "2"
    assert 'data-subject="fire" data-count="2"' in page
    assert 'data-subject="security"' not in page
    assert nav_badge(page, "filings:queue") == 2


def test_deciders_see_the_decisions_waiting_for_them(client, health_user, education_user, district):
    """P-REG-10: 区教体局 counts the 托幼一体化 it registered, 区卫健局 every other."""
    awaiting()
    awaiting()
    awaiting(institution=InstitutionFactory(registration_authority="education"))
    page = home(client, health_user)
    assert attr(page, "decisions-card", "count") == "2"
    assert nav_badge(page, "filings:queue") == 2
    page = home(client, education_user)
    assert attr(page, "decisions-card", "count") == "1"
    assert nav_badge(page, "filings:queue") == 1


def test_the_institution_sees_its_returned_filing_to_fix(client, institution, institution_user):
    FilingApplicationFactory(
        institution=institution, submitted=True, status=FilingApplication.Status.RETURNED
    )
    page = home(client, institution_user)
    assert attr(page, "own-work-card", "status") == "returned"
    assert "修改并重新提交" in page
    assert nav_badge(page, "filings:mine") == 1


def test_the_institution_sees_its_draft_not_submitted(client, institution, institution_user):
    FilingApplicationFactory(institution=institution)
    page = home(client, institution_user)
    assert attr(page, "own-work-card", "status") == "draft"
    assert nav_badge(page, "filings:mine") == 1


def test_nothing_waiting_shows_no_badge(client, institution_user, fire_user):
    page = home(client, institution_user)
    assert 'data-testid="own-work-card"' not in page
    assert 'data-testid="nav-badge"' not in page
    page = home(client, fire_user)
    assert attr(page, "reviews-card", "total") == "0"
    assert 'data-testid="nav-badge"' not in page


def test_unfiled_and_overdue_registrations_for_health_and_scoped_for_a_township(
    client, health_user, township_user, district
):
    """P-REG-12: 区卫健局 counts the district, 多湖街道 its own township only."""
    InstitutionFactory(township=district["duohu"], registered_at=LONG_AGO)  # overdue
    InstitutionFactory(township=district["duohu"])  # within the deadline
    InstitutionFactory(township=district["dongxiao"], registered_at=LONG_AGO)
    InstitutionFactory(township=district["duohu"], filed=True, registered_at=LONG_AGO)

    page = home(client, health_user)
    assert (attr(page, "unfiled-card", "unfiled"), attr(page, "unfiled-card", "overdue")) == (
        "3",
        "2",
    )
    assert nav_badge(page, "institutions:registrations") == 2

    page = home(client, township_user)
    assert (attr(page, "unfiled-card", "unfiled"), attr(page, "unfiled-card", "overdue")) == (
        "2",
        "1",
    )
    assert nav_badge(page, "institutions:list") == 1


def test_roles_that_follow_no_queue_see_no_queue_card(client, finance_user, market_user):
    for user in (finance_user, market_user):
        page = home(client, user)
        assert 'data-testid="unfiled-card"' not in page
        assert 'data-testid="decisions-card"' not in page
    assert 'data-testid="reviews-card"' not in home(client, finance_user)


def test_the_home_page_queries_do_not_grow_with_rows(client, health_user, district):
    def queries() -> int:
        client.force_login(health_user)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx.captured_queries)

    awaiting()
    SubjectReviewFactory(subject="health_care")
    InstitutionFactory(registered_at=LONG_AGO)
    few = queries()
    for _ in range(5):
        awaiting()
        SubjectReviewFactory(subject="health_care")
        InstitutionFactory(registered_at=LONG_AGO)
    page = home(client, health_user)
    assert attr(page, "decisions-card", "count") == "6"
    assert queries() == few


def test_statistics_import_is_named_only_to_those_who_may_import(
    client, health_user, fire_user, finance_user, township_user
):
    assert "导入年度统计数据" in home(client, health_user)
    for user in (fire_user, finance_user, township_user):
        assert "导入年度统计数据" not in home(client, user)


ROLES = [
    "health_user",
    "market_user",
    "civil_user",
    "education_user",
    "finance_user",
    "fire_user",
    "township_user",
    "institution_user",
    "system_user",
]
HREF = re.compile(r'href="(/[^"]*)"')


@pytest.mark.parametrize("role", ROLES)
def test_every_link_on_a_roles_home_opens_for_it(client, request, role, district):
    """No home link (nav, tiles, cards) answers 403 — or anything but 200 — for the role
    that sees it; with a queue item in each card so that every card's links show."""
    SubjectReviewFactory(subject="fire")
    awaiting()
    InstitutionFactory(registered_at=LONG_AGO)
    user = request.getfixturevalue(role)
    if role == "institution_user":
        FilingApplicationFactory(
            institution=user.institution, submitted=True, status=FilingApplication.Status.RETURNED
        )
    page = home(client, user)
    links = {
        h.replace("&amp;", "&").split("#")[0]
        for h in HREF.findall(page)
        if not h.startswith("/static/")
    }
    assert links
    refused = {}
    for link in sorted(links):
        try:
            status = client.get(link).status_code
        except Exception as exc:  # a broken page is as bad as a refused one
            status = type(exc).__name__
        if status != 200:
            refused[link] = status
    assert refused == {}, role
