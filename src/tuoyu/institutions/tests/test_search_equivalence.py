"""[scale] #10: the public search's one statement (`selectors.public_search`) answers what the
ORM definition of the public scope (`public_institutions` + `public_institutions_page`)
answers — same rows in the same order, same count, same classes and facts — for every filter
and their combinations, deep pages and pages past the end; and the API's body, rendered
without schema validation, is exactly what `PublicInstitutionPageOut` makes of it."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import AffordableDesignationFactory
from tuoyu.institutions import public_facts
from tuoyu.institutions.api.public import PublicInstitutionPageOut
from tuoyu.institutions.selectors import public as orm
from tuoyu.institutions.selectors import public_search

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 6, 1)


@pytest.fixture
def population(make_filed, make_institution, district):
    a = make_filed(
        name="金华市金东区婴童乐园托育有限公司",
        address="多湖街道光明路1号",
        classes=[("infant", 10), ("toddler_large", 20)],
        monthly_fee_yuan=2600,
    )
    b = make_filed(
        name="金华市金东区阳光托育有限公司",
        address="东孝街道孝顺路8号",
        township=district["dongxiao"],
        classes=[("toddler_small", 15)],
    )
    make_filed(name="金华市金东区小太阳幼儿托管中心", address="多湖街道童心路2号", classes=[])
    make_filed(name="金东区“100%”_托育*有限公司 OR", address="多湖街道")
    for n in range(25):
        make_filed(name=f"金东区第{n:02d}托育园", classes=[("mixed", 12)])
    make_filed(name="金东区已注销托育园", registration_status="deregistered")
    make_institution(name="金东区未备案托育园", filing_status="not_filed")
    # 普惠: a (today, open-ended), b (ended before DAY), the 3rd a future one after an
    # earlier period covering DAY (the stored "latest" starts after the day).
    AffordableDesignationFactory(institution=a, starts_on=dt.date(2025, 1, 1))
    AffordableDesignationFactory(
        institution=b, starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2025, 12, 31)
    )
    c = orm.Institution.objects.get(name="金东区第03托育园")
    AffordableDesignationFactory(
        institution=c, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31)
    )
    AffordableDesignationFactory(institution=c, starts_on=dt.date(2027, 1, 1))
    return district


def as_tuple(page):
    return (
        page.count,
        [
            (
                r.id,
                r.name,
                r.uscc,
                r.township,
                r.address,
                r.affordable,
                r.filing_number,
                r.filed_on,
                [(c.class_type, c.class_type_label, c.capacity, c.vacancies) for c in r.classes],
                r.monthly_fee_yuan,
                r.credit_rating,
                r.last_inspection,
                r.opening_hours,
            )
            for r in page.results
        ],
    )


QUERIES = (None, "托育", "婴童", "东孝", "托育 婴童", "小太阳幼", "100%", '"', "_", "托育园 第0")
FILTERS = itertools.product(QUERIES, (None, True, False), (None, 8, 20, 30))


@pytest.mark.parametrize(("q", "affordable", "age_months"), list(FILTERS))
def test_the_one_statement_answers_what_the_orm_answers(population, q, affordable, age_months):
    kwargs = {"q": q, "affordable": affordable, "age_months": age_months, "on_date": DAY}
    for page in (1, 2, 9):
        expected = orm.public_institutions_page(orm.public_institutions(**kwargs), page)
        got = public_search.public_page(page=page, **kwargs)
        assert as_tuple(got) == as_tuple(expected), (q, affordable, age_months, page)


def test_township_and_uscc(population):
    district = population
    uscc = orm.Institution.objects.get(name="金华市金东区阳光托育有限公司").uscc
    for kwargs in (
        {"township": district["dongxiao"].code},
        {"township": district["dongxiao"].code, "q": "托育"},
        {"q": uscc},
        {"q": uscc.lower()},
    ):
        expected = orm.public_institutions_page(orm.public_institutions(**kwargs), 1)
        assert as_tuple(public_search.public_page(**kwargs)) == as_tuple(expected), kwargs
    with pytest.raises(orm.DomainError):
        public_search.public_page(township="330703999")


def test_facts_of_the_providers_come_through(population):
    """Vacancies and the supervision facts from registered providers, as the ORM path."""

    def enrolled(class_ids):
        return dict.fromkeys(class_ids, 3)

    def facts(ids):
        return {
            i: {"credit_rating": "A", "last_inspection": {"date": DAY, "result": "合格"}}
            for i in ids
        }

    public_facts.register_enrolment_counter(enrolled)
    public_facts.register_institution_facts(facts)
    try:
        expected = orm.public_institutions_page(orm.public_institutions(q="托育"), 1)
        got = public_search.public_page(q="托育")
    finally:
        public_facts.unregister(enrolled)
        public_facts.unregister(facts)
    assert as_tuple(got) == as_tuple(expected)
    assert got.results[0].credit_rating == "A"


def test_a_page_is_one_statement_with_its_count(population, monkeypatch):
    """The count and the page from one search; without text, the count and the page (the
    providers of other apps, one query each, left out here)."""
    monkeypatch.setattr(public_facts, "_enrolment", {})
    monkeypatch.setattr(public_facts, "_facts", {})
    with CaptureQueriesContext(connection) as searched:
        page = public_search.public_page(q="托育")
    assert len(searched.captured_queries) == 1
    assert page.count == 28
    with CaptureQueriesContext(connection) as plain:
        deep = public_search.public_page(page=2)
    assert len(plain.captured_queries) == 2
    assert deep.count == 29 and len(deep.results) == 9
    with CaptureQueriesContext(connection) as past:
        beyond = public_search.public_page(q="托育", page=50)
    assert (beyond.count, beyond.results) == (28, [])
    assert len(past.captured_queries) == 2  # no row carries the count: counted apart


def test_the_api_body_is_what_the_schema_makes_of_it(population):
    """The API renders its body without validating it again: every answer must already be
    exactly `PublicInstitutionPageOut`'s (same keys, types and values)."""
    client = Client()
    for params in ({}, {"q": "托育"}, {"affordable": "true"}, {"age_months": "20", "page": "2"}):
        response = client.get("/api/v1/public/institutions", params)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json; charset=utf-8"
        body = response.json()
        assert body["count"] > 0 or params.get("page")
        assert PublicInstitutionPageOut.model_validate(body).model_dump(mode="json") == body
