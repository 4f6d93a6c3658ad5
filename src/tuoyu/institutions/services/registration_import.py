"""The Excel upload of registration events: every row with the checks of
`registration_event_receive`, all or nothing (P-REG-11).

[hardening] point 14: the rows are first checked without writing — no transaction, so no
write lock — and the whole file's problems reported at once; only a file without problems
is written, in one short transaction that checks the rows again under the lock and writes
them in bulk (`registration_events_plan` / `registration_events_write`). The write runs
again when the database was busy with another writer (`transient_retry`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.db import transaction

from tuoyu.audit.services import audit_record, audit_record_bulk
from tuoyu.core.catalogue import CoreError
from tuoyu.core.db import (
    is_integrity_error,
    refresh_statistics_after_large_write,
    transient_retry,
)
from tuoyu.core.errors import ErrorCollector
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
    RegistrationPlan,
    registration_authority_of,
    registration_events_plan,
    registration_events_write,
)


@dataclass(frozen=True)
class RegistrationImportResult:
    rows: int
    created: int
    replayed: int
    by_action: dict[str, int] = field(default_factory=dict)


def registration_events_import(*, acting_user, file: IO[bytes]) -> RegistrationImportResult:
    """Receive every row of an uploaded Excel file (the template of
    `excel_registration.registration_template`) as one event each, with the checks of
    `registration_event_receive`: all or nothing. Problems are reported row by row with the
    row number, the column, the code and a Chinese message (file problems: `file_invalid`,
    `file_empty`, `file_too_large` (413), `too_many_rows`, `header_mismatch`; cells:
    `invalid_choice`, `invalid_datetime`, `duplicate_event_id`; and every code of the push
    itself). Rows whose event id was received before with the same content are replays
    (counted, nothing written). One audit event records the import (`audit_record_bulk`
    over the events it stored)."""
    authority = registration_authority_of(acting_user)
    check_file_size(file, max_bytes=MAX_IMPORT_BYTES)
    parsed, errors = excel_registration.registration_file_parse(
        file, authority=authority, max_rows=MAX_IMPORT_ROWS, max_errors=MAX_REPORTED_ERRORS
    )
    if any(e.field == "file" or e.row == 1 for e in errors.items):
        errors.raise_if_any()  # the file itself is unusable: no row is tried
    # Every row checked against the database as it is, nothing written, no lock taken; a
    # row with a refused cell too, so the report lists every problem of every row at once
    # ([accounts-ux] 5: a bad date no longer hides the row's other errors).
    plan = registration_events_plan(
        acting_user=acting_user,
        rows=[(row.number, row.data) for row in parsed],
        max_problems=MAX_REPORTED_ERRORS - len(errors.items),
    )
    _raise_problems(errors, plan)
    rows = [(row.number, row.data) for row in parsed if row.cells_ok]
    name = Path(getattr(file, "name", "") or "").name[:200]
    write = functools.partial(
        _write,
        acting_user=acting_user,
        rows=rows,
        cell_errors=errors,
        file_name=name,
        authority=authority,
        count=len(parsed),
    )
    try:
        return write()
    except Exception as exc:
        if not is_integrity_error(exc):
            raise
    # A concurrent push stored one of the file's USCCs or event ids between the check and
    # the write: check again (its rows are then reported like any other problem).
    return write()


def _raise_problems(cell_errors: ErrorCollector, plan: RegistrationPlan) -> None:
    """The cell problems and the push's, row by row (column headers for fields); nothing
    when there are none."""
    problems = ErrorCollector()
    problems.items.extend(cell_errors.items)
    # A refused cell is left out of its row's body: the push would call it missing too.
    refused = {(e.row, e.field) for e in cell_errors.items}
    for item in plan.problems:
        if (item.row, excel_registration.header_of(item.field)) in refused:
            continue
        problems.add(
            item.code, item.message, field=excel_registration.header_of(item.field), row=item.row
        )
    if len(problems.items) >= MAX_REPORTED_ERRORS:
        problems.add(
            CoreError.TOO_MANY_ERRORS,
            f"错误过多，仅列出前 {MAX_REPORTED_ERRORS} 条；请修正后重新导入",
            field="file",
        )
    problems.items.sort(key=lambda e: (e.row is None, e.row or 0))
    problems.raise_if_any()


@transient_retry
def _write(
    *,
    acting_user,
    rows: list[tuple[int, dict]],
    cell_errors: ErrorCollector,
    file_name: str,
    authority: str,
    count: int,
) -> RegistrationImportResult:
    """The write: one transaction, short. The rows are checked again under the lock (a push
    may have changed an institution since the first check; then its problems are reported
    as usual and nothing is written), then written in bulk with one audit event."""
    with transaction.atomic():
        plan = registration_events_plan(
            acting_user=acting_user,
            rows=rows,
            lock=True,
            max_problems=MAX_REPORTED_ERRORS - len(cell_errors.items),
        )
        _raise_problems(cell_errors, plan)
        stored = registration_events_write(
            acting_user=acting_user, plan=plan, channel=RegistrationEvent.Channel.EXCEL
        )
        by_action: dict[str, int] = {}
        for event in stored:
            by_action[event.action] = by_action.get(event.action, 0) + 1
        result = RegistrationImportResult(
            rows=count,
            created=len(stored),
            replayed=len(plan.events) - len(stored),
            by_action=by_action,
        )
        detail = {
            "file": file_name,
            "authority": authority,
            "rows": count,
            "created": result.created,
            "replayed": result.replayed,
            "by_action": by_action,
        }
        if stored:
            audit_record_bulk(
                action=InstitutionsAction.REGISTRATION_IMPORTED,
                actor=acting_user,
                object_type="institutions.registrationevent",
                object_ids=[event.pk for event in stored],
                detail=detail,
            )
        else:  # only replays: the import is recorded, no event was stored
            audit_record(
                action=InstitutionsAction.REGISTRATION_IMPORTED,
                actor=acting_user,
                object_type="institutions.registrationevent",
                object_label=f"{file_name}：{count} 行",
                detail=detail,
            )
        # A large import: fresh planner statistics once it commits ([scale] point 4).
        refresh_statistics_after_large_write(len(stored))
    return result
