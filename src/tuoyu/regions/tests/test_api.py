"""GET /api/v1/regions (API-CONTRACT §1): `[{"code", "name", "level", "parent_code"}]`."""

from __future__ import annotations

import pytest

from tuoyu.regions import selectors

from .conftest import DISTRICT, JINDONG_TOWNSHIPS

pytestmark = pytest.mark.django_db

URL = "/api/v1/regions"


def get(client, raw=None, **params):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"} if raw else {}
    return client.get(URL, params, **headers)


def test_without_or_with_a_bad_token_is_401(client, jindong):
    for response in (get(client), get(client, "ty_not-a-token")):
        assert response.status_code == 401
        assert response["Content-Type"].startswith("application/problem+json")
        assert response.json()["errors"][0]["code"] == "not_authenticated"


def test_shape_is_exactly_the_contract(client, jindong, health_user, token_for):
    response = get(client, token_for(health_user))

    assert response.status_code == 200
    body = response.json()
    assert len(body) == 375
    assert all(set(item) == {"code", "name", "level", "parent_code"} for item in body)
    by_code = {item["code"]: item for item in body}
    assert by_code["33"] == {
        "code": "33",
        "name": "浙江省",
        "level": "province",
        "parent_code": None,
    }
    assert by_code[DISTRICT] == {
        "code": DISTRICT,
        "name": "金东区",
        "level": "district",
        "parent_code": "3307",
    }
    assert by_code["330703001"] == {
        "code": "330703001",
        "name": "多湖街道",
        "level": "township",
        "parent_code": DISTRICT,
    }
    assert by_code["330703001001"]["level"] == "village"
    assert [item["code"] for item in body] == sorted(by_code)


def test_filters_by_level_and_parent(client, jindong, health_user, token_for):
    raw = token_for(health_user)
    townships = get(client, raw, level="township").json()
    assert {t["code"]: t["name"] for t in townships} == JINDONG_TOWNSHIPS  # P-REG-1
    children = get(client, raw, parent="330703001").json()
    assert children and all(c["parent_code"] == "330703001" for c in children)
    assert {c["level"] for c in children} == {"village"}
    bad = get(client, raw, level="planet")
    assert bad.status_code == 422


@pytest.mark.parametrize("who", ["township_user", "institution_user", "education_user"])
def test_any_authenticated_token_gets_the_whole_tree(request, client, jindong, token_for, who):
    raw = token_for(request.getfixturevalue(who))
    response = get(client, raw, level="township")
    assert response.status_code == 200
    assert len(response.json()) == 11


def test_one_query(jindong, health_user, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = selectors.regions_for_api(acting_user=health_user)
    assert len(rows) == 375


def test_listed_in_openapi(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert "get" in doc["paths"]["/api/v1/regions"]
