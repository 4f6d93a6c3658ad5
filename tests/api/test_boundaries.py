"""[hardening] point 6: bad input never crashes and never fills the database. Every
operation of the OpenAPI document is walked with boundary values — each body property,
query and path parameter in turn replaced by an extreme (huge and negative numbers, 1e30,
years 1 and 9999 with extreme offsets, 100,000-character and control-character texts,
wrong types) — and fuzzed by schemathesis with valid and invalid data; no answer is a
server error. The callers are accounts whose scope admits the operation, so the walk gets
past authentication into the schemas and the services."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.factories import ApiTokenFactory, BanFactory, CareClassFactory, ChildFactory

pytestmark = pytest.mark.django_db

EXTREMES = [
    10**20,
    -(10**20),
    2**63,
    1e30,
    -1e30,
    1e-30,
    0,
    -1,
    "",
    " ",
    "x" * 100_000,
    "名" * 5_000,
    "0001-01-01T00:00:00+23:59",
    "9999-12-31T23:59:59-23:59",
    "0001-01-01",
    "9999-12-31",
    "1e30",
    "NaN",
    "../../etc/passwd",
    "a/b",
    None,
    True,
    [],
    {},
]


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


@pytest.fixture
def world(district, market_user, health_user, make_user, make_filed):
    """A filed institution with its own account, and the token each operation is called
    with (the registration authority pushes, the institution creates classes, 区卫健局
    reads)."""
    inst = make_filed(filing_number="TY330703-2024-0001")
    own = make_user("jigou-b", institution=inst)
    tokens = {
        "market": ApiTokenFactory(user=market_user).raw,
        "institution": ApiTokenFactory(user=own).raw,
        "health": ApiTokenFactory(user=health_user).raw,
    }
    child = ChildFactory(care_class=CareClassFactory(institution=inst, filed=True))
    return {"institution": inst, "tokens": tokens, "child": child, "ban": BanFactory()}


def caller(path: str, method: str) -> str:
    if path.endswith("/registrations"):
        return "market"
    if path.endswith("/classes") and method == "POST":
        return "institution"
    if "/staff" in path or "/children" in path or path.endswith("/health-checks"):
        return "institution"
    return "health"


def _schema():
    from tuoyu.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


def _operations():
    return [result.ok() for result in _schema().get_all_operations()]


def _valid_body(operation, world) -> dict | None:
    """A body each write accepts (so that each replacement is the only fault)."""
    path = operation.path
    if path.endswith("/registrations"):
        return {
            "event_id": "SAMR-330703-2024-B00001",
            "authority": "market_regulation",
            "action": "changed",
            "uscc": world["institution"].uscc,
            "name": "改名托育有限公司",
            "occurred_at": "2024-03-01T09:00:00+08:00",
        }
    if path.endswith("/classes"):
        return {"name": "托小九班", "class_type": "toddler_small", "capacity": 15}
    return _valid_regulatory_body(path, world)


def _valid_regulatory_body(path: str, world) -> dict | None:
    """Bodies of the workforce, children and complaint operations (API-CONTRACT §2, §3, §6)."""
    child = world["child"]
    if path.endswith("/staff"):
        return {
            "name": "王秀英",
            "id_number": "330703198001010017",
            "role": "caregiver",
            "hired_on": "2024-03-01",
            "certificates": [
                {
                    "kind": "childcare_worker",
                    "number": "BY-2024-001",
                    "valid_from": "2024-01-01",
                    "valid_until": "2027-01-01",
                }
            ],
        }
    if path.endswith("/bans"):
        return {
            "id_number": "330703198001010017",
            "name": "王秀英",
            "reason": "虐待婴幼儿",
            "decided_on": "2024-03-01",
            "decision_ref": "金东卫禁〔2024〕1号",
        }
    if path.endswith("/public/complaints"):
        return {
            "uscc": world["institution"].uscc,
            "category": "health_care",
            "description": "午睡室通风不好。",
            "anonymous": True,
        }
    if path.endswith("/children"):
        return {
            "name": "李思远",
            "gender": "male",
            "birth_date": child.birth_date.isoformat(),
            "class_id": child.care_class_id,
            "enrolled_on": child.enrolled_on.isoformat(),
            "guardian": {"name": "李建国", "phone": "13800000001"},
        }
    if path.endswith("/health-checks"):
        return {
            "records": [
                {
                    "record_id": "r-1",
                    "child_id": child.pk,
                    "date": child.enrolled_on.isoformat(),
                    "session": "morning",
                    "attendance": "present",
                    "temperature_c": 36.8,
                    "symptoms": [],
                    "action": "none",
                }
            ]
        }
    return None


def test_every_operation_survives_boundary_values(world):
    client = Client(raise_request_exception=False)  # a 500 is collected, not raised
    uscc = world["institution"].uscc
    operations = _operations()
    assert len(operations) >= 7
    failures = []
    for operation in operations:
        method, raw_path = operation.method.upper(), operation.path
        headers = {"HTTP_AUTHORIZATION": f"Bearer {world['tokens'][caller(raw_path, method)]}"}
        path_values = {
            "uscc": uscc,
            "filing_number": world["institution"].filing_number,
            "child_id": str(world["child"].pk),
            "ban_id": str(world["ban"].pk),
            "tracking_number": "TS0000000000",
        }
        path_names = [p.name for p in operation.path_parameters]
        query_names = [p.name for p in operation.query]
        body = _valid_body(operation, world)
        variants: list[tuple[str, dict, dict, object]] = [("valid", {}, {}, body)]
        for extreme in EXTREMES:
            for name in path_names:
                variants.append((f"path {name}={extreme!r:.40}", {name: extreme}, {}, body))
            for name in query_names:
                variants.append((f"query {name}={extreme!r:.40}", {}, {name: extreme}, body))
            for name in body or {}:
                variants.append((f"body {name}={extreme!r:.40}", {}, {}, {**body, name: extreme}))
            if body is not None:
                variants.append((f"body={extreme!r:.40}", {}, {}, extreme))
        for label, path_over, query, payload in variants:
            values = {**path_values, **{k: str(v) for k, v in path_over.items()}}
            from urllib.parse import quote

            url = raw_path
            for name in path_names:
                url = url.replace("{" + name + "}", quote(str(values[name]), safe="") or "x")
            url = "/api/v1" + url if not url.startswith("/api/v1") else url
            params = {
                k: ("" if v is None else json.dumps(v) if isinstance(v, list | dict) else str(v))
                for k, v in query.items()
            }
            if method == "GET":
                response = client.get(url, params, **headers)
            else:
                response = client.generic(
                    method,
                    url
                    + (
                        "?" + "&".join(f"{k}={quote(v)}" for k, v in params.items())
                        if params
                        else ""
                    ),
                    json.dumps(payload),
                    content_type="application/json",
                    **headers,
                )
            if response.status_code >= 500:
                failures.append(f"{method} {raw_path} {label}: {response.status_code}")
            elif response.status_code >= 400 and response["Content-Type"].startswith(
                "application/problem+json"
            ):
                # (a path parameter with a "/" leaves the API's routes: Django's 404 page)
                problem = response.json()
                codes = [e.get("code") for e in problem.get("errors", [])]
                if not codes or not all(codes):
                    failures.append(f"{method} {raw_path} {label}: no error code {problem}")
    assert not failures, "\n".join(failures[:40])


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_survives_generated_input(world, mode):
    """schemathesis over every operation: generated valid and invalid inputs never get a
    server error."""
    from schemathesis.checks import not_a_server_error

    for operation in _operations():
        token = world["tokens"][caller(operation.path, operation.method.upper())]
        _fuzz(operation, mode, token, not_a_server_error)


def _fuzz(operation, mode, token, check_fn):
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    def check(case):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
        case.call_and_validate(checks=[check_fn])

    try:
        check()
    except Unsatisfiable:
        # Negative mode: an operation whose only input is a free-text path parameter
        # (public_filing_verify) has no invalid input for schemathesis to make; the
        # boundary walk above sends it extremes.
        assert mode == GenerationMode.NEGATIVE, operation.path
