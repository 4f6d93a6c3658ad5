"""[hardening] point 11: nobody anonymous gets a body read (the upload used to be written to
disk before the login check), and no request is larger than TUOYU_MAX_REQUEST_BYTES —
refused from its Content-Length, and while its stream is read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory

from tuoyu.web.limits import RequestSizeLimitMiddleware

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[4]


def untouched(response) -> bool:
    request = response.wsgi_request
    return not request._read_started and not hasattr(request, "_files")


def test_anonymous_upload_is_refused_before_its_body_is_read(client):
    response = client.post(
        "/filings/applications/1/edit/",
        {"action": "upload", "kind": "fire_inspection", "file": b"x" * 10_000},
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    assert untouched(response)


def test_anonymous_body_to_any_page_is_refused_unread(client):
    for path in ("/institutions/chains/new/", "/regions/statistics/import/", "/nowhere/"):
        response = client.post(path, "x=1", content_type="application/x-www-form-urlencoded")
        assert response.status_code == 302, path
        assert untouched(response)


def test_anonymous_body_to_the_api_is_401_unread(client, district):
    response = client.post("/api/v1/registrations", "{}", content_type="application/json")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["code"] == "not_authenticated"
    assert untouched(response)


def test_the_login_form_and_language_switch_still_take_anonymous_posts(client, health_user):
    response = client.post("/login/", {"username": "weijian", "password": "pass-word-2020"})
    assert response.status_code == 302 and "/login/" not in response["Location"]
    client.logout()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302


def test_a_bearer_token_authenticates_an_api_post(api_client, market_user, district):
    response = api_client(market_user).post(
        "/api/v1/registrations", json.dumps({}), content_type="application/json"
    )
    assert response.status_code == 422  # past authentication, into the schema


def test_public_api_paths_are_not_refused_for_anonymous_bodies(client, district):
    response = client.post("/api/v1/public/institutions", "{}", content_type="application/json")
    assert response.status_code == 405


def test_logged_in_posts_pass(client, health_user):
    client.force_login(health_user)
    response = client.post("/institutions/chains/new/", {"agreement_number": ""})
    assert response.status_code == 400  # the form's answer, not the middleware's


@pytest.mark.parametrize("path", ["/login/", "/api/v1/registrations", "/filings/mine/cancel/"])
def test_content_length_over_the_cap_is_413(client, settings, path):
    settings.TUOYU_MAX_REQUEST_BYTES = 1000
    response = client.post(path, "x" * 2000, content_type="application/json")
    assert response.status_code == 413
    assert untouched(response)


def test_api_bodies_over_the_memory_limit_are_413_before_authentication(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post("/api/v1/registrations", "x" * 2000, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "request_too_large"


def test_a_stream_longer_than_declared_is_cut_at_the_cap(settings):
    """A server that does not hold the body to its Content-Length: the stream itself stops
    at the cap and the answer is 413, whoever read it (here the view)."""
    settings.TUOYU_MAX_REQUEST_BYTES = 1000
    request = RequestFactory().post("/login/", b"x" * 5000, content_type="text/plain")
    request.META["CONTENT_LENGTH"] = "10"  # the lie
    request.user = AnonymousUser()
    request.request_id = "test"  # what RequestContextMiddleware sets first

    def view(request):
        request.body  # noqa: B018 - reads the stream
        return HttpResponse("read")

    response = RequestSizeLimitMiddleware(view)(request)
    assert response.status_code == 413


def test_upload_settings_are_bounded_and_documented(settings):
    assert settings.TUOYU_MAX_REQUEST_BYTES >= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    readme = (ROOT / "README.md").read_text("utf-8")
    doc = (ROOT / "src" / "tuoyu" / "settings.py").read_text("utf-8")
    for name in (
        "TUOYU_MAX_REQUEST_BYTES",
        "TUOYU_DATA_UPLOAD_MAX_MEMORY_SIZE",
        "TUOYU_FILE_UPLOAD_MAX_MEMORY_SIZE",
        "TUOYU_IMPORT_MAX_SECONDS",
    ):
        assert name in readme and name in doc, name
