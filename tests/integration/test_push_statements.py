"""[scale] #10 point 7: a registration push (POST /api/v1/registrations, API-CONTRACT §1)
authenticates its token in one indexed lookup and costs a bounded number of statements.

Measured with CaptureQueriesContext on the second push of a client (the token's
`last_used_at` is written at most once a minute, so the first push of a fresh token also
records its use). Before [scale] #10: 14 statements inside the test's transaction (12 in
production, without the two savepoints), the token a 5-table join loading the whole
institution row, and the new institution's audit chain head created in five statements
(SELECT, SAVEPOINT, INSERT, RELEASE, SELECT). After: 11 (9) — the token one narrow indexed
lookup, the chain head one `INSERT … ON CONFLICT DO NOTHING RETURNING`. The bound keeps it
from growing back. [accounts-ux] #9 point 1 adds two: the new institution's account (its free
username, its INSERT; recorded in the push's own audit event) — 13 (11)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import ApiTokenFactory
from tuoyu.institutions.tests.conftest import registration_body

pytestmark = pytest.mark.django_db

# Statements of one `registered` push once the token's use was recorded this minute.
PUSH_STATEMENTS_MAX = 13


def _post(client, body):
    return client.post("/api/v1/registrations", json.dumps(body), content_type="application/json")


def test_a_registration_push_costs_at_most_the_bounded_statements(district, market_user):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {ApiTokenFactory(user=market_user).raw}")
    assert _post(client, registration_body()).status_code == 201
    with CaptureQueriesContext(connection) as ctx:
        response = _post(client, registration_body())
    assert response.status_code == 201
    statements = [q["sql"] for q in ctx.captured_queries]
    print("\n".join(statements))
    assert len(statements) <= PUSH_STATEMENTS_MAX, statements


def test_the_token_is_authenticated_in_one_statement(district, market_user):
    """The token lookup is one indexed statement (key hash → user with its scope's
    department and township), whatever the token's user."""
    from tuoyu.accounts.services import api_token_authenticate

    token = ApiTokenFactory(user=market_user)
    api_token_authenticate(token.raw)  # records the use (once a minute)
    with CaptureQueriesContext(connection) as ctx:
        user = api_token_authenticate(token.raw)
        scope = user.scope
    assert scope.registration_authority == "market_regulation"
    assert len(ctx.captured_queries) == 1, [q["sql"] for q in ctx.captured_queries]
