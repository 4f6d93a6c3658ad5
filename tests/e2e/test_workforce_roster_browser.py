"""The roster upload in Chromium (P-WF-1, P-SUP-6): one bad row refuses the whole file with
every row error listed; fixed, it imports; a banned person's ID is refused with the
lifetime-ban message, by the upload and by the add form."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from tests.e2e.test_filing_path import sign_in
from tests.factories import BanFactory, id_number_for
from tuoyu.workforce.excel_roster import DATA_SHEET_TITLE, HEADERS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET_TITLE
    ws.append(list(HEADERS))
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _row(n, name, *, id_number=None, role="保育人员"):
    return [
        name,
        id_number or id_number_for(n),
        role,
        "",
        "2024-03-01",
        "专职",
        "",
        "大专",
        "健康合格证",
        f"JK{n}",
        "2024-01-01",
        "2024-12-31",
    ]


def _upload(page, content):
    page.locator("#id_file").set_input_files(
        {"name": "roster.xlsx", "mimeType": XLSX, "buffer": content}
    )
    with page.expect_navigation():
        page.get_by_role("button", name="上传并导入").click()


def test_upload_bad_row_fix_reupload_and_ban_refusal(page, make_user, make_filed):
    institution = make_filed(name="多湖小橡树托育有限公司")
    make_user("xiaoxiangshu", institution=institution)
    ban = BanFactory(name="王某", id_number=id_number_for(42), decided_on=dt.date(2024, 3, 1))
    bad = id_number_for(2)[:-1] + ("0" if id_number_for(2)[-1] != "0" else "1")
    sign_in(page, "xiaoxiangshu")
    page.get_by_role("link", name="从业人员").first.click()
    page.get_by_test_id("roster-upload").click()
    _upload(page, _xlsx([_row(1, "李一"), _row(2, "张二", id_number=bad)]))
    errors = page.get_by_test_id("import-errors")
    assert "导入失败，未导入任何数据" in page.get_by_test_id("import-errors-summary").inner_text()
    assert errors.locator("tr[data-code='id_number_checksum']").count() == 1
    assert "身份证号码校验位错误" in errors.inner_text()
    _upload(page, _xlsx([_row(1, "李一"), _row(2, "张二")]))
    roster = page.get_by_test_id("roster")
    assert "李一" in roster.inner_text() and "张二" in roster.inner_text()
    page.get_by_test_id("roster-upload").click()
    _upload(page, _xlsx([_row(3, "王某", id_number=id_number_for(42), role="炊事人员")]))
    assert page.get_by_test_id("import-errors").locator("tr[data-code='lifetime_ban']").count() == 1
    assert "终身禁入" in page.get_by_test_id("import-errors").inner_text()
    page.goto(f"/workforce/institutions/{institution.pk}/new/")
    page.locator("#id_name").fill("王某")
    page.locator("#id_id_number").fill(id_number_for(42))
    page.locator("#id_role").select_option("cook")
    page.locator("#id_hired_on").fill("2024-05-01")
    with page.expect_navigation():
        page.locator("#id_hired_on").press("Enter")
    refusal = page.get_by_test_id("ban-refused")
    assert "终身禁入" in refusal.inner_text() and ban.decision_ref in refusal.inner_text()
    assert ban.attempts.count() == 2
