"""Daily health checks in batches (API-CONTRACT §3, P-HC-3), set-based ([children] Scale):

1. parse and validate the whole batch in one pass (no query);
2. the enrolments of every child the batch names in ONE query;
3. ONE query for the batch's record ids already stored by the institution, whatever their
   date: identical content is a duplicate, other content (a different date included)
   `record_id_conflict`;
4. ONE insert of the other rows with ON CONFLICT DO NOTHING on (institution, record_id,
   date); the record ids it stored come back from it (PostgreSQL `RETURNING`; SQLite: the
   rows carrying this batch's id) and are accepted;
5. ONE audit event for the batch (count and SHA-256 of the accepted record ids);
6. the outbreak rules of P-HC-6 evaluated on what was accepted (`outbreak.py`).

All of it in one transaction: on a server error nothing of the batch is stored, and a
retry of the whole batch (a client that timed out, a process killed mid-batch) stores each
record exactly once (the retry's already stored rows come back as duplicates).

Monthly partitions ([children] #12, PostgreSQL; `models.HealthCheck`). The unique key holds
the date (a partitioned table allows no other), so it alone catches a same-date retry; a
record id reused on ANOTHER date is step 3's look-up (the unique key's prefix (institution,
record_id), one probe per attached partition). Two batches of one institution racing with
the same record id on two dates would each miss the other's uncommitted row and both store
it, so each batch first takes a transaction-scoped advisory lock on its institution
(`pg_advisory_xact_lock`): batches of ONE institution run one after the other (a nursery
sends two a day), other institutions are not held up. SQLite's writer lock
(`transaction_mode` IMMEDIATE) serialises every batch anyway. The month partitions a batch
needs are created before its transaction when missing (`healthcheck_partitions_ensure`,
from a per-process set of known months: a normal batch pays no catalogue query); the daily
job `children.healthcheck_partitions` creates next month's ahead.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import DatabaseError, connection, transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
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
# pg_advisory_xact_lock keys (one bigint): this namespace in the high 32 bits, the
# institution id (or 0: the partition DDL) in the low ones.
LOCK_NAMESPACE_CHECKS = 0x48430001  # "HC", 1: one institution's batches
LOCK_NAMESPACE_PARTITIONS = 0x48430002  # "HC", 2: creating a month partition
PARTITION_LOCK_TIMEOUT = "2s"  # a busy parent table: the rows go to the DEFAULT partition

log = logging.getLogger(__name__)


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


def _among(model, column: str, values: list):
    """`column IN values` as ONE parameter (an array on PostgreSQL, a JSON list on SQLite):
    `pk__in=[…2,500…]` would send 2,500 parameters (split in chunks of 999 on SQLite) for the
    server to parse and plan."""
    qualified = f'"{model._meta.db_table}"."{column}"'
    if connection.vendor == "postgresql":
        return RawSQL(f"{qualified} = ANY(%s)", (list(values),), output_field=BooleanField())
    return RawSQL(
        f"{qualified} IN (SELECT value FROM json_each(%s))",
        (json.dumps(list(values)),),
        output_field=BooleanField(),
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
    child_ids = sorted({r["child_id"] for _, e, r in parsed if not e})
    # One query: the enrolments here of every child the batch names (a child of another
    # institution is simply not found: `child_not_enrolled`, no existence leak).
    enrolments = (
        {
            c["pk"]: c
            for c in Child.objects.filter(
                _among(Child, "id", child_ids), institution=institution
            ).values("pk", "care_class_id", "enrolled_on", "left_on")
        }
        if child_ids
        else {}
    )
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
    conflict = "ON CONFLICT (institution_id, record_id, date) DO NOTHING"
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
TABLE = HealthCheck._meta.db_table
DEFAULT_PARTITION = f"{TABLE}_default"

# Database name → the months whose partition is known to be attached (filled from the
# catalogue once per process, then by what this process creates, on commit only: a
# partition created in a transaction that rolls back does not exist).
_known_months: dict[str, set[dt.date]] = {}


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_after(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def partition_name(month: dt.date) -> str:
    return f"{TABLE}_p{month:%Y_%m}"


def attached_months() -> set[dt.date]:
    """The months with an attached partition (PostgreSQL catalogue; one query)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        names = [r[0] for r in cursor.fetchall()]
    prefix = f"{TABLE}_p"
    return {
        dt.date(int(n[len(prefix) :][:4]), int(n[len(prefix) :][5:7]), 1)
        for n in names
        if n.startswith(prefix)
    }


