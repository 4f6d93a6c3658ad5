"""CSV upload of daily checks (P-HC-3) in the shape of the batch API (API-CONTRACT §3): one
file is one batch through the same set-based `health_checks_receive` — the same rules,
partial acceptance and idempotent `record_id` as the API.

- The text is decoded as UTF-8 (with or without the BOM Excel writes), else GB18030 (what
  Chinese Excel writes for "CSV"); anything that decodes as neither, or holds NUL or
  replacement characters, is refused whole (`csv_encoding`).
- The header must name the API's fields (`record_id, child_id, date, session, attendance,
  temperature_c, symptoms, action`; `symptoms` separated by `;`).
- As in the API, a file whose rows cannot be read as records (a row with the wrong number
  of columns, a `child_id` that is no whole number) is refused whole — every such row
  listed, nothing stored — and otherwise each record is judged alone: the valid ones are
  stored, each rejected one reported with its row number (the header is row 1).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext

from tuoyu.children.catalogue import ChildrenError
from tuoyu.children.services.health_checks import BatchResult, health_checks_receive
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError, ErrorItem
from tuoyu.core.excel import file_size

COLUMNS = (
    "record_id",
    "child_id",
    "date",
    "session",
    "attendance",
    "temperature_c",
    "symptoms",
    "action",
)
REQUIRED = ("record_id", "child_id", "date", "session", "attendance")
# API-CONTRACT §0: a request body above 5 MB is refused; a file is held to the same size.
MAX_BYTES = 5 * 1024 * 1024
ENCODINGS = ("utf-8-sig", "gb18030")
FIELD = "file"


@dataclass
class CsvResult:
    """The batch's answer with each rejected record's file row number."""

    batch: BatchResult
    rows: list[int] = field(default_factory=list)  # index in the batch → row in the file
    encoding: str = ""

    @property
    def rejected(self) -> list[dict]:
        return [{**r, "row": self.rows[r["index"]]} for r in self.batch.rejected]


def decode_csv(raw: bytes) -> tuple[str, str]:
    """The text and the encoding it was read with, or `csv_encoding`."""
    for encoding in ENCODINGS:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text or "\ufffd" in text:
            break
        return text, encoding
    raise DomainError(ChildrenError.CSV_ENCODING, field=FIELD)


def _read(file) -> bytes:
    if file is None:
        raise DomainError(CoreError.FILE_MISSING, field=FIELD)
    size = file_size(file)
    if not size:
        raise DomainError(CoreError.FILE_EMPTY, field=FIELD)
    if size > MAX_BYTES:
        raise DomainError(
            CoreError.FILE_TOO_LARGE,
            gettext("文件过大：不超过 %(mb)s MB") % {"mb": MAX_BYTES // (1024 * 1024)},
            field=FIELD,
        )
    file.seek(0)
    return file.read()


def parse_checks_csv(text: str) -> tuple[list[dict], list[int]]:
    """Records in the API's shape and their row numbers; unreadable rows refuse the file
    (every one listed, like the API's schema errors)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h and h not in COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        raise DomainError(
            ChildrenError.CSV_COLUMNS,
            gettext("表头应为：%(cols)s") % {"cols": ", ".join(COLUMNS)},
            field=FIELD,
        )
    records, rows, errors = [], [], []
    for values in reader:
        row = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            errors.append(ErrorItem(ChildrenError.CSV_ROW_SHAPE, field=FIELD, row=row))
            continue
        cells = {h: v.strip() for h, v in zip(header, values, strict=True) if h}
        try:
            child_id = int(cells["child_id"])
        except ValueError:
            errors.append(ErrorItem(CoreError.INT_PARSING, field="child_id", row=row))
            continue
        temperature = cells.get("temperature_c") or None
        records.append(
            {
                "record_id": cells["record_id"],
                "child_id": child_id,
                "date": cells["date"],
                "session": cells["session"],
                "attendance": cells["attendance"],
                "temperature_c": temperature,
                "symptoms": [
                    s.strip()
                    for s in cells.get("symptoms", "").replace("|", ";").split(";")
                    if s.strip()
                ],
                "action": cells.get("action") or "none",
            }
        )
        rows.append(row)
    if errors:
        raise DomainError(errors=errors)
    return records, rows


def health_checks_csv_receive(*, acting_user, institution, file) -> CsvResult:
    """One uploaded file = one batch of `health_checks_receive` (API-CONTRACT §3)."""
    text, encoding = decode_csv(_read(file))
    records, rows = parse_checks_csv(text)
    if not records:
        raise DomainError(CoreError.FILE_EMPTY, gettext("文件中没有晨午检记录"), field=FIELD)
    batch = health_checks_receive(acting_user=acting_user, institution=institution, records=records)
    return CsvResult(batch=batch, rows=rows, encoding=encoding)
