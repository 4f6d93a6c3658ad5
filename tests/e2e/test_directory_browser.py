"""In Chromium: 区卫健局 filters the directory, opens an institution, switches tabs (htmx
panes), designates it affordable; the public page lists it without logging in."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.e2e.conftest import login
from tuoyu.institutions.tests.conftest import PDF_BYTES

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
]


def test_directory_tabs_and_designation(
    page, health_user, make_filed, make_institution, media_root, tmp_path
):
    filed = make_filed(
        name="金华市金东区阳光托育有限公司",
        filed_on=dt.date(2024, 1, 10),
        classes=[("toddler_small", 15), ("toddler_large", 20)],
    )
    make_institution(name="金华市金东区新登记托育有限公司")
    login(page, "weijian", "pass-word-2020")
    page.wait_for_url("**/")
    page.get_by_role("link", name="托育机构").first.click()
    page.wait_for_url("**/institutions/")
    page.get_by_label("备案状态").select_option("filed")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**filing_status=filed**")
    table = page.get_by_test_id("institution-table")
    assert "新登记托育" not in table.inner_text()
    page.screenshot(path="test-results/directory-list.png", full_page=True)
    table.get_by_role("link", name="金华市金东区阳光托育有限公司").click()
    page.wait_for_url(f"**/institutions/{filed.pk}/")
    assert page.get_by_test_id("slots").inner_text() == "35"
    page.get_by_role("tab", name="班级与托位").click()
    page.wait_for_url("**tab=classes")
    assert "托小班" in page.get_by_test_id("class-table").inner_text()
    assert page.get_by_role("tab", name="班级与托位").get_attribute("aria-selected") == "true"
    page.get_by_role("tab", name="普惠认定").click()
    page.get_by_test_id("designate-link").click()
    page.get_by_label("起始日期").fill("2024-02-01")
    page.get_by_label("认定文号").fill("金东卫〔2024〕3号")
    pdf = tmp_path / "认定.pdf"
    pdf.write_bytes(PDF_BYTES)
    page.get_by_label("认定文件（PDF）").set_input_files(str(pdf))
    page.get_by_role("button", name="确认认定").click()
    page.wait_for_url("**tab=affordable")
    assert "金东卫〔2024〕3号" in page.get_by_test_id("affordable-table").inner_text()
    page.screenshot(path="test-results/directory-affordable.png", full_page=True)

    page.get_by_role("button", name="退出登录").click()
    page.goto("/public/institutions/")
    results = page.get_by_test_id("public-results").inner_text()
    assert "阳光托育" in results and "普惠" in results and "新登记" not in results
    page.screenshot(path="test-results/public-institutions.png", full_page=True)
