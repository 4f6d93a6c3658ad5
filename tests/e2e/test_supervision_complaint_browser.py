"""A public complaint end to end in Chromium (P-SUP-4, issue 13 "Done when"): someone files a
complaint on the portal without logging in (on a phone-sized screen), 区市场监管局 answers it,
and the complainant reads the reply by the tracking number. The complaint's HTML is shown as
text, never run."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "pass-word-2020"
SCRIPT = '<img src=x onerror="window.__xss=1">饭菜有异味'


def test_file_answer_and_read_the_reply(page, make_filed, market_user):
    filed = make_filed(name="金东区童心托育有限公司")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/supervision/public/complaints/new/")
    page.get_by_label("机构统一社会信用代码").fill(filed.uscc)
    page.get_by_label("投诉类别").select_option("food")
    page.get_by_label("投诉内容").fill(SCRIPT)
    page.get_by_label("联系电话（可选）").fill("13812345678")
    page.get_by_role("button", name="提交投诉").click()
    number = page.get_by_test_id("tracking-number").inner_text().strip()
    assert number.startswith("TS")

    login(page, "shichang", PASSWORD)
    page.goto("/supervision/complaints/")
    page.get_by_role("link", name=number).click()
    assert page.get_by_test_id("description").inner_text() == SCRIPT
    assert page.evaluate("window.__xss") is None
    assert page.get_by_test_id("contact").inner_text() == "138****5678"
    # 查看: the clear phone through an audited reveal, on the page only
    page.get_by_test_id("reveal-phone").click()
    assert page.get_by_test_id("contact-clear").inner_text().endswith("5678")
    assert "****" not in page.get_by_test_id("contact-clear").inner_text()
    # the answer form still answers the complaint (it posts to the complaint, not the reveal)
    page.get_by_label("答复内容").fill("经核查属实，已责令整改并复查合格。")
    page.get_by_label("核查结论").select_option("yes")
    page.get_by_role("button", name="提交答复").click()
    page.get_by_test_id("reply").wait_for()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/login/")

    page.goto("/supervision/public/complaints/status/")
    page.get_by_label("查询码").fill(number)
    page.get_by_role("button", name="查询").click()
    assert page.get_by_test_id("status").inner_text() == "已答复"
    assert "已责令整改" in page.get_by_test_id("reply").inner_text()
