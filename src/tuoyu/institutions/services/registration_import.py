"""The Excel upload of registration events: every row through `registration_event_receive`,
all or nothing (P-REG-11)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.db import transaction

from tuoyu.audit.services import audit_record
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError, ErrorCollector
from tuoyu.core.excel import check_file_size
from tuoyu.institutions import excel_registration
from tuoyu.institutions.catalogue import InstitutionsAction
from tuoyu.institutions.excel_registration import (
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    MAX_REPORTED_ERRORS,
)
from tuoyu.institutions.models import RegistrationEvent
from tuoyu.institutions.services.registration import (
    registration_authority_of,
    registration_event_receive,
)


@dataclass(frozen=True)
class RegistrationImportResult:
    rows: int
    created: int
    replayed: int
    by_action: dict[str, int] = field(default_factory=dict)


def registration_events_import(*, acting_user, file: IO[bytes]) -> RegistrationImportResult:
    """Receive every row of an uploaded Excel file (the template of
    `excel_registration.registration_template`) as one event each, through
    `registration_event_receive`: all or nothing. Problems are reported row by row with the
    row number, the column, the code and a Chinese message (file problems: `file_invalid`,
    `file_empty`, `file_too_large` (413), `too_many_rows`, `header_mismatch`; cells:
    `invalid_choice`, `invalid_datetime`, `duplicate_event_id`; and every code of the push
    itself). Rows whose event id was received before with the same content are replays
    (counted, nothing written)."""
    authority = registration_authority_of(acting_user)
    check_file_size(file, max_bytes=MAX_IMPORT_BYTES)
    rows, errors = excel_registration.registration_file_parse(
        file, authority=authority, max_rows=MAX_IMPORT_ROWS, max_errors=MAX_REPORTED_ERRORS
    )
    if any(e.field == "file" or e.row == 1 for e in errors.items):
        errors.raise_if_any()  # the file itself is unusable: no row is tried
    created = replayed = 0
    by_action: dict[str, int] = {}
    problems = ErrorCollector()
    problems.items.extend(errors.items)  # cell problems, reported with the push's own
    with transaction.atomic():
        for row in rows:
            try:
                receipt = registration_event_receive(
                    acting_user=acting_user, data=row.data, channel=RegistrationEvent.Channel.EXCEL
                )
            except DomainError as exc:
                for item in exc.errors:
                    problems.add(
                        item.code,
                        item.message,
                        field=excel_registration.header_of(item.field),
                        row=row.number,
                    )
                if len(problems.items) >= MAX_REPORTED_ERRORS:
                    problems.add(
                        CoreError.TOO_MANY_ERRORS,
                        f"错误过多，仅列出前 {MAX_REPORTED_ERRORS} 条；请修正后重新导入",
                        field="file",
                    )
                    break
                continue
            if receipt.created:
                created += 1
                by_action[receipt.event.action] = by_action.get(receipt.event.action, 0) + 1
            else:
                replayed += 1
        # Raising inside the block rolls back every row received above: all or nothing.
        problems.items.sort(key=lambda e: (e.row is None, e.row or 0))
        problems.raise_if_any()
        result = RegistrationImportResult(
            rows=len(rows), created=created, replayed=replayed, by_action=by_action
        )
        name = Path(getattr(file, "name", "") or "").name[:200]
        audit_record(
            action=InstitutionsAction.REGISTRATION_IMPORTED,
            actor=acting_user,
            object_type="institutions.registrationevent",
            object_label=f"{name}：{len(rows)} 行",
            detail={
                "file": name,
                "authority": authority,
                "rows": len(rows),
                "created": created,
                "replayed": replayed,
                "by_action": by_action,
            },
        )
    return result
