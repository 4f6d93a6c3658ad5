"""Excel export of the subsidy report (P-SUB-4): the tables the report page shows — per
fund, per township, per institution — cell for cell, with the same totals. Every text cell
goes through `safe_row`; the export is an audited event (year, fund, township, rows) in the
same transaction as the file is written."""

from __future__ import annotations

import io

from django.db import transaction
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from tuoyu.audit.services import audit_record
from tuoyu.core.excel import safe_row
from tuoyu.subsidies.catalogue import SubsidyAction
from tuoyu.subsidies.selectors.reports import ReportRow, SubsidyReport

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
MONEY_FORMAT = "#,##0.00"
# The figures' headers (Chinese whatever the interface language: the file format), in the
# order of `selectors.reports.COLUMNS` and of the page's table.
FIGURE_HEADERS = (
    "应享金额（元）",
    "申请金额（元）",
    "批准金额（元）",
    "已支付（元）",
    "已追回（元）",
    "净支付（元）",
)
TOTAL = "合计"


def _sheet(wb, title, first_headers, rows, total, widths):
    ws = wb.create_sheet(title)
    headers = (*first_headers, *FIGURE_HEADERS)
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for first, figures in rows:
        ws.append(safe_row([*first, *figures.values()]))
    if total is not None:
        ws.append([TOTAL, *[""] * (len(first_headers) - 1), *total.values()])
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
    for col in range(len(first_headers) + 1, len(headers) + 1):
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.number_format = MONEY_FORMAT
    for i, width in enumerate((*widths, *[14] * len(FIGURE_HEADERS)), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "B2"
    return ws


def _rows(rows: tuple[ReportRow, ...], *, with_code=False, with_township=False):
    for r in rows:
        first = [r.label]
        if with_code:
            first.append(r.key)
        if with_township:
            first.append(r.township)
        yield first, r.figures


@transaction.atomic
def report_workbook(*, acting_user, report: SubsidyReport) -> bytes:
    """The report as .xlsx bytes; records REPORT_EXPORTED."""
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "按资金", ("资金名称",), _rows(report.funds), report.all_funds_total, (36,))
    _sheet(wb, "按镇乡街道", ("镇乡街道",), _rows(report.townships), report.total, (18,))
    _sheet(
        wb,
        "按机构",
        ("机构名称", "统一社会信用代码", "所在镇乡街道"),
        _rows(report.institutions, with_code=True, with_township=True),
        None,
        (40, 22, 14),
    )
    out = io.BytesIO()
    wb.save(out)
    audit_record(
        action=SubsidyAction.REPORT_EXPORTED,
        actor=acting_user,
        object_type="subsidies.fund",
        object_id=report.fund.pk if report.fund else "",
        object_label=report.fund.name if report.fund else "",
        detail={
            "year": report.year,
            "fund": report.fund.code if report.fund else "",
            "township": report.township,
            "rows": len(report.institutions),
        },
    )
    return out.getvalue()
