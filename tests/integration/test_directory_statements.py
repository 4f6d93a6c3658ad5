"""[scale] #10 point 4: a directory page costs a bounded number of statements, the same at
20, 50 and 100 rows (no N+1), and the navigation's badges of a request are one statement.

Before: 13 statements for 区卫健局 (session, user, its TOTP device, department, the
township list, the count, the page's ids, their rows, two permission lookups) of which three
were the badges (the overdue registrations, the reviews, the decisions: one query each).
After: the badges' querysets are counted together (`web.navigation.count_together`): 11,
plus one for each entry whose badge is still a callable of its own (`NavEntry.badge`)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tuoyu.web.navigation import count_together, entries_for

pytestmark = pytest.mark.django_db

DIRECTORY_STATEMENTS_MAX = 11


def _statements(client, url) -> list[str]:
    client.get(url)  # warm: session, permissions
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_a_directory_page_costs_the_bounded_statements_whatever_its_size(
    client, health_user, make_filed, make_institution
):
    for n in range(110):
        make_filed(name=f"托育机构{n:03d}")
    long_ago = timezone.now() - dt.timedelta(days=400)
    make_institution(name="逾期未备案托育园", filing_status="not_filed", registered_at=long_ago)
    client.force_login(health_user)
    sizes = {size: _statements(client, f"/institutions/?per_page={size}") for size in (20, 100)}
    # Entries that still count their badge with a callable of their own (a query each)
    # instead of `badge_queries`: allowed, but each one is a statement more.
    unbatched = [
        e
        for e in entries_for_user_entries(health_user)
        if e.badge is not None and e.badge_queries is None
    ]
    bound = DIRECTORY_STATEMENTS_MAX + len(unbatched)
    assert len(sizes[20]) == len(sizes[100]) <= bound, "\n".join(s[:150] for s in sizes[100])
    badge_statements = [sql for sql in sizes[100] if "badge_0" in sql]
    assert len(badge_statements) == 1, sizes[100]


def entries_for_user_entries(user):
    """The registered entries the user sees (their permission held)."""
    from tuoyu.web.navigation import registered_entries

    return [e for e in registered_entries() if not e.permission or user.has_perm(e.permission)]


def test_the_badges_count_what_their_queues_hold(health_user, make_institution):
    long_ago = timezone.now() - dt.timedelta(days=400)
    make_institution(name="逾期一", filing_status="not_filed", registered_at=long_ago)
    make_institution(name="逾期二", filing_status="not_filed", registered_at=long_ago)
    make_institution(name="未逾期", filing_status="not_filed", registered_at=timezone.now())
    from tuoyu.institutions.selectors.registration import unfiled_counts

    badges = {e["url_name"]: e["badge"] for e in entries_for(health_user)}
    assert (
        badges["institutions:registrations"]
        == unfiled_counts(acting_user=health_user)["overdue"]
        == 2
    )
    assert badges["institutions:list"] == 0  # 区卫健局 follows them as registrations


def test_count_together_counts_each_queryset_and_skips_the_empty(make_filed):
    from tuoyu.institutions.models import Institution

    make_filed(name="甲")
    make_filed(name="乙")
    with CaptureQueriesContext(connection) as ctx:
        counts = count_together(
            [
                Institution.objects.all(),
                Institution.objects.filter(name="甲"),
                Institution.objects.none(),
                Institution.objects.filter(pk__in=[]),
            ]
        )
    assert counts == [2, 1, 0, 0]
    assert len(ctx.captured_queries) == 1
    with CaptureQueriesContext(connection) as ctx:
        assert count_together([Institution.objects.none()]) == [0]
    assert ctx.captured_queries == []
