"""[hardening] point 12: no Excel file the platform writes holds a live formula made from
data. A name pushed as `=HYPERLINK("http://…", "查看详情")` arrived in 区卫健局's export as
a formula; now every cell written from data goes through `tuoyu.core.excel.safe_cell`:
text stays text, a leading = + - @ (and tab, carriage return, their full-width forms) is
neutralised with an apostrophe (OWASP CSV injection), characters a worksheet cannot hold
are dropped instead of failing the export; numbers and dates stay typed.

One test per export (the directory, the registrations and the unfiled list, the
registration template, the statistics template), and a guard that every module writing a
workbook uses the helper."""

from __future__ import annotations

import ast
import datetime as dt
import json
from io import BytesIO
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import DUOHU
from tuoyu.core.identifiers import make_uscc
from tuoyu.regions.models import Region

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/x", "查看详情")'
DDE = "=cmd|' /C calc'!A0"
SRC = Path(__file__).resolve().parents[2] / "src" / "tuoyu"


def workbook(response):
    assert response.status_code == 200, response
    content = response.content if hasattr(response, "content") else b""
    if not content:
        content = b"".join(response.streaming_content)
    return load_workbook(BytesIO(content))  # formulas kept as formulas (data_only=False)


def formula_cells(wb) -> list[tuple[str, str, object]]:
    return [
        (ws.title, cell.coordinate, cell.value)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def values(wb) -> list[object]:
    return [cell.value for ws in wb.worksheets for row in ws.iter_rows() for cell in row]


def push(api_client, user, **body):
    n = push.counter = getattr(push, "counter", 0) + 1
    data = {
        "event_id": f"SAMR-330703-2024-F{n:05d}",
        "authority": "market_regulation",
        "action": "registered",
        "uscc": make_uscc("9", "1", "330703", f"MF{n:06d}"),
        "name": f"金华市金东区导出{n}号托育有限公司",
        "legal_form": "company",
        "for_profit": True,
        "township_code": DUOHU,
        "occurred_at": "2024-03-01T09:00:00+08:00",
        **body,
    }
    response = api_client(user).post(
        "/api/v1/registrations", json.dumps(data), content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    return data


def test_the_directory_export_writes_pushed_text_as_text(
    client, api_client, health_user, market_user, make_institution
):
    """The issue's probe: a pushed name `=HYPERLINK(…)` in 区卫健局's directory export."""
    push(api_client, market_user, name=HYPERLINK, address="+86 金东区 1 号")
    make_institution(
        name="金华市金东区控制\x01字符托育有限公司",
        filing_status="filed",
        filing_number="TY330703-2024-0099",
        filed_on=dt.date(2024, 4, 1),
        monthly_fee_yuan=1800,
    )
    client.force_login(health_user)

    wb = workbook(client.get(reverse("institutions:export")))

    assert formula_cells(wb) == []
    cells = values(wb)
    assert "'" + HYPERLINK in cells
    assert "'+86 金东区 1 号" in cells
    assert "金华市金东区控制字符托育有限公司" in cells  # dropped, not a failed export
    ws = wb.active
    headers = [c.value for c in ws[1]]
    filed = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[11])
    row = dict(zip(headers, filed, strict=True))
    assert isinstance(row["备案日期"], dt.datetime)  # dates stay dates
    assert row["月收费（元）"] == 1800  # numbers stay numbers


def test_the_registration_exports_write_pushed_text_as_text(
    client, api_client, health_user, market_user
):
    push(api_client, market_user, name=HYPERLINK, event_id=DDE)
    client.force_login(health_user)

    events = workbook(client.get(reverse("institutions:registrations_export")))
    unfiled = workbook(client.get(reverse("institutions:registrations_export"), {"tab": "unfiled"}))

    for wb in (events, unfiled):
        assert formula_cells(wb) == []
        assert "'" + HYPERLINK in values(wb)
    assert "'" + DDE in values(events)
    days = [r[5] for r in unfiled.active.iter_rows(min_row=2, values_only=True)]
    assert days and all(isinstance(d, int) for d in days)  # 登记天数 stays a number


def test_the_registration_template_writes_township_names_as_text(client, market_user, district):
    Region.objects.filter(code=DUOHU).update(name="@SUM(1+1)多湖街道")
    client.force_login(market_user)

    wb = workbook(client.get(reverse("institutions:registration_template")))

    assert formula_cells(wb) == []
    assert "'@SUM(1+1)多湖街道" in values(wb)


def test_the_statistics_template_writes_township_names_as_text(client, health_user, district):
    Region.objects.filter(code=DUOHU).update(name="-1+1 多湖街道")
    client.force_login(health_user)

    wb = workbook(client.get(reverse("regions:statistics_template")))

    assert formula_cells(wb) == []
    assert "'-1+1 多湖街道" in values(wb)
    years = [r[2] for r in wb.active.iter_rows(min_row=2, values_only=True)]
    assert years and all(isinstance(y, int) for y in years)  # the year stays a number


def test_every_module_that_writes_a_workbook_uses_safe_cells():
    """The class of the fault: a module that builds a workbook without importing
    `safe_row` / `safe_cell` fails here (the tests above check each export's cells)."""
    offenders = []
    for path in SRC.rglob("*.py"):
        if "tests" in path.parts or (path.name == "excel.py" and path.parent.name == "core"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        writes = any(
            isinstance(node, ast.ImportFrom)
            and node.module == "openpyxl"
            and any(alias.name == "Workbook" for alias in node.names)
            for node in ast.walk(tree)
        )
        if not writes:
            continue
        uses = any(
            isinstance(node, ast.ImportFrom)
            and node.module == "tuoyu.core.excel"
            and any(alias.name in ("safe_cell", "safe_row") for alias in node.names)
            for node in ast.walk(tree)
        )
        if not uses:
            offenders.append(str(path.relative_to(SRC)))
    assert offenders == []
