"""The Excel template for the yearly statistics import (the format the import reads)."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from tuoyu.core.excel import safe_row
from tuoyu.regions import selectors
from tuoyu.regions.models import STAT_FIELDS, RegionYearStatistic
from tuoyu.regions.services import (
    DATA_SHEET_TITLE,
    IMPORT_COLUMNS,
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    STAT_YEAR_MIN,
    statistic_year_max,
)

INSTRUCTIONS = {
    "区划代码": "镇乡街道 9 位统计用区划代码（或本区 6 位代码，填写全区合计），必填；模板已预填",
    "区划名称": "仅供核对，导入时不读取",
    "年度": "统计年度，4 位整数，如 2024",
    "常住人口": "年末常住人口数",
    "出生人数": "本年度活产出生人数",
    "0岁儿童数": "年末未满 1 周岁的儿童数",
    "1岁儿童数": "年末满 1 周岁未满 2 周岁的儿童数",
    "2岁儿童数": "年末满 2 周岁未满 3 周岁的儿童数（三者之和为 3 岁以下儿童数）",
    "应管理儿童数": "辖区内应接受健康管理的 3 岁以下儿童数（健康管理率的分母）",
    "健康管理人数": "年内接受过 1 次及以上随访（健康检查）的 3 岁以下儿童数，不大于应管理儿童数",
    "系统管理人数": "按“4-2-2”频次完成健康检查的 3 岁以下儿童数，不大于健康管理人数",
}

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def statistics_template(*, acting_user, year: int | None = None) -> bytes:
    """An .xlsx with the import headers, one row per township of the district prefilled
    with code, name and year (and the figures already recorded for that year, so that the
    file can be corrected and imported again), and an instructions sheet."""
    year = year or statistic_year_max()
    townships = list(selectors.regions_for_statistics_import(acting_user=acting_user))
    existing = {
        s.region_id: s
        for s in RegionYearStatistic.objects.filter(region__in=[t.pk for t in townships], year=year)
    }
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET_TITLE
    ws.append([header for _, header in IMPORT_COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
    for township in townships:
        stat = existing.get(township.pk)
        figures = [getattr(stat, f) if stat else None for f in STAT_FIELDS]
        ws.append(safe_row([township.code, township.name, year, *figures]))
        ws.cell(row=ws.max_row, column=1).number_format = "@"
    ws.freeze_panes = "D2"
    for i, (_, header) in enumerate(IMPORT_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(12, len(header) * 2 + 4)
    last = max(ws.max_row, 2) + 200
    counts = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="数值无效",
        error="请填写不小于 0 的整数",
    )
    ws.add_data_validation(counts)
    counts.add(f"D2:{get_column_letter(len(IMPORT_COLUMNS))}{last}")
    years = DataValidation(
        type="whole",
        operator="between",
        formula1=str(STAT_YEAR_MIN),
        formula2=str(statistic_year_max()),
        showErrorMessage=True,
        errorTitle="年度无效",
        error=f"年度应在 {STAT_YEAR_MIN}–{statistic_year_max()} 之间",
    )
    ws.add_data_validation(years)
    years.add(f"C2:C{last}")

    notes = wb.create_sheet("填写说明")
    notes.append(["人口与婴幼儿健康管理年度统计 导入说明"])
    notes["A1"].font = Font(bold=True, size=14)
    notes.append([])
    for line in (
        f"1. 在“{DATA_SHEET_TITLE}”工作表中填写，第 1 行表头不可修改、删除或调换顺序。",
        "2. 每个区划每个年度只能有一行；已导入过的区划和年度再次导入时，以新数据覆盖（留痕）。",
        "3. 所有数量均为不小于 0 的整数；健康管理人数 ≤ 应管理儿童数，系统管理人数 ≤ 健康管理人数。",
        "4. 全部行校验通过才会导入；任何一行有误时不导入任何数据，并逐行列出错误。",
        f"5. 文件须为 .xlsx 格式，不超过 {MAX_IMPORT_BYTES // 1024 // 1024} MB、"
        f"{MAX_IMPORT_ROWS} 行。",
        "6. 健康管理率 = 健康管理人数 / 应管理儿童数；系统管理率 = 系统管理人数 / 应管理儿童数。",
    ):
        notes.append([line])
    notes.append([])
    notes.append(["列名", "说明"])
    for cell in notes[notes.max_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for _, header in IMPORT_COLUMNS:
        notes.append([header, INSTRUCTIONS[header]])
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 90

    out = BytesIO()
    wb.save(out)
    return out.getvalue()
