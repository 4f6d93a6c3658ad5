"""Reading uploaded Excel files for the all-or-nothing imports (regions statistics,
registrations, and the imports later issues add): the same checks and the same Chinese
messages everywhere. openpyxl reads in streaming (read-only) mode.

Writing: every cell an export or a template fills from data goes through `safe_cell` (or
`safe_row`), so that no text becomes a live formula ([hardening] point 12)."""

from __future__ import annotations

import time
import zipfile
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from typing import IO, Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError, ErrorCollector

XLSX_MAGIC = b"PK\x03\x04"
# [hardening] point 11: an import never keeps a worker busy. A workbook inflating beyond
# this is refused before openpyxl opens it (a few MB of .xlsx hold at most some tens of MB
# of XML; a zip bomb holds gigabytes); the reading stops at its deadline (settings
# TUOYU_IMPORT_MAX_SECONDS) and at the row limit, blank rows counted.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
DEFAULT_IMPORT_MAX_SECONDS = 60


def cell_text(value: Any) -> str:
    """A cell as trimmed text; whole-number floats (how Excel stores 2024) lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def file_size(file: IO[bytes]) -> int:
    size = getattr(file, "size", None)
    if size is None:
        pos = file.tell()
        file.seek(0, 2)
        size = file.tell()
        file.seek(pos)
    return size


def check_file_size(file: IO[bytes], *, max_bytes: int) -> None:
    size = file_size(file)
    if size > max_bytes:
        raise DomainError(
            CoreError.FILE_TOO_LARGE,
            f"文件过大（{size / 1024 / 1024:.1f} MB），上限为 {max_bytes // 1024 // 1024} MB",
            field="file",
            status=413,
        )
    if size == 0:
        raise DomainError(CoreError.FILE_EMPTY, "文件为空", field="file")


def open_data_sheet(file: IO[bytes], *, sheet_title: str):
    """The workbook (read-only, streaming) and its data sheet (`sheet_title`, else the first
    sheet); DomainError `file_invalid` / `file_empty` when it is not a usable .xlsx."""
    import openpyxl

    file.seek(0)
    head = file.read(4)
    file.seek(0)
    if head != XLSX_MAGIC:
        raise DomainError(
            CoreError.FILE_INVALID,
            "文件不是有效的 Excel 工作簿（.xlsx）。如为 .xls 或 .csv 文件，请用 Excel 另存为 .xlsx 后再导入",
            field="file",
        )
    _check_inflated_size(file)
    try:
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # a zip that is no workbook fails in many ways inside openpyxl
        raise DomainError(
            CoreError.FILE_INVALID,
            f"无法读取 Excel 文件：文件已损坏或不是 .xlsx 格式（{exc.__class__.__name__}）",
            field="file",
        ) from exc
    if sheet_title in workbook.sheetnames:
        return workbook, workbook[sheet_title]
    if workbook.worksheets:
        return workbook, workbook.worksheets[0]
    workbook.close()
    raise DomainError(CoreError.FILE_EMPTY, "文件中没有工作表", field="file")


def _check_inflated_size(file: IO[bytes]) -> None:
    """`file_too_large` (413) when the workbook's parts inflate beyond MAX_UNCOMPRESSED_BYTES
    (the sizes the zip declares; Python's zipfile never inflates a part beyond its declared
    size)."""
    try:
        with zipfile.ZipFile(file) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DomainError(
            CoreError.FILE_INVALID,
            f"无法读取 Excel 文件：文件已损坏或不是 .xlsx 格式（{exc.__class__.__name__}）",
            field="file",
        ) from exc
    finally:
        file.seek(0)
    if inflated > MAX_UNCOMPRESSED_BYTES:
        raise DomainError(
            CoreError.FILE_TOO_LARGE,
            f"文件解压后过大（{inflated // 1024 // 1024} MB），上限为 "
            f"{MAX_UNCOMPRESSED_BYTES // 1024 // 1024} MB",
            field="file",
            status=413,
        )


def import_max_seconds() -> float:
    from django.conf import settings

    return float(getattr(settings, "TUOYU_IMPORT_MAX_SECONDS", DEFAULT_IMPORT_MAX_SECONDS))


def check_header(header: Sequence[Any], expected: Sequence[str], errors: ErrorCollector) -> None:
    """Row 1 must hold exactly the template's column titles, in order."""
    found = [cell_text(v) for v in header]
    while found and not found[-1]:
        found.pop()
    for i, title in enumerate(expected):
        actual = found[i] if i < len(found) else ""
        if actual != title:
            letter = get_column_letter(i + 1)
            message = (
                f"第 {letter} 列表头应为“{title}”，实际为“{actual}”"
                if actual
                else f"缺少第 {letter} 列“{title}”"
            )
            errors.add(CoreError.HEADER_MISMATCH, message, field=title, row=1)
    for i in range(len(expected), len(found)):
        if found[i]:
            errors.add(
                CoreError.HEADER_MISMATCH,
                f"第 {get_column_letter(i + 1)} 列“{found[i]}”不是模板中的列（模板共 "
                f"{len(expected)} 列，最后一列为“{expected[-1]}”）",
                field=found[i],
                row=1,
            )


class TooManyErrors(Exception):
    """Raised by `ImportRows.add` once the report is long enough; ends the reading."""


