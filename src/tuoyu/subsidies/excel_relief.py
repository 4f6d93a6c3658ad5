"""Excel exports of the relief lists (P-TAX-1, P-TAX-2) on a day: for 区税务局 (the tax and
fee reliefs) and for the electricity, water and gas companies (residential rates). Text
cells through `safe_row`; each export is an audited event (which list, day, township,
rows)."""

from __future__ import annotations

import io

from django.db import transaction
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from tuoyu.audit.services import audit_record
from tuoyu.core.excel import safe_row
from tuoyu.subsidies.catalogue import SubsidyAction
from tuoyu.subsidies.selectors.relief import premises_words, relief_terms

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")

TAX_COLUMNS = (
    ("机构名称", 40),
    ("统一社会信用代码", 22),
    ("地址", 40),
    ("所在镇乡街道", 14),
    ("备案日期", 12),
    ("备案编号", 22),
    ("适用优惠", 70),
    ("托育收入计入收入总额比例", 14),
)
UTILITY_COLUMNS = (
    ("机构名称", 40),
    ("地址", 40),
    ("统一社会信用代码", 22),
    ("托育场所", 50),
    ("适用价格", 40),
)
KINDS = {"tax": "税费优惠名单", "utility": "水电气居民价格名单"}


def _workbook(title, columns, rows, *, percent_column=None):
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append([c for c, _ in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for row in rows:
        ws.append(safe_row(row))
    for i, (_, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    if percent_column:
        for (cell,) in ws.iter_rows(min_row=2, min_col=percent_column, max_col=percent_column):
            cell.number_format = "0%"
    ws.freeze_panes = "B2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def tax_rows(institutions, terms):
    words = "；".join(terms.tax_relief_words())
    for inst in institutions:
        yield [
            inst.name,
            inst.uscc,
            inst.address,
            inst.township.name,
            inst.filed_on,
            inst.filing_number,
            words,
            terms.care_income_counted_share,
        ]


def utility_rows(institutions, terms):
    words = "；".join(terms.utility_relief_words())
    for inst in institutions:
        yield [inst.name, inst.address, inst.uscc, premises_words(inst), words]


@transaction.atomic
def relief_workbook(*, acting_user, kind: str, institutions, day, township: str = "") -> bytes:
    """The list `kind` ("tax" or "utility") of `institutions` (the qualifying queryset) on
    `day` as .xlsx bytes; records RELIEF_LIST_EXPORTED."""
    terms = relief_terms(day)
    rows = list(institutions)
    if kind == "tax":
        data = _workbook(
            KINDS[kind], TAX_COLUMNS, tax_rows(rows, terms), percent_column=len(TAX_COLUMNS)
        )
    else:
        data = _workbook(KINDS[kind], UTILITY_COLUMNS, utility_rows(rows, terms))
    audit_record(
        action=SubsidyAction.RELIEF_LIST_EXPORTED,
        actor=acting_user,
        object_type="institutions.institution",
        object_label=KINDS[kind],
        detail={"list": kind, "on_date": day, "township": township, "rows": len(rows)},
    )
    return data
