"""[accounts-ux] point 8, in Chromium: on an intranet with no internet every page works —
the browser requests nothing from any host but the platform's own, the API docs (Swagger UI)
included, for a visitor and for a logged-in 区卫健局."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PUBLIC_PAGES = [
    "/",
    "/public/institutions/",
    "/filings/verify/TY330703-2024-0001/",
    "/login/",
    "/api/v1/docs",
]
STAFF_PAGES = ["/", "/institutions/", "/filings/queue/"]


def test_no_page_requests_another_host(page, live_server, health_user, make_filed):
    make_filed(name="金华市金东区阳光托育有限公司", filing_number="TY330703-2024-0001")
    own = urlsplit(live_server.url).netloc
    requested: list[str] = []
    page.context.on("request", lambda request: requested.append(request.url))

    for path in PUBLIC_PAGES:
        response = page.goto(path)
        assert response is not None and response.ok, path
        if path == "/api/v1/docs":
            page.locator(".opblock").first.wait_for()  # Swagger UI rendered the document
        page.wait_for_load_state("networkidle")

    login(page, "weijian", "pass-word-2020")
    page.wait_for_url("**/")
    for path in STAFF_PAGES:
        response = page.goto(path)
        assert response is not None and response.ok, path
        page.wait_for_load_state("networkidle")

    assert len(requested) > len(PUBLIC_PAGES) + len(STAFF_PAGES)  # the assets were seen
    # Inline data (data:, blob:) goes to no host; everything else is the platform's own.
    network = [url for url in requested if urlsplit(url).scheme not in ("data", "blob")]
    elsewhere = [url for url in network if urlsplit(url).netloc != own]
    assert elsewhere == []
    assert {urlsplit(url).scheme for url in network} == {"http"}