class ImportRows:
    """The data rows of an import sheet as `(row number, {column key: cell})`, after the
    header check; blank lines are skipped, but every row counts towards `max_rows` (a sheet
    of millions of blank rows kept a worker busy for minutes): more stop the reading with
    `too_many_rows`. The size a sheet declares is ignored, only its rows are read, and only
    its template's columns. The reading ends at `max_seconds` (`import_timeout`), however
    long the caller spends on each row. Row problems go through `add`, which stops at
    `max_errors`."""

    def __init__(self, sheet, *, columns, headers, errors, max_rows, max_errors, max_seconds):
        self.sheet = sheet
        self.columns = list(columns)
        self.headers = list(headers)
        self.errors = errors
        self.max_rows = max_rows
        self.max_errors = max_errors
        self.max_seconds = max_seconds
        self.count = 0
        self.header_ok = False

    def add(self, code: str, message: str, *, field: str | None, row: int | None) -> None:
        self.errors.add(code, message, field=field, row=row)
        if len(self.errors.items) >= self.max_errors:
            raise TooManyErrors

    def __iter__(self):
        deadline = time.monotonic() + self.max_seconds
        if hasattr(self.sheet, "reset_dimensions"):
            # A read-only sheet pads its rows to the size its XML declares: ignore that.
            self.sheet.reset_dimensions()
        header = next(self.sheet.iter_rows(min_row=1, max_row=1, values_only=True), None)
        if header is None or not any(cell_text(v) for v in header):
            self.errors.add(CoreError.FILE_EMPTY, "文件为空：第 1 行应为表头", field="file", row=1)
            return
        check_header(header, self.headers, self.errors)
        if self.errors:
            return
        self.header_ok = True
        width = len(self.columns)
        cells = self.sheet.iter_rows(min_row=2, max_col=width, values_only=True)
        for number, values in enumerate(cells, start=2):
            if number - 1 > self.max_rows:
                self.errors.add(
                    CoreError.TOO_MANY_ROWS,
                    f"数据行（含空行）超过 {self.max_rows} 行上限，请删除多余的空行或拆分为多个文件导入",
                    field="file",
                    row=number,
                )
                return
            if time.monotonic() > deadline:
                self.errors.add(
                    CoreError.IMPORT_TIMEOUT,
                    f"读取超过 {self.max_seconds:g} 秒仍未完成（读到第 {number} 行），"
                    "请拆分为多个较小的文件导入",
                    field="file",
                )
                return
            values = tuple(values)[:width]
            values += (None,) * (width - len(values))
            if not any(cell_text(v) for v in values):
                continue  # blank lines are tolerated (and counted)
            self.count += 1
            yield number, dict(zip(self.columns, values, strict=True))


@contextmanager
def import_rows(
    file, *, sheet_title, columns, headers, errors, max_rows, max_errors, max_seconds=None
):
    """Open an uploaded template and read its rows (see ImportRows); a file that turns out
    unreadable while streaming is `file_invalid`, a long report ends with `too_many_errors`,
    a sheet with a header and no rows is `file_empty`, a reading beyond `max_seconds`
    (default settings.TUOYU_IMPORT_MAX_SECONDS) `import_timeout`."""
    workbook, sheet = open_data_sheet(file, sheet_title=sheet_title)
    rows = ImportRows(
        sheet,
        columns=columns,
        headers=headers,
        errors=errors,
        max_rows=max_rows,
        max_errors=max_errors,
        max_seconds=import_max_seconds() if max_seconds is None else max_seconds,
    )
    try:
        yield rows
        if rows.header_ok and rows.count == 0:
            errors.add(
                CoreError.FILE_EMPTY, "文件中没有数据行（第 2 行起填写数据）", field="file", row=2
            )
    except TooManyErrors:
        errors.add(
            CoreError.TOO_MANY_ERRORS,
            f"错误过多，仅列出前 {max_errors} 条；请修正后重新导入",
            field="file",
        )
    except DomainError:
        raise
    except Exception as exc:  # worksheet XML is parsed lazily while streaming
        raise DomainError(
            CoreError.FILE_INVALID,
            f"无法读取工作表“{sheet.title}”：文件已损坏（{exc.__class__.__name__}）",
            field="file",
        ) from exc
    finally:
        workbook.close()


# --- writing exports ---------------------------------------------------------------------

# Characters that make a spreadsheet read a cell as a formula (OWASP "CSV Injection": = + -
# @, and tab and carriage return, which some programs strip before looking), with their
# full-width forms, which a Chinese input method types and Excel also takes as a formula.
FORMULA_LEADERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def safe_cell(value: Any) -> Any:
    """A value as an export cell ([hardening] point 12). Text is always text: a leading
    formula character is neutralised with an apostrophe (OWASP), so `=HYPERLINK(…)` pushed
    as a name is shown as `'=HYPERLINK(…)` and never runs, neither in the .xlsx nor in a CSV
    saved from it; characters a worksheet cannot hold (control characters) are dropped
    instead of failing the whole export. Numbers, dates, booleans and None stay typed."""
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if text.startswith(FORMULA_LEADERS):
        return "'" + text
    return text


def safe_row(values: Iterable[Any]) -> list[Any]:
    """`safe_cell` of every value: the row to `ws.append`."""
    return [safe_cell(v) for v in values]
