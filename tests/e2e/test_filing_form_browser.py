"""[accounts-ux] #9 point 3 in Chromium: the filing application's sections are entered in
any order and no value is lost (filling 基本信息 and pressing 保存人员配备 used to empty
basic info under "已保存。"); after a change, leaving the page asks first; a refused value
stays on the page at its own address (reloading it is no 405). Point 4: the material type
chosen stays chosen, several files go up at once."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import login
from tests.factories import PASSWORD
from tuoyu.filings import services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def editor(page, institution, make_user):
    owner = make_user("jigou-form", institution=institution)
    application = services.filing_start(acting_user=owner, institution=institution, kind="initial")
    login(page, "jigou-form", PASSWORD)
    page.get_by_test_id("current-user").wait_for()
    url = f"/filings/applications/{application.pk}/edit/"
    page.goto(url)
    return url


def value(page, selector) -> str:
    return page.locator(selector).input_value()


def test_sections_in_any_order_keep_every_value(page, editor):
    form = page.get_by_test_id("filing-form")
    assert form.get_attribute("data-unsaved") is None

    # standards first, then the basic facts — saved with the staff button
    std = page.get_by_test_id("standards-form")
    std.get_by_label("负责人从事托育、教育、卫生健康管理工作年限", exact=True).fill("6")
    std.get_by_label("保健观察室面积（㎡，无则填 0）", exact=True).fill("8")
    basic = page.get_by_test_id("basic-form")
    basic.get_by_label("法定代表人").fill("陈某")
    basic.get_by_label("地址").fill("金东区多湖街道光明路8号")
    basic.get_by_label("月收费（元）").fill("2600")
    staff = page.get_by_test_id("staff-form")
    staff.get_by_label("保育人员人数", exact=True).fill("6")
    staff.get_by_label("保育人员持证人数").fill("5")
    with page.expect_navigation():
        staff.get_by_role("button", name="保存人员配备").click()
    page.wait_for_url("**/edit/#staff")

    assert "已保存。" in page.content()
    assert value(page, "#f-legal_representative") == "陈某"
    assert value(page, "#f-address") == "金东区多湖街道光明路8号"
    assert value(page, "#f-monthly_fee_yuan") == "2600"
    assert value(page, "#s-caregiver-count") == "6"
    assert value(page, "#s-caregiver-certified") == "5"
    assert value(page, "#std-head_experience_years") == "6"
    assert value(page, "#std-observation_room_m2") == "8.00"
    assert form.get_attribute("data-unsaved") is None  # saved: nothing to warn about

    # then a class, typed before the basic facts' button is pressed: added, the rest kept
    classes = page.get_by_test_id("class-form")
    classes.get_by_label("班级名称").fill("托大一班")
    classes.get_by_label("班型").select_option("toddler_large")
    classes.get_by_label("核定人数").fill("20")
    basic.get_by_label("服务时间").fill("周一至周五 7:30-17:30")
    with page.expect_navigation():
        basic.get_by_role("button", name="保存基本信息").click()
    assert page.get_by_test_id("class-table").locator("tbody tr[data-class]").count() == 1
    assert value(page, "#f-opening_hours") == "周一至周五 7:30-17:30"
    assert value(page, "#f-legal_representative") == "陈某"
    assert value(page, "#s-caregiver-count") == "6"


def test_a_refused_value_stays_at_the_pages_address(page, editor):
    basic = page.get_by_test_id("basic-form")
    basic.get_by_label("法定代表人").fill("陈某")
    basic.get_by_label("纬度").fill("99.5")
    page.get_by_test_id("staff-form").get_by_label("负责人人数", exact=True).fill("1")
    with page.expect_navigation():
        basic.get_by_role("button", name="保存基本信息").click()
    assert page.url.endswith(editor)
    assert "纬度超出范围" in page.get_by_test_id("form-errors").inner_text()
    assert value(page, "#f-latitude") == "99.5"
    assert value(page, "#f-legal_representative") == "陈某"
    assert value(page, "#s-principal-count") == "1"
    # reopening the address is the page, not "HTTP ERROR 405"
    response = page.goto(page.url)
    assert response.status == 200


def test_leaving_with_unsaved_changes_asks_first(page, editor):
    form = page.get_by_test_id("filing-form")
    field = page.get_by_test_id("basic-form").get_by_label("法定代表人")
    field.click()
    field.press_sequentially("林某")
    assert form.get_attribute("data-unsaved") == "true"  # the warning is armed

    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.once("dialog", answer)
    page.get_by_role("link", name="返回我的备案").click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert page.url.endswith(editor)
    assert value(page, "#f-legal_representative").endswith("林某")


def test_the_material_type_stays_and_several_files_go_up_at_once(page, editor):
    page.locator("#m-kind").select_option("staff_qualifications")
    page.locator("#m-file").set_input_files(
        [
            {"name": "张三.pdf", "mimeType": "application/pdf", "buffer": PDF},
            {"name": "李四.pdf", "mimeType": "application/pdf", "buffer": PDF},
        ]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="上传", exact=True).click()
    page.wait_for_url(re.compile(r".*/edit/\?kind=staff_qualifications#materials$"))
    row = page.locator('tr[data-kind="staff_qualifications"]')
    assert "张三.pdf" in row.inner_text() and "李四.pdf" in row.inner_text()
    assert value(page, "#m-kind") == "staff_qualifications"

    # a refused file: the type is still the one chosen
    page.locator("#m-file").set_input_files(
        {"name": "假的.pdf", "mimeType": "application/pdf", "buffer": b"GIF89a"}
    )
    with page.expect_navigation():
        page.get_by_role("button", name="上传", exact=True).click()
    assert "假的.pdf" in page.get_by_test_id("form-errors").inner_text()
    assert value(page, "#m-kind") == "staff_qualifications"
