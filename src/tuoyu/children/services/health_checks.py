"""Daily health checks in batches (API-CONTRACT §3, P-HC-3), set-based ([children] Scale):

1. parse and validate the whole batch in one pass (no query);
2. the enrolments of every child the batch names in ONE query;
3. ONE insert of the valid rows with ON CONFLICT DO NOTHING on (institution, record_id) —
   the idempotency key is a unique constraint, not a check in Python;
4. the record ids the insert stored come back from it (PostgreSQL `RETURNING`; SQLite:
   the rows carrying this batch's id) and are accepted; ONE query reads back only the rows
   it skipped (none in a first submission): identical content is a duplicate, other
   content `record_id_conflict`;
5. ONE audit event for the batch (count and SHA-256 of the accepted record ids);
6. the outbreak rules of P-HC-6 evaluated on what was accepted (`outbreak.py`).

All of it in one transaction: on a server error nothing of the batch is stored, and a
retry of the whole batch (a client that timed out, a process killed mid-batch) stores each
record exactly once (the retry's already stored rows come back as duplicates).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from tuoyu.audit.services import audit_record_bulk
from tuoyu.children.catalogue import ChildrenAction, ChildrenError
from tuoyu.children.models import SYMPTOMS, Child, HealthCheck, HealthCheckBatch
from tuoyu.children.services.certificates import returns_without_certificate
from tuoyu.children.services.outbreak import outbreak_evaluate
from tuoyu.core.bounds import DATE_MAX, DATE_MIN
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError, ErrorItem, OutOfScope
from tuoyu.core.scope import scope_of
from tuoyu.institutions.models import Institution

MAX_BATCH = 5000  # API-CONTRACT §3
TEMPERATURE_MIN = Decimal("34.0")  # API-CONTRACT §3
TEMPERATURE_MAX = Decimal("43.0")
RECORD_ID_MAX_LENGTH = 64
SESSIONS = frozenset(HealthCheck.Session.values)
ATTENDANCES = frozenset(HealthCheck.Attendance.values)
ACTIONS = frozenset(HealthCheck.Action.values)
TENTH = Decimal("0.1")
CONTENT = ("child_id", "date", "session", "attendance", "temperature_c", "symptoms", "action")


@dataclass
class BatchResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict] = field(default_factory=list)
    alerts: list = field(default_factory=list)
    batch_id: int | None = None

    def as_response(self) -> dict:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "alerts": [a.as_contract() for a in self.alerts],
        }


def _temperature(value) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value)).quantize(TENTH, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return Decimal("NaN")


def _as_date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _record_errors(rec: dict, today: dt.date) -> tuple[list[ErrorItem], dict]:
    """Pass 1 for one record: everything that needs no query. Returns (errors, clean row)."""
    errors: list[ErrorItem] = []
    record_id = str(rec.get("record_id") or "").strip()
    if not record_id:
        errors.append(ErrorItem(CoreError.REQUIRED, "请填写记录编号", field="record_id"))
    elif len(record_id) > RECORD_ID_MAX_LENGTH:
        errors.append(ErrorItem(CoreError.TOO_LONG, "记录编号最多 64 个字符", field="record_id"))
    day = _as_date(rec.get("date"))
    if day is None:
        errors.append(ErrorItem(CoreError.DATE_PARSING, field="date"))
    elif not DATE_MIN <= day <= DATE_MAX:
        errors.append(ErrorItem(CoreError.DATE_OUT_OF_RANGE, field="date"))
    elif day > today:
        errors.append(ErrorItem(CoreError.FUTURE_DATE, "检查日期晚于今天", field="date"))
    for name, allowed in (
        ("session", SESSIONS),
        ("attendance", ATTENDANCES),
        ("action", ACTIONS),
    ):
        if rec.get(name, "none" if name == "action" else None) not in allowed:
            errors.append(ErrorItem(CoreError.INVALID_CHOICE, field=name))
    temperature = _temperature(rec.get("temperature_c"))
    if temperature is not None and not (
        temperature.is_finite() and TEMPERATURE_MIN <= temperature <= TEMPERATURE_MAX
    ):
        errors.append(ErrorItem(ChildrenError.TEMPERATURE_OUT_OF_RANGE, field="temperature_c"))
    symptoms = rec.get("symptoms") or []
    unknown = [s for s in symptoms if s not in SYMPTOMS]
    if unknown:
        errors.append(
            ErrorItem(
                ChildrenError.UNKNOWN_SYMPTOM,
                gettext("未知症状代码：%(codes)s") % {"codes": "、".join(map(str, unknown[:5]))},
                field="symptoms",
            )
        )
    row = {
        "record_id": record_id,
        "child_id": rec.get("child_id"),
        "date": day,
        "session": rec.get("session"),
        "attendance": rec.get("attendance"),
        "temperature_c": temperature,
        "symptoms": f",{','.join(sorted(set(symptoms)))}," if symptoms else "",
        "action": rec.get("action") or "none",
    }
    return errors, row


def _reject(result: BatchResult, index: int, record_id, errors: list[ErrorItem]) -> None:
    result.rejected.append(
        {"index": index, "record_id": record_id, "errors": [e.as_dict() for e in errors]}
    )


def _validate(
    records: list[dict],
    institution: Institution,
    today: dt.date,
    result,
    require_certificate: bool = False,
):
    """Passes 1 and 2: returns the valid rows [(index, row)], rejections into `result`.
    With `require_certificate` (the class page, P-HC-3), a `present` record of a child sent
    home without a medical certificate since is refused (`certificates.py`)."""
    firsts: dict[str, int] = {}
    parsed = []
    for index, rec in enumerate(records):
        errors, row = _record_errors(rec, today)
        rid = row["record_id"]
        if rid and rid in firsts:
            errors.append(
                ErrorItem(
                    ChildrenError.DUPLICATE_RECORD_ID,
                    gettext("记录编号与第 %(n)s 条重复") % {"n": firsts[rid]},
                    field="record_id",
                )
            )
        elif rid:
            firsts[rid] = index
        parsed.append((index, errors, row))
    child_ids = {r["child_id"] for _, e, r in parsed if not e}
    # One query: the enrolments here of every child the batch names (a child of another
    # institution is simply not found: `child_not_enrolled`, no existence leak).
    enrolments = {
        c["pk"]: c
        for c in Child.objects.filter(institution=institution, pk__in=child_ids).values(
            "pk", "care_class_id", "enrolled_on", "left_on"
        )
    }
    valid = []
    for index, errors, row in parsed:
        if not errors:
            enrolment = enrolments.get(row["child_id"])
            day = row["date"]
            if (
                enrolment is None
                or day < enrolment["enrolled_on"]
                or (enrolment["left_on"] is not None and day > enrolment["left_on"])
            ):
                errors.append(ErrorItem(ChildrenError.CHILD_NOT_ENROLLED, field="child_id"))
            else:
                row["care_class_id"] = enrolment["care_class_id"]
        if errors:
            _reject(result, index, row["record_id"] or None, errors)
        else:
            valid.append((index, row))
    if require_certificate and valid:
        refused = returns_without_certificate(institution.pk, [row for _, row in valid])
        for at in sorted(refused):
            index, row = valid[at]
            _reject(
                result,
                index,
                row["record_id"],
                [ErrorItem(ChildrenError.MEDICAL_CERTIFICATE_REQUIRED, field="attendance")],
            )
        valid = [v for at, v in enumerate(valid) if at not in refused]
    return valid


INSERT_COLUMNS = (
    "institution_id",
    "batch_id",
    "record_id",
    "child_id",
    "care_class_id",
    "date",
    "session",
    "attendance",
    "temperature_c",
    "symptoms",
    "action",
)


def _insert_ignoring_conflicts(institution_id: int, batch_id: int, rows: list[dict]) -> set[str]:
    """Step 3: the rows, once, skipping record ids already stored (the unique key decides,
    so a concurrent retry of the same batch cannot store a record twice); returns the
    record ids this insert stored. PostgreSQL: COPY into a session temporary table, then
    one INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING record_id; SQLite: one
    executemany of INSERT … ON CONFLICT DO NOTHING, then the record ids carrying this
    batch's id (the indexed batch key)."""
    table = HealthCheck._meta.db_table
    columns = ", ".join(INSERT_COLUMNS)
    values = [
        (
            institution_id,
            batch_id,
            r["record_id"],
            r["child_id"],
            r["care_class_id"],
            r["date"],
            r["session"],
            r["attendance"],
            r["temperature_c"],
            r["symptoms"],
            r["action"],
        )
        for r in rows
    ]
    conflict = "ON CONFLICT (institution_id, record_id) DO NOTHING"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {INCOMING} AS "
                f"SELECT {columns} FROM {table} WITH NO DATA"
            )
            cursor.execute(f"TRUNCATE {INCOMING}")
            with cursor.cursor.copy(f"COPY {INCOMING} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} "
                f"FROM {INCOMING} {conflict} RETURNING record_id"
            )
            return {r[0] for r in cursor.fetchall()}
        marks = ", ".join(["%s"] * len(INSERT_COLUMNS))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks}) {conflict}", values)
        cursor.execute(f"SELECT record_id FROM {table} WHERE batch_id = %s", [batch_id])
        return {r[0] for r in cursor.fetchall()}


