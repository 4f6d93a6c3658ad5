"""What the audit log records of events other floors send ([operations]): a backup made by
`tuoyu backup` (core, which imports no app)."""

from __future__ import annotations

from pathlib import Path

from tuoyu.audit.catalogue import AuditLogAction
from tuoyu.audit.services import audit_record
from tuoyu.core import events


def record_backup(*, directory, tables, rows, files, manifest_sha256) -> None:
    audit_record(
        action=AuditLogAction.BACKUP_MADE,
        object_type="backup",
        object_id=Path(directory).name,
        object_label=str(directory),
        detail={
            "directory": str(directory),
            "tables": tables,
            "rows": rows,
            "files": files,
            "manifest_sha256": manifest_sha256,
        },
    )


def register() -> None:
    # in the transaction: the command's atomic block commits the event or nothing
    events.subscribe(events.BACKUP_MADE, record_backup, in_transaction=True)