def forget_known_partitions() -> None:
    """Drop the per-process set (tests; after a partition was detached by hand)."""
    _known_months.clear()


def _partition_create(month: dt.date) -> bool:
    """Create and attach the partition of `month` (its own short transaction when called
    outside one). Rows of that month already in the DEFAULT partition are moved into it
    (they arrived when the month had no partition). False when it was there already, or
    when a table of that name exists unattached (a detached month not yet dropped: never
    reattached by a program, see docs/children.md)."""
    name, start, end = partition_name(month), month, month_after(month)
    bounds = f"FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
    with transaction.atomic(), connection.cursor() as cursor:
        # DDL on the parent takes a strong lock: wait little (the rows go to the DEFAULT
        # partition meanwhile), and one creator at a time.
        cursor.execute(f"SET LOCAL lock_timeout = '{PARTITION_LOCK_TIMEOUT}'")
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_NAMESPACE_PARTITIONS << 32])
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        if cursor.fetchone()[0]:
            if month not in attached_months():
                log.error("table %s exists but is no partition: month not created", name)
            cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
            return False
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {DEFAULT_PARTITION} WHERE date >= %s AND date < %s)",
            [start, end],
        )
        if not cursor.fetchone()[0]:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {TABLE} FOR VALUES {bounds}"
            )
        else:
            cursor.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS)")
            cursor.execute(
                f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION} WHERE date >= %s AND date < %s "
                f"RETURNING *) INSERT INTO {name} SELECT * FROM moved",
                [start, end],
            )
            cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES {bounds}")
        # Back to the session's timeout for the rest of an enclosing transaction.
        cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
        return True


def healthcheck_partitions_ensure(*, months: Iterable[dt.date], refresh: bool = False) -> list:
    """Make sure the month partitions of `months` exist (PostgreSQL; nothing on SQLite).
    Returns the months created. A month the per-process set knows costs no query; otherwise
    one catalogue query, then one short transaction per missing month. A partition that
    cannot be created now (a lock not granted in PARTITION_LOCK_TIMEOUT) is logged and
    left: its rows go to the DEFAULT partition, and the daily job moves them later."""
    if connection.vendor != "postgresql":
        return []
    wanted = {month_of(m) for m in months}
    database = connection.settings_dict["NAME"]
    known = _known_months.get(database)
    if not refresh and known is not None and wanted <= known:
        return []
    existing = attached_months()
    created = []
    for month in sorted(wanted - existing):
        try:
            if _partition_create(month):
                created.append(month)
        except DatabaseError:
            log.warning("health-check partition %s not created now", month, exc_info=True)
    done = existing | set(created)
    transaction.on_commit(lambda: _known_months.setdefault(database, set()).update(done))
    return created


def _lock_institution(institution_id: int) -> None:
    """PostgreSQL: one batch of an institution at a time, until its transaction ends (see
    the module docstring). SQLite: the IMMEDIATE transaction already holds the writer lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s)",
                [(LOCK_NAMESPACE_CHECKS << 32) | institution_id],
            )


def _stored(institution_id: int, record_ids: list[str]) -> dict[str, dict]:
    """Step 3: the rows of the institution holding any of `record_ids`, on any date (one
    query, the unique key's prefix in every attached partition)."""
    return {
        s["record_id"]: s
        for s in HealthCheck.objects.filter(
            _among(HealthCheck, "record_id", record_ids), institution_id=institution_id
        ).values("record_id", *CONTENT)
    }


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
    # Before the batch's transaction: a partition's DDL locks the parent table, so it is
    # committed on its own at once rather than held for the whole batch.
    healthcheck_partitions_ensure(months={row["date"] for _, row in valid})
    with transaction.atomic():
        _lock_institution(institution.pk)
        batch = HealthCheckBatch.objects.create(
            institution=institution,
            acting_user_id=getattr(acting_user, "pk", None),
            submitted=len(records),
        )
        # Step 3: a record id stored before, on this date or another (none in a first
        # submission), is a duplicate or a conflict, and is not inserted again.
        stored = _stored(institution.pk, [row["record_id"] for _, row in valid])
        fresh = [row for _, row in valid if row["record_id"] not in stored]
        inserted = _insert_ignoring_conflicts(institution.pk, batch.pk, fresh) if fresh else set()
        # The unique key still decides: a row the insert skipped was stored meanwhile by a
        # writer outside this service's lock; it is read back like step 3's.
        skipped = [row["record_id"] for row in fresh if row["record_id"] not in inserted]
        if skipped:
            stored.update(_stored(institution.pk, skipped))
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
