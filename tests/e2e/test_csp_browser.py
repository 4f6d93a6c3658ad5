"""[hardening] point 15, in Chromium: under the strict Content-Security-Policy the pages
work — htmx tabs, the auto-submitting selects, the confirmation before a revocation, the
API docs (Swagger UI from the static files) — and the browser reports no violation."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


@pytest.fixture
def watched(page):
    page.context.add_init_script(WATCH)
    messages = []
    page.on(
        "console",
        lambda m: messages.append(m.text) if "Content Security Policy" in m.text else None,
    )

    def violations():
        return page.evaluate("window.__csp || []") + messages

    return page, violations


def test_pages_work_under_the_policy(watched, health_user, make_filed, api_client):
    page, violations = watched
    filed = make_filed(name="金华市金东区策略托育有限公司")
    api_client(health_user)  # a token, so the tokens page lists one to revoke

    page.goto("/public/institutions/")
    page.get_by_test_id("public-results").wait_for()
    assert violations() == []

    login(page, "weijian", "pass-word-2020")
    page.wait_for_url("**/")
    page.goto(f"/institutions/{filed.pk}/")
    page.get_by_role("tab", name="班级与托位").click()
    page.wait_for_url("**tab=classes")
    assert page.get_by_role("tab", name="班级与托位").get_attribute("aria-selected") == "true"
    assert "active" in (page.get_by_role("tab", name="班级与托位").get_attribute("class") or "")
    # No copy of the page in localStorage (htmx historyCacheSize 0); back reloads it whole.
    assert page.evaluate("localStorage.getItem('htmx-history-cache')") in (None, "[]")
    page.go_back()
    page.wait_for_url(f"**/institutions/{filed.pk}/")
    page.get_by_test_id("institution-tabs").wait_for()
    assert page.get_by_test_id("current-user").count() == 1

    page.goto("/accounts/tokens/")
    revoke = page.get_by_role("button", name="吊销")
    assert revoke.count() == 1
    page.once("dialog", lambda dialog: dialog.dismiss())
    revoke.click()  # data-confirm: asked, dismissed, not sent
    page.wait_for_timeout(300)
    assert page.get_by_role("button", name="吊销").count() == 1

    with page.expect_navigation():  # the footer's language select submits itself
        page.get_by_label("语言").select_option("en")
    assert page.locator("html").get_attribute("lang") == "en"

    assert violations() == []


def test_the_api_docs_render_offline_under_the_policy(watched):
    page, violations = watched
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto("/api/v1/docs")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() >= 7
    base = page.url.split("/api/")[0]
    assert [u for u in requests if not u.startswith(base) and not u.startswith("data:")] == []
    assert violations() == []
