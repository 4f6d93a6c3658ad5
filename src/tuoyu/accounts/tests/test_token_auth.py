"""[scale] #10 point 7: a bearer token is authenticated in one indexed statement (key hash →
user with what its scope needs), the scope is built once per request from the rows of that
statement, and a revoked token or a disabled user stops at the very next request (no cache
outlives the request; API-CONTRACT §0: 401 without a valid token)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tuoyu.accounts.services import api_token_authenticate, api_token_issue, api_token_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def shichang(make_user):
    return make_user("shichang", department="market_regulation")


def _authenticate_counting(raw):
    with CaptureQueriesContext(connection) as ctx:
        user = api_token_authenticate(raw)
        scope = user.scope if user is not None else None
    return user, scope, [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("who", ["department", "township", "institution"])
def test_the_token_and_the_scope_come_from_one_statement(who, make_user, institution):
    """Before: a 5-table join that loaded the institution's whole row and sorted; the
    scope of a township token then needed its township's code, which the lookup now joins."""
    kwargs = {
        "department": {"department": "market_regulation"},
        "township": {"township": "duohu"},
        "institution": {"institution": institution},
    }[who]
    user = make_user(f"u_{who}", **kwargs)
    _, raw = api_token_issue(user=user, name="x")
    api_token_authenticate(raw)  # the first use of the minute also records it
    found, scope, statements = _authenticate_counting(raw)
    assert found == user
    assert scope.kind == who
    assert len(statements) == 1, statements
    (sql,) = statements
    assert "institutions_institution" not in sql
    assert "ORDER BY" not in sql
    if who == "township":
        assert scope.township_code == user.township.code
    if who == "department":
        assert scope.registration_authority == "market_regulation"


def test_a_revoked_token_stops_at_the_next_request(shichang):
    token, raw = api_token_issue(user=shichang, name="x")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/regions").status_code == 200
    api_token_revoke(token=token, acting_user=shichang)
    response = client.get("/api/v1/regions")
    assert response.status_code == 401
    assert api_token_authenticate(raw) is None


def test_a_disabled_user_stops_at_the_next_request(shichang):
    _, raw = api_token_issue(user=shichang, name="x")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/regions").status_code == 200
    # Within the same minute (the token's use is already recorded): still refused.
    type(shichang).objects.filter(pk=shichang.pk).update(is_active=False)
    response = client.get("/api/v1/regions")
    assert response.status_code == 401
    assert api_token_authenticate(raw) is None
