"""[hardening] point 15: the headers of every response (tuoyu.web.headers).

- Content-Security-Policy: our host only, no inline code or style anywhere (the templates
  carry none: behaviours are data- attributes read by web/behaviours.js);
- Cache-Control: private, no-store on whatever is for a person (a logged-in user's page,
  the public listing included, an API answer to a token, a page with a CSRF token);
- HSTS and the HTTPS redirect with TUOYU_SECURE_COOKIES=1;
- the API docs work offline (Swagger UI from npm through the static files).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.views.decorators.cache import cache_control

from tuoyu.web.headers import CSP, SecurityHeadersMiddleware

pytestmark = pytest.mark.django_db

STRICT = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)
EXTERNAL = re.compile(r"""(?:src|href)=["'](?:https?:)?//""")


def test_the_policy_is_self_only():
    assert CSP == STRICT


@pytest.mark.parametrize(
    "path", ["/login/", "/", "/institutions/", "/public/institutions/", "/policy/", "/jobs/"]
)
def test_every_page_has_the_strict_policy(client, health_user, district, path):
    if path != "/login/" and not path.startswith("/public/"):
        client.force_login(health_user)
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == STRICT
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_error_pages_and_api_answers_have_it_too(client):
    assert client.get("/no-such-page/")["Content-Security-Policy"] == STRICT
    assert client.get("/api/v1/regions")["Content-Security-Policy"] == STRICT


# --- no inline code or style in any template ------------------------------------------------

TEMPLATE_DIRS = sorted(Path(settings.SRC_DIR).glob("*/templates"))
INLINE = {
    "inline <script>": re.compile(
        r"<script\b(?![^>]*\bsrc=)(?![^>]*type=[\"']application/(?:ld\+)?json)[^>]*>", re.I
    ),
    "inline <style>": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "htmx inline handler (hx-on)": re.compile(r"\b(?:data-)?hx-on", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "htmx eval (js: / hx-vars)": re.compile(r"hx-vars|hx-vals=[\"']\s*js:", re.I),
}


# Templates no browser ever receives.
NOT_SENT_TO_BROWSERS = {
    "filings/templates/filings/receipt.html": "rendered to a PDF by WeasyPrint",
    "accounts/templates/accounts/handover_letter.html": "rendered to a PDF by WeasyPrint",
    "subsidies/templates/subsidies/reports/payment_list.html": "rendered to a PDF by WeasyPrint",
}


def _templates():
    for directory in TEMPLATE_DIRS:
        for path in sorted(directory.rglob("*.html")):
            if str(path.relative_to(settings.SRC_DIR)) not in NOT_SENT_TO_BROWSERS:
                yield path


def test_templates_exist_to_scan():
    assert len(list(_templates())) > 30


@pytest.mark.parametrize("kind", sorted(INLINE))
def test_no_template_has_inline_code_or_style(kind):
    """The policy forbids them; a page that used one would silently lose the behaviour."""
    pattern = INLINE[kind]
    found = [
        f"{path.relative_to(settings.SRC_DIR)}:{text[: m.start()].count(chr(10)) + 1}"
        for path in _templates()
        for text in [path.read_text(encoding="utf-8")]
        for m in pattern.finditer(text)
    ]
    assert not found, f"{kind}: {found}"


def test_the_behaviours_script_is_on_every_page(client):
    html = client.get("/login/").content.decode()
    assert "/static/web/behaviours.js" in html
    assert '"allowEval": false' in html and '"includeIndicatorStyles": false' in html
    assert client.get("/static/web/behaviours.js").status_code == 200


# --- Cache-Control ----------------------------------------------------------------------------


def test_a_logged_in_users_public_listing_is_private(client, health_user, district):
    client.force_login(health_user)
    response = client.get("/public/institutions/")
    assert response.status_code == 200
    assert health_user.username in response.content.decode()  # the page shows who it is for
    assert response["Cache-Control"] == "private, no-store"
    assert "Cookie" in response["Vary"]


def test_an_anonymous_page_with_a_csrf_token_is_not_public(client, district):
    response = client.get("/public/institutions/")
    assert response.status_code == 200
    assert "csrfmiddlewaretoken" in response.content.decode()  # the language form's token
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("path", ["/", "/institutions/", "/audit/"])
def test_every_logged_in_page_is_private(client, health_user, path):
    client.force_login(health_user)
    response = client.get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_an_api_answer_to_a_token_is_private(api_client, health_user, district):
    response = api_client(health_user).get("/api/v1/regions")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_an_anonymous_page_with_nothing_personal_keeps_its_public_caching():
    @cache_control(public=True, max_age=60)
    def view(request):
        return HttpResponse("公开内容")

    response = SecurityHeadersMiddleware(view)(RequestFactory().get("/public/x/"))
    assert response["Cache-Control"] == "public, max-age=60"

    with_session = RequestFactory().get("/public/x/")
    with_session.COOKIES[settings.SESSION_COOKIE_NAME] = "abc"
    assert SecurityHeadersMiddleware(view)(with_session)["Cache-Control"] == "private, no-store"


# --- HTTPS ------------------------------------------------------------------------------------


def _settings_with(env: dict) -> dict:
    code = (
        "import json, tuoyu.settings as s; print(json.dumps({k: getattr(s, k) for k in "
        "('SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SESSION_COOKIE_SECURE', "
        "'CSRF_COOKIE_SECURE')}))"
    )
    environment = {**os.environ, **env, "PYTHONPATH": str(Path(settings.SRC_DIR).parent)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    )
    import json

    return json.loads(out.stdout.strip().splitlines()[-1])


def test_secure_cookies_switch_on_hsts_and_the_https_redirect():
    on = _settings_with({"TUOYU_SECURE_COOKIES": "1"})
    assert on == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
    }
    off = _settings_with({"TUOYU_SECURE_COOKIES": "0"})
    assert off["SECURE_SSL_REDIRECT"] is False and off["SECURE_HSTS_SECONDS"] == 0


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31536000)
def test_behind_https_http_is_redirected_and_hsts_sent(client):
    plain = client.get("/login/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    secure = client.get("/login/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000"


# --- the API docs, offline --------------------------------------------------------------------


def test_the_api_docs_load_nothing_from_another_host(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert not EXTERNAL.search(html), EXTERNAL.search(html)
    assert "<script>" not in html
    assets = re.findall(r"""(?:src|href)=["'](/static/[^"']+)["']""", html)
    assert any("swagger-ui-bundle.js" in a for a in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert response["Content-Security-Policy"] == STRICT
