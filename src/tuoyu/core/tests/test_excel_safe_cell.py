"""[hardening] point 12: `safe_cell` / `safe_row`, the one way an export writes data into a
cell: text stays text (no live formula, OWASP CSV injection), numbers and dates stay typed,
characters a worksheet cannot hold do not fail the export."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from tuoyu.core.excel import FORMULA_LEADERS, safe_cell, safe_row


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example/x", "查看详情")',
        "=1+1",
        "+1+1",
        "-1+1",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
        "＝1+1",
        "＋86 138",
        "－1",
        "＠SUM(A1)",
    ],
)
def test_a_leading_formula_character_is_neutralised(text):
    assert text.startswith(FORMULA_LEADERS)
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["金华市金东区某某托育有限公司", "91330703MA2HXXXXXX", "", "a=b"])
def test_ordinary_text_is_kept(text):
    assert safe_cell(text) == text


@pytest.mark.parametrize(
    "value",
    [None, 0, -5, 3.5, Decimal("1.25"), True, dt.date(2024, 4, 1), dt.datetime(2024, 4, 1, 9)],
)
def test_numbers_dates_and_none_stay_typed(value):
    assert safe_cell(value) is value


def test_characters_a_worksheet_cannot_hold_are_dropped():
    assert safe_cell("托育\x00\x01\x0b机构\x1f") == "托育机构"
    assert safe_cell("\x01=1+1") == "'=1+1"  # dropped first, then neutralised


def test_a_workbook_written_through_safe_row_has_no_formula_and_keeps_types():
    """Before: openpyxl stored "=HYPERLINK(…)" as a formula and failed on "\\x01"."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("导出")
    ws.append(safe_row(['=HYPERLINK("http://x", "查看详情")', "名称\x01", 12, dt.date(2024, 1, 2)]))
    out = BytesIO()
    wb.save(out)
    cells = next(load_workbook(BytesIO(out.getvalue()))["导出"].iter_rows())
    assert [c.data_type for c in cells] == ["s", "s", "n", "d"]
    assert [c.value for c in cells[:3]] == ['\'=HYPERLINK("http://x", "查看详情")', "名称", 12]
