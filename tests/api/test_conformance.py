"""[hardening] point 17: every operation answers as the OpenAPI document says — for valid
and invalid generated inputs, with a token, with a wrong one and with none — and documents
every status it can return, errors as problem+json (`core.api_schemas.Problem`).

schemathesis drives the WSGI application in-process; each response is checked by
`not_a_server_error`, `status_code_conformance`, `content_type_conformance` and
`response_schema_conformance`. The examples per operation are bounded so that the whole run
stays well under two minutes per database."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tuoyu.institutions.tests.conftest import registration_body

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 100  # per operation and generation mode

# Every operation of the API (a new one fails test_every_operation_is_exercised until it
# is listed here): (path, method, whose token it is called with; None: public).
OPERATIONS = [
    ("/api/v1/regions", "GET", "health"),
    ("/api/v1/registrations", "POST", "market"),
    ("/api/v1/institutions/{uscc}/classes", "POST", "institution"),
    ("/api/v1/institutions/{uscc}/classes", "GET", "institution"),
    ("/api/v1/public/institutions", "GET", None),
    ("/api/v1/public/filings/{filing_number}", "GET", None),
    ("/api/v1/filings/institutions/{uscc}", "GET", "institution"),
    ("/api/v1/institutions/{uscc}/staff", "POST", "institution"),
    ("/api/v1/institutions/{uscc}/staff", "GET", "institution"),
    ("/api/v1/bans", "POST", "health"),
    ("/api/v1/bans/{ban_id}/approve", "POST", "health"),
    ("/api/v1/public/complaints", "POST", None),
    ("/api/v1/public/complaints/{tracking_number}", "GET", None),
    ("/api/v1/institutions/{uscc}/children", "POST", "institution"),
    ("/api/v1/institutions/{uscc}/children/{child_id}/withdrawal", "POST", "institution"),
    ("/api/v1/institutions/{uscc}/children/{child_id}/class-move", "POST", "institution"),
    ("/api/v1/institutions/{uscc}/health-checks", "POST", "institution"),
    ("/api/v1/institutions/{uscc}/outbreak-alerts", "GET", "health"),
    ("/api/v1/institutions/{uscc}/subsidy-entitlement", "GET", "health"),
]
# Operations whose every parameter is a free string in the path: nothing can be invalid.
NOTHING_TO_NEGATE = {
    ("/api/v1/public/filings/{filing_number}", "GET"),
    ("/api/v1/public/complaints/{tracking_number}", "GET"),
}


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """The raw WSGI app closes the database connection after each request (Django's test
    client switches that off); inside a test transaction it must stay open."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _schema():
    from tuoyu.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


def _document(client) -> dict:
    return client.get("/api/v1/openapi.json").json()


@pytest.mark.django_db
def test_every_operation_is_exercised(client):
    doc = _document(client)
    present = {(p, m.upper()) for p, ops in doc["paths"].items() for m in ops}
    assert present == {(p, m) for p, m, _ in OPERATIONS}


@pytest.fixture
def callers(health_user, market_user, institution_user, institution, make_filed):
    """Tokens per role and the path parameters that hit real records."""
    from tests.factories import (
        ApiTokenFactory,
        BanFactory,
        CareClassFactory,
        ChildFactory,
        ComplaintFactory,
    )

    filed = make_filed(name="核验用托育机构")
    tokens = {
        "health": ApiTokenFactory(user=health_user).raw,
        "market": ApiTokenFactory(user=market_user).raw,
        "institution": ApiTokenFactory(user=institution_user).raw,
    }
    child = ChildFactory(care_class=CareClassFactory(institution=institution, filed=True))
    known = {
        "uscc": institution.uscc,
        "filing_number": filed.filing_number,
        "child_id": str(child.pk),
        "ban_id": str(BanFactory().pk),
        "tracking_number": ComplaintFactory(institution=filed).tracking_number,
    }
    return tokens, known


