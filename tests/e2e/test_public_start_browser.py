"""[accounts-ux] points 7 and 9, in Chromium: a parent who opens `/` without an account finds
the institution search, checks a receipt by its number typed in lower case, reaches the
published refusals and, discreetly, the staff login — which leads back; the language switch
names each language in itself."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_parent_finds_the_search_the_receipt_check_and_the_refusals(page, make_filed):
    make_filed(
        name="金华市金东区阳光托育有限公司",
        filing_number="TY330703-2024-0001",
        address="多湖街道光南路 8 号",
    )
    page.goto("/")
    start = page.get_by_test_id("public-start")
    start.wait_for()
    assert page.get_by_test_id("current-user").count() == 0
    page.screenshot(path="test-results/public-start.png", full_page=True)

    page.get_by_label("机构名称或地址").fill("阳光")
    page.get_by_role("button", name="查询机构").click()
    page.wait_for_url("**/public/institutions/?q=*")
    results = page.get_by_test_id("public-results")
    assert "金华市金东区阳光托育有限公司" in results.inner_text()
    assert "多湖街道光南路 8 号" in page.get_by_test_id("public-address").first.inner_text()

    page.goto("/")
    page.get_by_test_id("start-verify").get_by_role("textbox").fill("ty330703-2024-0001")
    page.get_by_role("button", name="核验", exact=True).click()
    page.wait_for_url("**/filings/verify/ty330703-2024-0001/")
    result = page.get_by_test_id("verify-result")
    assert result.get_attribute("data-valid") == "true"
    assert "金华市金东区阳光托育有限公司" in page.content()

    page.goto("/")
    page.get_by_test_id("start-rejections").click()
    page.wait_for_url("**/filings/public/rejections/")

    page.goto("/")
    page.get_by_role("link", name="工作人员登录").click()
    page.wait_for_url("**/login/")
    page.get_by_role("link", name="返回公众服务首页").click()
    page.get_by_test_id("public-start").wait_for()
    assert page.url.rstrip("/") == page.url.split("/login")[0].rstrip("/")


def test_the_language_switch_is_labelled_in_each_language(page, district):
    page.goto("/")
    switch = page.get_by_test_id("language-switch")
    assert switch.locator("option").all_inner_texts() == ["中文", "English"]
    with page.expect_navigation():
        switch.select_option("en")
    assert page.locator("html").get_attribute("lang") == "en"
    switch = page.get_by_test_id("language-switch")
    assert switch.locator("option").all_inner_texts() == ["中文", "English"]
    assert "英语" not in page.content()
    assert "：" not in page.locator("body").inner_text()
