"""Excel files of workforce: the roster upload template and its reader (all or nothing,
every row error at once), and the training list for 区人力社保局 (P-WF-3). The column
headers are the file format, not UI text: the same whatever the interface language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from io import BytesIO
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import ErrorCollector
from tuoyu.core.excel import cell_text, import_rows, safe_row
from tuoyu.workforce.models import CertificateKind, Education, Role
from tuoyu.workforce.services import CertificateInput

DATA_SHEET_TITLE = "从业人员"
NOTES_SHEET_TITLE = "填写说明"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
MAX_IMPORT_ROWS = 2_000
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_REPORTED_ERRORS = 200

COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "姓名"),
    ("id_number", "身份证号码"),
    ("role", "岗位"),
    ("care_class", "所在班级"),
    ("hired_on", "入职日期"),
    ("full_time", "专职或兼职"),
    ("phone", "联系电话"),
    ("education", "学历"),
    ("kind", "证书类型"),
    ("number", "证书编号"),
    ("valid_from", "证书有效期起"),
    ("valid_until", "证书有效期至"),
)
HEADERS = tuple(h for _, h in COLUMNS)
HEADER_OF = dict(COLUMNS)
# Errors of the checks shared with the form and the API name these fields.
HEADER_OF.update(
    {
        "care_class_id": "所在班级",
        "certificates[0].kind": "证书类型",
        "certificates[0].valid_from": "证书有效期起",
        "certificates[0].valid_until": "证书有效期至",
        "certificates[0].number": "证书编号",
        "certificates[0].issuer": "证书类型",
    }
)
ROLE_VALUES = {str(label): value for value, label in Role.choices} | {v: v for v in Role.values}
KIND_VALUES = {str(label): value for value, label in CertificateKind.choices} | {
    v: v for v in CertificateKind.values
}
EDUCATION_VALUES = {str(label): value for value, label in Education.choices if value} | {
    v: v for v in Education.values if v
}
FULL_TIME_VALUES = {"专职": True, "全职": True, "兼职": False, "是": True, "否": False}


def parse_date_cell(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value).replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def roster_template(*, class_names: Iterable[str]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET_TITLE
    ws.append(list(HEADERS))
    for i, cell in enumerate(ws[1], start=1):
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        ws.column_dimensions[get_column_letter(i)].width = 20 if i != 2 else 24
    ws.freeze_panes = "A2"
    last = MAX_IMPORT_ROWS + 1
    for key, values in (
        ("role", [str(label) for _, label in Role.choices]),
        ("full_time", ["专职", "兼职"]),
        ("education", [str(label) for v, label in Education.choices if v]),
        ("kind", [str(label) for _, label in CertificateKind.choices]),
    ):
        letter = get_column_letter([k for k, _ in COLUMNS].index(key) + 1)
        validation = DataValidation(
            type="list", formula1='"' + ",".join(values) + '"', allow_blank=True
        )
        ws.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{last}")
    for key in ("id_number", "phone", "number"):
        letter = get_column_letter([k for k, _ in COLUMNS].index(key) + 1)
        for row in range(2, 202):
            ws[f"{letter}{row}"].number_format = "@"
    notes = wb.create_sheet(NOTES_SHEET_TITLE)
    for line in (
        "从业人员批量导入说明",
        f"1. 在“{DATA_SHEET_TITLE}”工作表中逐行填写，每行一名在职人员；第 1 行表头不可修改。",
        "2. 身份证号码为 18 位（GB 11643），须年满 16 周岁；同一人在一个文件中只能出现一次。",
        "3. 岗位："
        + "、".join(str(label) for _, label in Role.choices)
        + "；保育人员可填所在班级名称。",
        "4. 每行可填一份证书（如健康合格证）；其余证书在人员详情页补充。日期格式 2024-03-01。",
        "5. 全部行校验通过才会导入；任何一行有误时不导入任何数据，并逐行列出错误。",
        "6. 终身禁入人员不能登记，录用尝试将被记录并报告区卫健局。",
        "班级名称：" + ("、".join(class_names) or "（本机构尚未设置班级）"),
    ):
        notes.append(safe_row([line]))
    notes["A1"].font = Font(bold=True, size=14)
    notes.column_dimensions["A"].width = 100
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


# Stand-ins for cells already reported as unreadable: valid values, so that checking the rest
# of the row adds no second error for the same cell.
ROLE_STAND_IN = "other"
STAND_IN_DATE = dt.date(2000, 1, 1)


def _choice(record, key, accepted, add, number):
    text = cell_text(record[key])
    if not text:
        return None, True
    value = accepted.get(text, accepted.get(text.lower()))
    if value is None:
        add(
            CoreError.INVALID_CHOICE,
            f"“{HEADER_OF[key]}”的值“{text}”不在允许范围内",
            field=HEADER_OF[key],
            row=number,
        )
        return None, False
    return value, True


def _date(record, key, add, number, *, required=False):
    raw = record[key]
    if not cell_text(raw):
        if required:
            add(CoreError.REQUIRED, f"请填写“{HEADER_OF[key]}”", field=HEADER_OF[key], row=number)
        return None, not required
    value = parse_date_cell(raw)
    if value is None:
        add(
            CoreError.DATE_PARSING,
            f"“{HEADER_OF[key]}”应为如 2024-03-01 的日期，实际为“{cell_text(raw)}”",
            field=HEADER_OF[key],
            row=number,
        )
        return None, False
    return value, True


def _row_data(record, number, add, classes: dict[str, int]) -> dict:
    """The row's entry. A cell that cannot be read is reported and replaced by a stand-in,
    so that the rest of the row is still checked by the service and the report lists every
    error of every row ([accounts-ux] #9 point 5); a file with any error writes nothing."""
    role, _ = _choice(record, "role", ROLE_VALUES, add, number)
    education, _ = _choice(record, "education", EDUCATION_VALUES, add, number)
    full_time, _ = _choice(record, "full_time", FULL_TIME_VALUES, add, number)
    hired_on, _ = _date(record, "hired_on", add, number, required=True)
    class_name = cell_text(record["care_class"])
    care_class_id = classes.get(class_name) if class_name else None
    if class_name and care_class_id is None:
        add(
            CoreError.INVALID_CHOICE,
            f"本机构没有名为“{class_name}”的班级",
            field=HEADER_OF["care_class"],
            row=number,
        )
    certificates = []
    kind_text = cell_text(record["kind"])
    if kind_text:
        kind = KIND_VALUES.get(kind_text, kind_text)
        valid_from, _ = _date(record, "valid_from", add, number, required=True)
        valid_until, _ = _date(record, "valid_until", add, number)
        certificates.append(
            CertificateInput(
                kind=kind,
                number=cell_text(record["number"]),
                valid_from=valid_from or STAND_IN_DATE,
                valid_until=valid_until,
            )
        )
    return {
        "name": cell_text(record["name"]),
        "id_number": cell_text(record["id_number"]),
        "role": role or (ROLE_STAND_IN if cell_text(record["role"]) else ""),
        "care_class_id": care_class_id,
        "hired_on": hired_on or STAND_IN_DATE,
        "full_time": True if full_time is None else full_time,
        "phone": cell_text(record["phone"]),
        "education": education or "",
        "certificates": certificates,
    }


def roster_file_parse(
    file: IO[bytes], *, classes: dict[str, int]
) -> tuple[list[tuple[int, dict]], ErrorCollector]:
    """(row number, entry data) for each readable row, and the cell problems."""
    errors = ErrorCollector()
    rows: list[tuple[int, dict]] = []
    with import_rows(
        file,
        sheet_title=DATA_SHEET_TITLE,
        columns=[k for k, _ in COLUMNS],
        headers=HEADERS,
        errors=errors,
        max_rows=MAX_IMPORT_ROWS,
        max_errors=MAX_REPORTED_ERRORS,
    ) as reader:
        for number, record in reader:
            rows.append((number, _row_data(record, number, reader.add, classes)))
    return rows, errors


# --- P-WF-3: the training and appraisal list ---------------------------------------------------

TRAINING_HEADERS = (
    "机构名称",
    "统一社会信用代码",
    "姓名",
    "身份证号码（脱敏）",
    "岗位",
    "类型",
    "培训（认定）项目",
    "技能等级",
    "学时",
    "培训机构",
    "完成日期",
)


def trainings_workbook(trainings: Iterable[Any], *, year: int) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = f"{year}年培训与技能认定"
    ws.append(list(TRAINING_HEADERS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for t in trainings:
        staff = t.staff
        ws.append(
            safe_row(
                [
                    staff.institution.name,
                    staff.institution.uscc,
                    staff.name,
                    staff.person.id_number_masked,
                    staff.get_role_display(),
                    t.get_kind_display(),
                    t.title,
                    t.appraisal_level,
                    float(t.hours),
                    t.provider,
                    t.completed_on,
                ]
            )
        )
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