@pytest.mark.django_db
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize(("path", "method", "role"), OPERATIONS)
def test_every_operation_conforms_to_the_document(district, callers, path, method, role, mode):
    if mode == GenerationMode.NEGATIVE and (path, method) in NOTHING_TO_NEGATE:
        pytest.skip("every parameter is a free string in the path")
    tokens, known = callers
    operation = _schema()[path][method]
    # Hypothesis leans towards the first strategy and the first choice: first what reaches
    # real records with the right caller, so that 2xx answers are checked too.
    strategies = []
    fixed = {k: v for k, v in known.items() if "{" + k + "}" in path}
    if fixed and (mode == GenerationMode.POSITIVE or method == "POST"):
        strategies.append(operation.as_strategy(mode, path_parameters=fixed))
    if path == "/api/v1/registrations" and mode == GenerationMode.POSITIVE:
        strategies.append(operation.as_strategy(mode, body=registration_body()))
    strategies.append(operation.as_strategy(mode))
    auth_choices = [None, "Bearer tyk_not-a-token"]
    if role is not None:
        auth_choices = [f"Bearer {tokens[role]}"] * 2 + auth_choices  # mostly the right caller

    @given(case=st.one_of(strategies), auth=st.sampled_from(auth_choices))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def check(case, auth):
        # Negative generation may add a "Host" header of any spelling: the host is the
        # transport's (ALLOWED_HOSTS refuses a wrong one with 400 before any API code runs,
        # as it must), not a parameter the document describes.
        headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "host"}
        headers.pop("Authorization", None)
        if auth:
            headers["Authorization"] = auth
        case.headers = headers
        case.call_and_validate(checks=CHECKS)

    check()


# --- what the document says, operation by operation ----------------------------------------


def _operations(doc):
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            yield path, method, op


@pytest.mark.django_db
def test_every_operation_documents_the_statuses_the_platform_returns(client):
    """401 (secured), 422 (every operation: NUL, parameters), 500 (problem with request id),
    and for a JSON body 400 (malformed), 413 (too large), 415 (not JSON)."""
    doc = _document(client)
    missing = []
    for path, method, op in _operations(doc):
        expected = {"422", "500"}
        if op.get("security"):
            expected.add("401")
        if "requestBody" in op:
            expected |= {"400", "413", "415"}
        if "{" in path:
            expected.add("404")
        documented = {str(s) for s in op["responses"]}
        if expected - documented:
            missing.append((method.upper(), path, sorted(expected - documented)))
    assert not missing


@pytest.mark.django_db
def test_every_error_status_is_a_problem_document(client):
    doc = _document(client)
    wrong = []
    for path, method, op in _operations(doc):
        for status, response in op["responses"].items():
            if str(status)[0] not in "45":
                continue
            content = response.get("content", {})
            schema = content.get("application/problem+json", {}).get("schema", {})
            if list(content) != ["application/problem+json"] or schema.get("$ref") != (
                "#/components/schemas/Problem"
            ):
                wrong.append((method.upper(), path, status, content))
    assert not wrong


def _schema_classes():
    """Every pydantic model reachable from the API's operations (responses, bodies,
    parameters), recursively through their fields."""
    import typing

    from pydantic import BaseModel

    from tuoyu.api import api

    seen: set[type] = set()

    def walk(tp):
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if tp in seen:
                return
            seen.add(tp)
            for field in tp.model_fields.values():
                walk(field.annotation)
            return
        for arg in typing.get_args(tp):
            walk(arg)

    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    walk(model)
                for model in operation.response_models.values():
                    walk(model)
    return seen


def test_no_two_schemas_share_a_name():
    """Two classes named alike (classes' and the public listing's `ClassOut`) become one
    component: one operation is then documented with the other's schema."""
    by_name: dict[str, set[str]] = {}
    for model in _schema_classes():
        if model.__module__.startswith("ninja"):
            continue
        by_name.setdefault(model.__name__, set()).add(f"{model.__module__}.{model.__qualname__}")
    clashes = {name: paths for name, paths in by_name.items() if len(paths) > 1}
    assert not clashes


@pytest.mark.django_db
def test_classes_list_is_documented_with_its_own_schema(client):
    doc = _document(client)
    listing = doc["paths"]["/api/v1/institutions/{uscc}/classes"]["get"]
    ref = listing["responses"]["200"]["content"]["application/json"]["schema"]["items"]["$ref"]
    item = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert {"class_id", "name", "status", "filed_on"} <= set(item["properties"])
