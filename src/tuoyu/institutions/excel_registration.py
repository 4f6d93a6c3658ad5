"""Excel files of the registrations (P-REG-11): the upload template registration authorities
fill in, the reader of that template (streaming, openpyxl read_only) and the exports of the
registrations page. The column headers are the file format, not UI text: they are the same
whatever the interface language."""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import ErrorCollector
from tuoyu.core.excel import cell_text, import_rows, safe_row
from tuoyu.institutions.catalogue import InstitutionsError
from tuoyu.institutions.registration_rules import AUTHORITY_LABELS
from tuoyu.institutions.registration_schema import FIELD_LABELS

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DATA_SHEET_TITLE = "登记信息"
TOWNSHIP_SHEET_TITLE = "镇乡街道代码"
NOTES_SHEET_TITLE = "填写说明"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")

# (field of the push body, header) in column order.
IMPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_id", "事件编号"),
    ("action", "事项"),
    ("uscc", "统一社会信用代码"),
    ("name", "机构名称"),
    ("legal_form", "法人类型"),
    ("for_profit", "营利性"),
    ("legal_representative", "法定代表人"),
    ("address", "地址"),
    ("township_code", "镇乡街道代码"),
    ("occurred_at", "发生时间"),
)
IMPORT_HEADERS = tuple(h for _, h in IMPORT_COLUMNS)

# What one upload may hold (P-REG-11 imports are all or nothing).
MAX_IMPORT_ROWS = 2_000
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_REPORTED_ERRORS = 200
HEADER_OF = dict(IMPORT_COLUMNS)
TEXT_COLUMNS = ("event_id", "uscc", "township_code")

# Cell values accepted for the choice columns: the Chinese label first (what the template's
# drop-downs offer), then synonyms and the API codes.
ACTION_VALUES = {
    "登记": "registered",
    "设立登记": "registered",
    "变更": "changed",
    "变更登记": "changed",
    "注销": "deregistered",
    "注销登记": "deregistered",
    "registered": "registered",
    "changed": "changed",
    "deregistered": "deregistered",
}
LEGAL_FORM_VALUES = {
    "企业": "company",
    "公司": "company",
    "社会组织": "social_organization",
    "民办非企业单位": "social_organization",
    "事业单位": "public_institution",
    "幼儿园": "kindergarten",
    "幼儿园（托幼一体化）": "kindergarten",
    "company": "company",
    "social_organization": "social_organization",
    "public_institution": "public_institution",
    "kindergarten": "kindergarten",
}
FOR_PROFIT_VALUES = {
    "营利": True,
    "营利性": True,
    "是": True,
    "非营利": False,
    "非营利性": False,
    "否": False,
    "true": True,
    "false": False,
}
CHOICES = {
    "action": (ACTION_VALUES, ("登记", "变更", "注销")),
    "legal_form": (LEGAL_FORM_VALUES, ("企业", "社会组织", "事业单位", "幼儿园")),
    "for_profit": (FOR_PROFIT_VALUES, ("营利性", "非营利性")),
}

INSTRUCTIONS = {
    "事件编号": "本机关系统中的事件编号，可不填（不填时按文件内容自动生成）；同一编号不能用于不同内容",
    "事项": "登记 / 变更 / 注销，必填",
    "统一社会信用代码": "18 位统一社会信用代码（GB 32100-2015），必填",
    "机构名称": "登记时必填；变更时只填变更后的内容，不变的可不填",
    "法人类型": "企业 / 社会组织 / 事业单位 / 幼儿园；登记时必填",
    "营利性": "营利性 / 非营利性；登记时必填。企业为营利性，社会组织、事业单位为非营利性",
    "法定代表人": "法定代表人（负责人）姓名",
    "地址": "住所（经营场所）",
    "镇乡街道代码": "9 位镇乡街道代码，见“镇乡街道代码”工作表；登记时必填",
    "发生时间": "登记机关办结时间，如 2024-03-01 09:00（北京时间），必填",
}


def header_of(field: str | None) -> str | None:
    """The column header (or label) a push error's field refers to, for the error report."""
    if field is None:
        return None
    if field in HEADER_OF:
        return HEADER_OF[field]
    return FIELD_LABELS.get(field, field)


# --- the template ------------------------------------------------------------------------


