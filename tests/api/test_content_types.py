"""[hardening] point 10: the API parses JSON only. An operation that takes a body refuses
any other content type with 415 `unsupported_media_type` (problem+json) — a NUL sent as
text/plain is no longer stored, multipart is no longer a 500 — and NUL is checked on every
string (and key) of what was parsed, never by consuming the stream the parser needs."""

from __future__ import annotations

import json

import pytest

from tuoyu.institutions.models import CareClass, RegistrationEvent
from tuoyu.institutions.tests.conftest import registration_body

pytestmark = pytest.mark.django_db
URL = "/api/v1/registrations"


@pytest.fixture
def market(api_client, market_user, district):
    return api_client(market_user)


def assert_problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["code"] == code


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/xml", "application/jsonp"],
)
def test_a_json_body_under_another_content_type_is_415(market, content_type):
    body = json.dumps(registration_body(name="某某\u0000托育"))
    assert_problem(market.post(URL, body, content_type=content_type), 415, "unsupported_media_type")
    assert not RegistrationEvent.objects.exists()


def test_a_body_without_content_type_is_415(market):
    response = market.generic("POST", URL, json.dumps(registration_body()), content_type="")
    assert_problem(response, 415, "unsupported_media_type")


def test_multipart_to_the_api_is_415_not_500(market):
    response = market.post(URL, {"event_id": "X", "file": b"\x00"})  # the client's multipart
    assert_problem(response, 415, "unsupported_media_type")


def test_nul_in_any_parsed_string_or_key_is_422(market):
    for body in (
        registration_body(name="某某\u0000托育"),
        {**registration_body(), "x\u0000": 1},
        {**registration_body(), "extra": [{"deep": "a\u0000"}]},
    ):
        response = market.post(URL, json.dumps(body), content_type="application/json")
        assert_problem(response, 422, "invalid_character")
    assert not RegistrationEvent.objects.exists()


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "APPLICATION/JSON",
        "application/problem+json",
    ],
)
def test_json_content_types_are_accepted(market, content_type):
    response = market.post(URL, json.dumps(registration_body()), content_type=content_type)
    assert response.status_code == 201, response.content


def test_malformed_json_is_a_coded_400(market):
    assert_problem(
        market.post(URL, "{not json", content_type="application/json"), 400, "json_invalid"
    )
    assert_problem(
        market.post(URL, b"\xff\xfe\x00", content_type="application/json"), 400, "json_invalid"
    )


def test_classes_create_refuses_other_content_types(api_client, make_user, make_institution):
    inst = make_institution()
    client = api_client(make_user("jigou-c", institution=inst))
    url = f"/api/v1/institutions/{inst.uscc}/classes"
    body = json.dumps({"name": "托小一班", "class_type": "toddler_small", "capacity": 15})
    assert_problem(client.post(url, body, content_type="text/plain"), 415, "unsupported_media_type")
    assert not CareClass.objects.exists()


def test_openapi_documents_415_for_operations_with_a_body(client):
    doc = client.get("/api/v1/openapi.json").json()
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            if "requestBody" in operation:
                assert "415" in operation["responses"], (method, path)
                assert "application/problem+json" in operation["responses"]["415"]["content"]


def test_a_json_body_larger_than_the_memory_limit_is_413(market, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps(registration_body(address="路" * 2000))
    assert_problem(
        market.post(URL, body, content_type="application/json"), 413, "request_too_large"
    )
