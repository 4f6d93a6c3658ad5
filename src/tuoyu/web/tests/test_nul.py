"""NUL characters never reach the database (PostgreSQL text cannot hold them): a clear
error instead of a server error, for API and pages, query strings, forms and JSON."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/public/institutions?q=%00",
        "/api/v1/public/institutions?township=%00",
        "/api/v1/public/filings/a%00b",
    ],
)
def test_api_refuses_nul_with_a_problem(client, district, url):
    response = client.get(url)
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["code"] == "invalid_character"


def test_json_body_with_nul_is_refused(api_client, market_user):
    response = api_client(market_user).post(
        "/api/v1/registrations",
        '{"event_id": "X\\u0000", "authority": "market_regulation"}',
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "invalid_character"


def test_pages_refuse_nul_in_query_and_form(client, make_user):
    assert client.get("/public/institutions/?q=%00").status_code == 400
    response = client.post("/login/", {"username": "a\x00", "password": "x"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
