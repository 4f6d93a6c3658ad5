"""GET /api/v1/public/institutions (API-CONTRACT §6): shape, public scope, no personal
data, filters, 422 cases, and age_months at the class-type boundaries (§9.1, P-STD-1)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from tests.factories import AffordableDesignationFactory, CareClassFactory
from tuoyu import policy
from tuoyu.institutions.selectors.public import PAGE_SIZE

URL = "/api/v1/public/institutions"
ITEM_KEYS = {
    "id",
    "name",
    "uscc",
    "township",
    "address",
    "affordable",
    "filing_number",
    "filed_on",
    "classes",
    "monthly_fee_yuan",
    "credit_rating",
    "last_inspection",
}


def get(params: dict | None = None):
    return Client().get(URL, params or {})


@pytest.fixture
def filed(make_filed):
    return make_filed(
        name="金华市金东区阳光托育有限公司",
        legal_representative="李四",
        address="金东区多湖街道光明路 8 号",
        monthly_fee_yuan=2800,
        classes=[("toddler_large", 20), ("infant", 10)],
    )


def test_shape_exactly_per_contract(filed, district):
    r = get()
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"count", "results"}
    assert body["count"] == 1
    [item] = body["results"]
    assert set(item) == ITEM_KEYS
    assert item["id"] == filed.pk
    assert item["name"] == "金华市金东区阳光托育有限公司"
    assert item["uscc"] == filed.uscc
    assert item["township"] == {"code": "330703001", "name": "多湖街道"}
    assert item["address"] == "金东区多湖街道光明路 8 号"
    assert item["affordable"] is False
    assert item["filing_number"] == filed.filing_number
    assert item["filed_on"] == "2024-01-10"
    # Classes in standard order; vacancies = capacity until children are enrolled.
    assert item["classes"] == [
        {"class_type": "infant", "capacity": 10, "vacancies": 10},
        {"class_type": "toddler_large", "capacity": 20, "vacancies": 20},
    ]
    assert item["monthly_fee_yuan"] == 2800
    assert item["credit_rating"] is None and item["last_inspection"] is None


def test_no_personal_data_in_the_answer(filed):
    raw = get().content.decode()
    assert "李四" not in raw
    assert "legal_representative" not in raw
    assert "phone" not in raw


def test_needs_no_token_and_ignores_a_bad_one(filed):
    r = Client(HTTP_AUTHORIZATION="Bearer nonsense").get(URL)
    assert r.status_code == 200 and r.json()["count"] == 1


def test_only_filed_not_cancelled_registered(make_filed, make_institution, filed):
    make_institution(name="未备案")  # not_filed
    make_institution(name="审核中", filing_status="in_review")
    make_filed(name="已注销备案", filing_status="cancelled")
    make_filed(name="已注销登记", registration_status="deregistered")
    names = [r["name"] for r in get().json()["results"]]
    assert names == [filed.name]


def test_filed_classes_only(filed):
    CareClassFactory(
        institution=filed, name="新班", class_type="mixed", capacity=18, status="proposed"
    )
    CareClassFactory(
        institution=filed, name="旧班", class_type="toddler_small", capacity=15, status="closed"
    )
    [item] = get().json()["results"]
    assert [c["class_type"] for c in item["classes"]] == ["infant", "toddler_large"]


def test_search_township_and_affordable(filed, make_filed, district, health_user):
    other = make_filed(name="东孝普惠托育园", township=district["dongxiao"])
    AffordableDesignationFactory(
        institution=other, starts_on=dt.date(2024, 1, 10), decision_ref="A"
    )
    assert [r["name"] for r in get({"q": "阳光"}).json()["results"]] == [filed.name]
    assert [r["name"] for r in get({"q": filed.uscc.lower()}).json()["results"]] == [filed.name]
    assert [r["name"] for r in get({"township": "330703002"}).json()["results"]] == [other.name]
    body = get({"affordable": "true"}).json()
    assert body["count"] == 1 and body["results"][0]["affordable"] is True
    assert [r["name"] for r in get({"affordable": "false"}).json()["results"]] == [filed.name]
    # Blank values from a plain form mean "not given".
    assert get({"q": "", "township": "", "affordable": "", "age_months": ""}).json()["count"] == 2


def test_pages_of_fixed_size(make_filed):
    for i in range(PAGE_SIZE + 3):
        make_filed(name=f"机构{i:03d}")
    first = get().json()
    assert first["count"] == PAGE_SIZE + 3 and len(first["results"]) == PAGE_SIZE
    second = get({"page": 2}).json()
    assert [r["name"] for r in second["results"]] == [
        f"机构{i:03d}" for i in range(PAGE_SIZE, PAGE_SIZE + 3)
    ]
    assert get({"page": 3}).json() == {"count": PAGE_SIZE + 3, "results": []}


def test_query_count_does_not_grow_with_rows(make_filed, django_assert_max_num_queries):
    for i in range(PAGE_SIZE):
        make_filed(name=f"机构{i:03d}", classes=[("infant", 10), ("toddler_small", 15)])
    # count, the page's ids (covering index: [scale] #10 point 6), their rows, their classes
    with django_assert_max_num_queries(4):
        body = get().json()
    assert len(body["results"]) == PAGE_SIZE


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"age_months": "abc"}, "age_months", "int_parsing"),
        ({"age_months": "-1"}, "age_months", "greater_than_equal"),
        ({"page": "0"}, "page", "greater_than_equal"),
        ({"page": "x"}, "page", "int_parsing"),
        ({"affordable": "maybe"}, "affordable", "bool_parsing"),
        ({"township": "999999999"}, "township", "unknown_region"),
        ({"township": "330703001001"}, "township", "unknown_region"),  # a village, not a township
    ],
)
def test_bad_query_values_are_422_problems(filed, params, field, code):
    r = get(params)
    assert r.status_code == 422
    assert r["Content-Type"] == "application/problem+json"
    body = json.loads(r.content)
    assert body["status"] == 422
    assert {"field": field, "code": code} == {k: body["errors"][0][k] for k in ("field", "code")}
    assert body["errors"][0]["message"]


@pytest.fixture
def by_type(make_filed):
    """One filed institution per class type, named by the type."""
    return {
        t: make_filed(name=t, classes=[(t, 10)])
        for t in ("infant", "toddler_small", "toddler_large", "mixed")
    }


def _types_for(age: int) -> list[str]:
    return sorted(r["name"] for r in get({"age_months": age}).json()["results"])


def test_age_months_at_the_class_type_boundaries(by_type):
    """§9.1: min inclusive, max exclusive; nothing under the minimum age (P-STD-1)."""
    classes = policy.at(policy.today()).classes
    infant, small, large, mixed = (
        classes["infant"],
        classes["toddler_small"],
        classes["toddler_large"],
        classes["mixed"],
    )
    assert _types_for(infant.min_age_months - 1) == []
    assert _types_for(infant.min_age_months) == ["infant"]
    assert _types_for(infant.max_age_months - 1) == ["infant"]
    assert _types_for(small.min_age_months) == ["toddler_small"]  # = infant max: excluded
    assert _types_for(mixed.min_age_months - 1) == ["toddler_small"]
    assert _types_for(mixed.min_age_months) == ["mixed", "toddler_small"]
    assert _types_for(small.max_age_months) == ["mixed", "toddler_large"]
    assert _types_for(large.max_age_months - 1) == ["mixed", "toddler_large"]
    assert _types_for(large.max_age_months) == []


def test_age_months_combines_with_other_filters(by_type, district):
    age = policy.at(policy.today()).classes["infant"].min_age_months
    assert _types_for(age) == ["infant"]
    assert get({"age_months": age, "q": "toddler"}).json()["count"] == 0
