"""An integrated kindergarten–nursery (托幼一体化) files and 区教体局 decides it, in Chromium
(P-REG-10, issue 7 "Done when"): the kindergarten registered by 区教体局 submits its filing →
the four subject departments approve their subjects → 区卫健局 sees the application but has no
decision form (it names 区教体局) → 区教体局 finds it in its decision queue and approves it →
the kindergarten sees its filing number.

The draft is filled through the services (the form itself is driven by test_filing_path.py);
submitting, the reviews and the decisions are clicked.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_filing_path import logout, review, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
NAME = "金华市金东区春苗幼儿园"


def test_integrated_kindergarten_decided_by_education_in_the_browser(
    page, live_server, make_user, make_institution, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    from tuoyu.filings import services
    from tuoyu.filings.tests.conftest import BASIC, fill

    kindergarten = make_institution(name=NAME, legal_form="kindergarten")
    assert kindergarten.registration_authority == "education"  # registered by 区教体局
    owner = make_user("chunmiao", institution=kindergarten)
    for username, department in [
        ("xiaofang", "fire_rescue"),
        ("gongan", "public_security"),
        ("shichang", "market_regulation"),
        ("weijian", "health"),
        ("jiaoti", "education"),
    ]:
        make_user(username, department=department)
    application = services.filing_start(acting_user=owner, institution=kindergarten, kind="initial")
    fill(
        owner,
        application,
        basic={**BASIC, "operating_mode": "kindergarten_class"},
        classes=[("托大一班", "toddler_large", 20)],
    )

    # 1. the kindergarten submits its filing
    sign_in(page, "chunmiao")
    page.goto(f"/filings/applications/{application.pk}/edit/")
    page.get_by_label("我已阅读并同意上述承诺").check()
    page.get_by_role("button", name="提交备案").click()
    page.wait_for_url("**/filings/mine/")
    assert page.get_by_test_id("application-status").inner_text() == "审核中"
    logout(page)

    # 2. the subject departments review their subjects (区教体局 reviews none)
    review(page, "xiaofang", "消防安全")
    review(page, "gongan", "安全保卫")
    review(page, "shichang", "食品安全")
    review(page, "weijian", "卫生保健")

    # 3. 区卫健局 sees it (statistics) but does not decide it
    sign_in(page, "weijian")
    page.goto("/filings/queue/")
    assert NAME not in page.get_by_test_id("decision-queue").inner_text()
    assert NAME in page.get_by_test_id("applications").inner_text()
    page.goto(f"/filings/applications/{application.pk}/")
    assert page.get_by_test_id("decision-form").count() == 0
    assert page.get_by_test_id("decider").inner_text() == "区教体局"
    logout(page)

    # 4. 区教体局 decides it
    sign_in(page, "jiaoti")
    page.get_by_role("link", name="备案审核").first.click()
    page.wait_for_url("**/filings/queue/")
    decisions = page.get_by_test_id("decision-queue")
    assert NAME in decisions.inner_text()
    decisions.get_by_role("link", name="决定").click()
    page.wait_for_url(re.compile(r".*/filings/applications/\d+/$"))
    form = page.get_by_test_id("decision-form")
    assert "区教体局决定" in form.inner_text()
    page.screenshot(path="test-results/kindergarten-decide.png", full_page=True)
    with page.expect_navigation():
        form.get_by_role("button", name="准予备案").click()
    with page.expect_navigation():
        page.get_by_test_id("confirm-button").click()
    assert page.get_by_test_id("application-status").inner_text() == "已通过"
    logout(page)

    # 5. the kindergarten is filed
    sign_in(page, "chunmiao")
    page.goto("/filings/mine/")
    number = page.get_by_test_id("filing-number").inner_text().strip()
    assert re.fullmatch(r"TY330703-\d{4}-\d{4}", number)
    kindergarten.refresh_from_db()
    assert kindergarten.filing_status == "filed" and kindergarten.filing_number == number
