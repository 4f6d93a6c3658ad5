"""API-CONTRACT §5: `GET /api/v1/institutions/{uscc}/subsidy-entitlement?year=YYYY` for
区卫健局 and 区财政局 tokens (P-SUB-1..3)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import AffordableDesignationFactory, CareClassFactory

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def affordable(make_institution):
    """30 slots filed 2021-01-04, affordable since: 2022 = 30 × 1600 = ¥48,000 (P-SUB-2)."""
    inst = make_institution(filed=True, filed_on=D(2021, 1, 4))
    AffordableDesignationFactory(institution=inst, starts_on=D(2021, 1, 4))
    CareClassFactory(
        institution=inst, class_type="mixed", capacity=30, status="filed", filed_on=D(2021, 3, 1)
    )
    return inst


def url(inst, year="2022"):
    return f"/api/v1/institutions/{inst.uscc}/subsidy-entitlement?year={year}"


@pytest.mark.parametrize("who", ["health_user", "finance_user"])
def test_health_and_finance_read_the_entitlement(request, who, affordable, api_client):
    """P-SUB-2 for 2022 (one item of ¥48,000); the body is exactly the contract's."""
    user = request.getfixturevalue(who)
    response = api_client(user).get(url(affordable))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {
        "year": 2022,
        "items": [
            {
                "policy_ref": "P-SUB-2",
                "description": body["items"][0]["description"],
                "quantity": 30.0,
                "unit_amount_yuan": 1600.0,
                "amount_yuan": 48000.0,
            }
        ],
        "total_yuan": 48000.0,
    }
    assert "运营补助" in body["items"][0]["description"]


def test_class_year_has_the_new_class_item(affordable, api_client, health_user):
    """P-SUB-1: the class filed 2021-03-01 while affordable = ¥50,000 in 2021, beside the
    year's operating subsidy (2021-01-04 .. 12-31 = 362 days with 0 slots until 03-01)."""
    body = api_client(health_user).get(url(affordable, "2021")).json()
    refs = {i["policy_ref"]: i["amount_yuan"] for i in body["items"]}
    assert refs["P-SUB-1"] == 50000.0
    # 2021-03-01 .. 12-31 = 306 days × 30 × 1600 / 365 = 40,241.0958… → 40,241.10
    assert refs["P-SUB-2"] == 40241.10
    assert body["total_yuan"] == 90241.10


@pytest.mark.parametrize("who", ["education_user", "township_user", "market_user"])
def test_other_departments_are_refused(request, who, affordable, api_client):
    response = api_client(request.getfixturevalue(who)).get(url(affordable))
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")


def test_an_institution_token_is_refused(affordable, api_client, make_user):
    own = make_user("xiaoxiangshu", institution=affordable)
    assert api_client(own).get(url(affordable)).status_code == 403


def test_unknown_uscc_is_404(api_client, health_user):
    response = api_client(health_user).get(
        "/api/v1/institutions/91330703MA0000999X/subsidy-entitlement?year=2022"
    )
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


@pytest.mark.parametrize(
    ("year", "code"), [("2019", "year_out_of_range"), ("2099", "year_not_started")]
)
def test_bad_years(year, code, affordable, api_client, finance_user):
    response = api_client(finance_user).get(url(affordable, year))
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == code


def test_year_missing_or_not_a_number(affordable, api_client, finance_user):
    client = api_client(finance_user)
    assert (
        client.get(f"/api/v1/institutions/{affordable.uscc}/subsidy-entitlement").status_code == 422
    )
    assert client.get(url(affordable, "abc")).status_code == 422


def test_no_token_is_401(affordable, client):
    assert client.get(url(affordable)).status_code == 401