INCOMING = "children_healthcheck_incoming"


def _same(stored: dict, row: dict) -> bool:
    return all(stored[k] == row[k] for k in CONTENT)


def health_checks_receive(
    *,
    acting_user,
    institution: Institution,
    records: list[dict],
    today: dt.date | None = None,
    require_certificate: bool = False,
) -> BatchResult:
    """Store a batch of checks (API-CONTRACT §3); see the module docstring.
    `require_certificate`: the class page's P-HC-3 return rule (not the API's)."""
    if scope_of(acting_user).institution_id != institution.pk:
        raise OutOfScope("只有机构本身可以提交晨午检记录")
    if len(records) > MAX_BATCH:
        raise DomainError(
            ChildrenError.BATCH_TOO_LARGE,
            gettext("本批 %(n)s 条，每次最多 %(max)s 条") % {"n": len(records), "max": MAX_BATCH},
            field="records",
            status=413,
        )
    today = today or timezone.localdate()
    result = BatchResult()
    valid = _validate(records, institution, today, result, require_certificate)
    if not valid:
        result.rejected.sort(key=lambda r: r["index"])
        return result
    with transaction.atomic():
        batch = HealthCheckBatch.objects.create(
            institution=institution,
            acting_user_id=getattr(acting_user, "pk", None),
            submitted=len(records),
        )
        inserted = _insert_ignoring_conflicts(institution.pk, batch.pk, [row for _, row in valid])
        # Step 4: only the rows the insert skipped are read back (none in a first
        # submission), to tell a duplicate from a conflict.
        skipped = [row["record_id"] for _, row in valid if row["record_id"] not in inserted]
        stored = (
            {
                s["record_id"]: s
                for s in HealthCheck.objects.filter(
                    institution=institution, record_id__in=skipped
                ).values("record_id", *CONTENT)
            }
            if skipped
            else {}
        )
        accepted = []
        for index, row in valid:
            if row["record_id"] in inserted:
                accepted.append(row)
            elif _same(stored[row["record_id"]], row):
                result.duplicates += 1
            else:
                _reject(
                    result,
                    index,
                    row["record_id"],
                    [ErrorItem(ChildrenError.RECORD_ID_CONFLICT, field="record_id")],
                )
        result.accepted = len(accepted)
        if accepted:
            audit_record_bulk(
                action=ChildrenAction.HEALTH_CHECKS_RECEIVED,
                actor=acting_user,
                object_type="children.healthcheck",
                object_ids=[row["record_id"] for row in accepted],
                detail={
                    "institution_id": institution.pk,
                    "batch_id": batch.pk,
                    "duplicates": result.duplicates,
                    "rejected": len(result.rejected),
                },
                shard=f"institution:{institution.pk}",
            )
            result.batch_id = batch.pk
            result.alerts = outbreak_evaluate(
                acting_user=acting_user, institution=institution, rows=accepted
            )
        else:
            batch.delete()  # a retry of stored records only: nothing of it is kept
    result.rejected.sort(key=lambda r: r["index"])
    return result
