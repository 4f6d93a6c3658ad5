"""[hardening] point 11: reading an import never keeps a worker busy. Every row counts
towards the row limit (blank ones too, and the rows a sheet only declares), the reading
has a deadline, and a workbook that inflates beyond a bound is refused before openpyxl
opens it."""

from __future__ import annotations

import re
import time
import zipfile
from io import BytesIO

import pytest
from openpyxl import Workbook

from tuoyu.core import excel
from tuoyu.core.errors import DomainError, ErrorCollector

HEADERS = ["代码", "名称"]


def workbook_bytes(rows, *, dimension: str | None = None, extra_rows_xml: str = "") -> BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    out = BytesIO()
    wb.save(out)
    if dimension is None and not extra_rows_xml:
        out.seek(0)
        return out
    source = zipfile.ZipFile(BytesIO(out.getvalue()))
    patched = BytesIO()
    with zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                if dimension is not None:
                    text = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"', text)
                if extra_rows_xml:
                    text = text.replace("</sheetData>", extra_rows_xml + "</sheetData>")
                data = text.encode()
            target.writestr(info, data)
    patched.seek(0)
    return patched


def read(file, *, max_rows=10, max_seconds=None):
    errors = ErrorCollector()
    got = []
    kwargs = {} if max_seconds is None else {"max_seconds": max_seconds}
    with excel.import_rows(
        file,
        sheet_title="数据",
        columns=["code", "name"],
        headers=HEADERS,
        errors=errors,
        max_rows=max_rows,
        max_errors=50,
        **kwargs,
    ) as rows:
        for number, record in rows:
            got.append((number, record))
    return got, [(str(e.code), e.row) for e in errors.items]


def test_a_sheet_declaring_millions_of_blank_rows_stops_at_the_limit():
    file = workbook_bytes([["1", "a"]], dimension="A1:XFD3000000")
    started = time.monotonic()
    got, errors = read(file, max_rows=10)
    assert time.monotonic() - started < 5
    assert got == [(2, {"code": "1", "name": "a"})]
    assert errors == []  # declared rows that are not in the file are not rows


def test_blank_rows_count_towards_the_limit():
    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t></t></is></c></row>' for n in range(3, 40)
    )
    file = workbook_bytes([["1", "a"]], extra_rows_xml=rows)
    _got, errors = read(file, max_rows=10)
    assert errors == [("too_many_rows", 12)]


def test_a_row_far_down_the_sheet_stops_at_the_limit():
    far = '<row r="3000000"><c r="A3000000" t="inlineStr"><is><t>x</t></is></c></row>'
    file = workbook_bytes([["1", "a"]], extra_rows_xml=far)
    started = time.monotonic()
    _got, errors = read(file, max_rows=10)
    assert time.monotonic() - started < 5
    assert errors == [("too_many_rows", 12)]


def test_reading_has_a_deadline(monkeypatch):
    clock = iter(range(0, 10_000, 7))
    monkeypatch.setattr(excel.time, "monotonic", lambda: next(clock))
    file = workbook_bytes([[str(n), "a"] for n in range(50)])
    got, errors = read(file, max_rows=100, max_seconds=20)
    assert ("import_timeout", None) in errors
    assert len(got) < 50


def test_a_zip_bomb_is_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(excel, "MAX_UNCOMPRESSED_BYTES", 10_000)
    file = workbook_bytes([["1", "x" * 50_000]])
    with pytest.raises(DomainError) as caught:
        read(file)
    assert caught.value.code == "file_too_large"
