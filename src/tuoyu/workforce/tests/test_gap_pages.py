"""The district staffing-gap list, paginated first ([scale] #10, [workforce] #11): a page
judges only its own institutions (P-STD-1, P-STD-2, P-HC-5), in a number of queries that does
not grow with the institutions of the scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.institutions import CareClassFactory, InstitutionFactory
from tuoyu.workforce import compliance, selectors

DAY = dt.date(2024, 6, 3)


@pytest.fixture
def make_many(district):
    """`n` filed institutions with one filed class and no staff (each has P-STD-1 gaps)."""

    def make(n, *, township="duohu"):
        out = []
        for _ in range(n):
            inst = InstitutionFactory(filed=True, township=district[township])
            CareClassFactory(institution=inst, filed=True)
            out.append(inst)
        return out

    return make


def _queries(**kwargs) -> int:
    with CaptureQueriesContext(connection) as ctx:
        page = selectors.district_gaps_page(day=DAY, **kwargs)
        assert page.object_list
    return len(ctx)


def test_p_std_1_gap_page_queries_do_not_grow_with_institutions(make_many, health_user):
    """P-STD-1: the same statements for 3 institutions as for 45 (a page of 20)."""
    make_many(3)
    few = _queries(acting_user=health_user, per_page=20)
    make_many(42)
    many = _queries(acting_user=health_user, per_page=20)
    assert many == few, (few, many)
    assert few <= 6


def test_p_std_1_gap_page_judges_only_its_institutions(make_many, health_user, monkeypatch):
    """P-STD-1: a page of 20 out of 45 judges 20 institutions, those it shows."""
    make_many(45)
    judged = []
    real = compliance.compliance_gaps

    def spy(ids, day):
        ids = list(ids)
        judged.append(ids)
        return real(ids, day)

    monkeypatch.setattr(compliance, "compliance_gaps", spy)
    page = selectors.district_gaps_page(acting_user=health_user, page=2, per_page=20, day=DAY)
    assert page.paginator.count == 45
    shown = [row["institution"].pk for row in page.object_list]
    assert judged == [shown]
    assert len(shown) == 20


def test_p_std_1_gap_pages_together_are_the_whole_list(make_many, health_user):
    """P-STD-1 / P-STD-2: the gaps of every page, together, are the unpaginated list."""
    make_many(7, township="duohu")
    make_many(5, township="dongxiao")
    whole = selectors.district_gaps(acting_user=health_user, day=DAY)
    paged = []
    for number in (1, 2, 3):
        page = selectors.district_gaps_page(
            acting_user=health_user, page=number, per_page=5, day=DAY
        )
        assert len(page.object_list) == (5, 5, 2)[number - 1]
        paged += page.with_gaps
    assert [(r["institution"].pk, r["gaps"]) for r in paged] == [
        (r["institution"].pk, r["gaps"]) for r in whole
    ]
    assert len(whole) == 12


def test_gap_page_keeps_the_callers_scope(make_many, township_user):
    """A township's account sees its township's institutions only, page by page."""
    make_many(4, township="duohu")
    make_many(3, township="dongxiao")
    expected = {
        r["institution"].pk for r in selectors.district_gaps(acting_user=township_user, day=DAY)
    }
    page = selectors.district_gaps_page(acting_user=township_user, per_page=50, day=DAY)
    assert page.paginator.count == len(expected) < 7
    assert {r["institution"].pk for r in page.object_list} == expected


def test_gap_page_bad_number_gives_nearest_page(make_many, health_user):
    make_many(3)
    assert selectors.district_gaps_page(acting_user=health_user, page="x", day=DAY).number == 1
    assert selectors.district_gaps_page(acting_user=health_user, page=99, day=DAY).number == 1


def test_the_gaps_page_shows_one_judged_page_with_a_pager(client, health_user, make_filed):
    """[scale] #10: the page judges only the institutions it shows (P-STD-2), 50 a page,
    and its pager keeps the chosen day."""
    from django.urls import reverse

    from tuoyu.institutions.models import Institution

    for i in range(53):
        make_filed(name=f"金东区配备{i:02d}号托育有限公司", filed_on=DAY)
    filed = Institution.objects.filter(filing_status="filed").count()
    client.force_login(health_user)
    first = client.get(reverse("workforce:gaps"), {"day": DAY.isoformat()}).content.decode()
    assert first.count("data-compliant=") == 50
    assert f"?day={DAY.isoformat()}&page=2" in first
    second = client.get(reverse("workforce:gaps"), {"day": DAY.isoformat(), "page": 2})
    assert second.content.decode().count("data-compliant=") == filed - 50