def registration_template(*, townships: Iterable[Any], authority_label: str) -> bytes:
    """The upload template: the data sheet with its headers and drop-downs, the township
    codes, and the instructions (the P-REG-10 rule and the limits)."""
    townships = list(townships)
    wb = Workbook()
    ws = _template_data_sheet(wb)
    _template_township_sheet(wb, ws, townships)
    _template_notes_sheet(wb, townships, authority_label)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _template_data_sheet(wb: Workbook) -> Worksheet:
    """The sheet rows are entered on: fixed bold headers, column widths, text-formatted
    code columns and a drop-down for each column with a closed set of values."""
    ws = wb.active
    ws.title = DATA_SHEET_TITLE
    ws.append(list(IMPORT_HEADERS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
    ws.freeze_panes = "A2"
    widths = {"事件编号": 26, "统一社会信用代码": 22, "机构名称": 36, "地址": 36, "发生时间": 18}
    last = MAX_IMPORT_ROWS + 1
    for index, (name, header) in enumerate(IMPORT_COLUMNS, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = widths.get(header, 14)
        if name in TEXT_COLUMNS:
            ws.column_dimensions[letter].number_format = "@"
    for name, (_, offered) in CHOICES.items():
        letter = get_column_letter(IMPORT_HEADERS.index(HEADER_OF[name]) + 1)
        validation = DataValidation(
            type="list",
            formula1='"' + ",".join(offered) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="取值无效",
            error="请从下拉列表中选择：" + "、".join(offered),
        )
        ws.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{last}")
    return ws


def _template_township_sheet(wb: Workbook, ws: Worksheet, townships: list[Any]) -> None:
    """The township codes sheet, and the data sheet's township column limited to its codes
    (no drop-down when there are no townships)."""
    codes = wb.create_sheet(TOWNSHIP_SHEET_TITLE)
    codes.append(["镇乡街道代码", "名称"])
    for cell in codes[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for township in townships:
        codes.append(safe_row([township.code, township.name]))
    codes.column_dimensions["A"].width = 16
    codes.column_dimensions["B"].width = 20
    if townships:
        last = MAX_IMPORT_ROWS + 1
        letter = get_column_letter(IMPORT_HEADERS.index("镇乡街道代码") + 1)
        validation = DataValidation(
            type="list",
            formula1=f"'{TOWNSHIP_SHEET_TITLE}'!$A$2:$A${len(townships) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="代码无效",
            error=f"请填写“{TOWNSHIP_SHEET_TITLE}”工作表中的代码",
        )
        ws.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{last}")


def _template_notes_sheet(wb: Workbook, townships: list[Any], authority_label: str) -> None:
    """The instructions sheet: how rows are processed (P-REG-10 authorities, P-FIL-3, all or
    nothing, the limits) and, per column, what to enter with an example."""
    notes = wb.create_sheet(NOTES_SHEET_TITLE)
    notes.append(safe_row([f"登记信息批量导入说明（{authority_label}）"]))
    notes["A1"].font = Font(bold=True, size=14)
    notes.append([])
    for line in (
        f"1. 在“{DATA_SHEET_TITLE}”工作表中逐行填写，每行一条登记、变更或注销信息；第 1 行表头不可修改、删除或调换顺序。",
        "2. 登记机关为上传账号所属部门；按 P-REG-10：营利性企业由区市场监管局登记，非营利性社会组织由区民政局登记，"
        "非营利性事业单位由区事业单位登记管理局登记，托幼一体化幼儿园由区教体局登记。",
        "3. 变更、注销的机构须已登记；同一文件中可先登记后变更（按行顺序处理）。注销登记将同时注销其备案（P-FIL-3）。",
        "4. 全部行校验通过才会导入；任何一行有误时不导入任何数据，并逐行列出错误（行号、列、错误代码、说明）。",
        f"5. 文件须为 .xlsx 格式，不超过 {MAX_IMPORT_BYTES // 1024 // 1024} MB、{MAX_IMPORT_ROWS} 行。",
        "6. 同一文件重复上传时，已接收的行按事件编号识别为重复推送，不会重复登记。",
    ):
        notes.append([line])
    notes.append([])
    notes.append(["列名", "说明", "示例"])
    for cell in notes[notes.max_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    example = {
        "事件编号": "SAMR-330703-2024-000123",
        "事项": "登记",
        "统一社会信用代码": "91330703MA2HXXXXXX",
        "机构名称": "金华市金东区某某托育有限公司",
        "法人类型": "企业",
        "营利性": "营利性",
        "法定代表人": "张三",
        "地址": "金东区多湖街道某某路 1 号",
        "镇乡街道代码": townships[0].code if townships else "330703001",
        "发生时间": "2024-03-01 09:00",
    }
    for header in IMPORT_HEADERS:
        notes.append(safe_row([header, INSTRUCTIONS[header], example[header]]))
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 90
    notes.column_dimensions["C"].width = 32


# --- reading an upload -------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedRow:
    number: int  # the spreadsheet row
    data: dict[str, Any]  # a push body (RegistrationIn fields)
    # False when a cell of the row was refused (its value left out of `data`): the row is
    # still checked, so the report lists all of the row's problems at once ([accounts-ux]
    # 5), but it is never written.
    cells_ok: bool = True


_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
)


def parse_datetime_cell(value: Any) -> dt.datetime | None:
    """An aware datetime from a cell (Excel date/time, or text); None if unreadable.
    Times without an offset are Beijing time."""
    if isinstance(value, dt.datetime):
        result = value
    elif isinstance(value, dt.date):
        result = dt.datetime.combine(value, dt.time())
    elif isinstance(value, str):
        text = value.strip()
        result = None
        try:
            result = dt.datetime.fromisoformat(text)
        except ValueError:
            for fmt in _DATETIME_FORMATS:
                try:
                    result = dt.datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
        if result is None:
            return None
    else:
        return None
    if result.tzinfo is None:
        result = result.replace(tzinfo=SHANGHAI)
    return result


def _file_digest(file: IO[bytes]) -> str:
    file.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: file.read(1 << 16), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def registration_file_parse(
    file: IO[bytes], *, authority: str, max_rows: int, max_errors: int
) -> tuple[list[ParsedRow], ErrorCollector]:
    """The rows of an upload as push bodies of `authority`, and the problems found in the
    cells (the push checks the rest). A row without an event id gets
    EXCEL-<authority>-<file digest>-<row>, so the same file uploaded again replays."""
    errors = ErrorCollector()
    rows: list[ParsedRow] = []

    digest = _file_digest(file)[:12]
    first_row_of: dict[str, int] = {}
    with import_rows(
        file,
        sheet_title=DATA_SHEET_TITLE,
        columns=[f for f, _ in IMPORT_COLUMNS],
        headers=IMPORT_HEADERS,
        errors=errors,
        max_rows=max_rows,
        max_errors=max_errors,
    ) as reader:
        add = reader.add
        for number, record in reader:
            data: dict[str, Any] = {"authority": authority}
            ok = True
            for name, (accepted, offered) in CHOICES.items():
                text = cell_text(record[name])
                if not text:
                    continue
                value = accepted.get(text, accepted.get(text.lower()))
                if value is None:
                    add(
                        CoreError.INVALID_CHOICE,
                        f"“{HEADER_OF[name]}”应为{'、'.join(offered)}之一，实际为“{text}”",
                        field=HEADER_OF[name],
                        row=number,
                    )
                    ok = False
                else:
                    data[name] = value
            for name in ("uscc", "name", "legal_representative", "address", "township_code"):
                text = cell_text(record[name])
                if text:
                    data[name] = text
            raw_time = record["occurred_at"]
            if cell_text(raw_time):
                occurred_at = parse_datetime_cell(raw_time)
                if occurred_at is None:
                    add(
                        InstitutionsError.INVALID_DATETIME,
                        f"“发生时间”格式错误，应为如 2024-03-01 09:00 的日期时间，实际为“{cell_text(raw_time)}”",
                        field=HEADER_OF["occurred_at"],
                        row=number,
                    )
                    ok = False
                    # A stand-in moment (now: never in the future, never before an earlier
                    # event) lets the push check the rest of the row; the row is not written.
                    data["occurred_at"] = dt.datetime.now(tz=SHANGHAI)
                else:
                    data["occurred_at"] = occurred_at
            event_id = cell_text(record["event_id"]) or f"EXCEL-{authority}-{digest}-{number}"
            data["event_id"] = event_id
            if event_id in first_row_of:
                add(
                    InstitutionsError.DUPLICATE_EVENT_ID,
                    f"事件编号“{event_id}”与第 {first_row_of[event_id]} 行重复",
                    field=HEADER_OF["event_id"],
                    row=number,
                )
                continue  # a second row under one event id is not checked again
            first_row_of[event_id] = number
            rows.append(ParsedRow(number=number, data=data, cells_ok=ok))
    return rows, errors


# --- exports -----------------------------------------------------------------------------


def _local(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _write(title: str, headers: list[str], rows: Iterable[list[Any]]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    ws.freeze_panes = "A2"
    for index in range(1, len(headers) + 1):
        ws.column_dimensions[get_column_letter(index)].width = 18
    ws.append(safe_row(headers))
    for row in rows:
        ws.append(safe_row(row))
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def registration_events_workbook(events: Iterable[Any]) -> bytes:
    """The events of the current filter, one a row (RegistrationEvent with institution and
    township loaded)."""
    headers = [
        "接收时间",
        "事件编号",
        "登记机关",
        "事项",
        "统一社会信用代码",
        "机构名称",
        "镇乡街道",
        "发生时间",
        "渠道",
        "当前登记状态",
        "当前备案状态",
    ]

    def rows():
        for e in events:
            inst = e.institution
            yield [
                _local(e.received_at),
                e.event_id,
                AUTHORITY_LABELS.get(e.authority, e.authority),
                e.get_action_display(),
                e.uscc,
                inst.name,
                inst.township.name,
                _local(e.occurred_at),
                e.get_channel_display(),
                inst.get_registration_status_display(),
                inst.get_filing_status_display(),
            ]

    return _write("登记信息推送", headers, rows())


def registrations_unfiled_workbook(rows_in: Iterable[Any], *, deadline_days: int) -> bytes:
    """Registered, not yet filed institutions (annotated by the selector with
    `days_since_registration` and `is_overdue`)."""
    headers = [
        "机构名称",
        "统一社会信用代码",
        "镇乡街道",
        "登记机关",
        "登记时间",
        "登记天数",
        f"逾期未备案（超过 {deadline_days} 天）",
    ]

    def rows():
        for inst in rows_in:
            yield [
                inst.name,
                inst.uscc,
                inst.township.name,
                AUTHORITY_LABELS.get(inst.registration_authority, inst.registration_authority),
                _local(inst.registered_at),
                inst.days_since_registration,
                "是" if inst.is_overdue else "否",
            ]

    return _write("已登记未备案", headers, rows())
