"""[accounts-ux] #9 points 2 and 6 in Chromium: 区卫健局 sees the decision waiting on its home
(card and nav badge), decides the application through the confirmation page, then opens the
receipt it just issued from the application and from the institution's 备案记录 tab, and
follows the verify link."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.test_filing_path import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_health_bureau_decides_through_the_confirmation_and_opens_the_receipt(
    page, live_server, settings, media_root, make_user, institution, institution_user
):
    from tuoyu.audit.models import AuditEvent
    from tuoyu.filings import services
    from tuoyu.filings.models import FilingApplication
    from tuoyu.filings.tests.conftest import approve_all, fill

    settings.TUOYU_PUBLIC_BASE_URL = live_server.url
    reviewers = {
        "fire": make_user("xiaofang", department="fire_rescue"),
        "security": make_user("gongan", department="public_security"),
        "food": make_user("shichang", department="market_regulation"),
        "health_care": make_user("fuji", department="mch_centre"),
    }
    make_user("weijian", department="health")
    app = services.filing_start(
        acting_user=institution_user, institution=institution, kind=FilingApplication.Kind.INITIAL
    )
    fill(institution_user, app)
    services.filing_submit(acting_user=institution_user, application=app, commitment_accepted=True)
    approve_all(app, reviewers)

    # the home shows the decision waiting, and the nav the same count
    sign_in(page, "weijian")
    card = page.get_by_test_id("decisions-card")
    assert card.get_attribute("data-count") == "1"
    badge = page.locator('[data-testid="nav-badge"][data-url-name="filings:queue"]')
    assert badge.inner_text().strip().endswith("1")
    card.get_by_role("link").click()
    page.wait_for_url("**/filings/queue/")
    page.get_by_test_id("decision-queue").get_by_role("link", name="决定").click()
    page.wait_for_url(re.compile(r".*/filings/applications/\d+/$"))

    # the decision asks first, stating what will happen; nothing is decided yet
    with page.expect_navigation():
        page.get_by_test_id("decision-form").get_by_role("button", name="准予备案").click()
    confirmation = page.get_by_test_id("confirmation")
    assert "准予备案后将发放备案编号并生成备案回执，机构状态变为已备案。" in (
        confirmation.inner_text()
    )
    page.screenshot(path="test-results/decision-confirmation.png", full_page=True)
    app.refresh_from_db()
    assert app.status == FilingApplication.Status.AWAITING_DECISION
    with page.expect_navigation():
        page.get_by_test_id("confirm-button").click()
    assert page.get_by_test_id("application-status").inner_text() == "已通过"

    # the receipt it just issued: download from the application …
    institution.refresh_from_db()
    assert page.get_by_test_id("receipt-number").inner_text() == institution.filing_number
    with page.expect_download() as info:
        page.get_by_test_id("receipt-download").click()
    assert Path(info.value.path()).read_bytes().startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="filings.receipt.downloaded").count() == 1

    # … and from the institution's 备案记录 tab
    page.goto(f"/institutions/{institution.pk}/?tab=filings")
    with page.expect_download() as info:
        page.get_by_test_id("tab-receipt-download").click()
    assert Path(info.value.path()).read_bytes().startswith(b"%PDF")

    # the verify link shows the filing valid
    page.goto(f"/filings/applications/{app.pk}/")
    page.get_by_test_id("receipt-verify").click()
    page.wait_for_url(f"**/filings/verify/{institution.filing_number}/")
    assert page.get_by_test_id("verify-result").get_attribute("data-valid") == "true"
