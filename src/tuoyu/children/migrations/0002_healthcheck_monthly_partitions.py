"""[children] #12: a province year of daily checks (~146 million rows) held in monthly range
partitions on PostgreSQL.

1. The idempotency key becomes (institution, record_id, date): a unique key of a partitioned
   table must contain the partition key (the service finds a record id reused on another
   date itself, `services/health_checks.py`).
2. `MedicalCertificate.sent_home_check` loses its database constraint: nothing unique on
   `id` alone can exist on a partitioned table, so nothing can reference it.
3. PostgreSQL only (SQLite keeps one plain table): the table is rebuilt PARTITIONED BY RANGE
   (date) with the same columns, identity, NOT NULLs, constraints, indexes and outgoing
   foreign keys, read from the catalogue; primary key (id, date); one partition per month
   that has rows, plus the current and the next month, plus a DEFAULT partition (normally
   empty: it keeps an insert of a month without its partition from failing; the service
   and the daily job `children.healthcheck_partitions` move such rows to their month).
   Rows are moved, the old table dropped, names swapped. The reverse rebuilds a plain table.

This rewrites the whole table under an exclusive lock (minutes for a year of a province):
run it with the check ingest drained. The migration linter's findings — "NOT NULL
constraint on columns" (SQLite's table rebuild for the changed unique key: the same
columns, no new one), "ADDING unique constraint" (PostgreSQL) — concern a table the
previous release does not have: the children app is not in the previous release (tests/integration/data/
previous_release.json), so nothing still serving during an upgrade reads these tables:
hence `IgnoreMigration`.
"""

import datetime as dt

from django.db import migrations, models

try:  # a test dependency (tests/integration/test_migrations_upgrade.py), not a runtime one
    from django_migration_linter import IgnoreMigration

    LINTER_IGNORE = [IgnoreMigration()]
except ImportError:
    LINTER_IGNORE = []

TABLE = "children_healthcheck"
NEW = "children_healthcheck_new"


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _definitions(cursor, table: str):
    """The table's constraints other than the primary key, and the indexes that back no
    constraint (both as DDL text the catalogue gives back)."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype <> 'p' ORDER BY contype DESC, conname",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT pg_get_indexdef(x.indexrelid) FROM pg_index x WHERE x.indrelid = %s::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = x.indrelid "
        "AND c.conindid = x.indexrelid) ORDER BY x.indexrelid",
        [table],
    )
    return constraints, [r[0] for r in cursor.fetchall()]


def _rebuild(cursor, *, partitioned: bool) -> None:
    constraints, indexes = _definitions(cursor, TABLE)
    partition_by = " PARTITION BY RANGE (date)" if partitioned else ""
    cursor.execute(
        f"CREATE TABLE {NEW} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING IDENTITY){partition_by}"
    )
    if partitioned:
        from tuoyu.core import clock

        cursor.execute(f"SELECT DISTINCT date_trunc('month', date)::date FROM {TABLE}")
        months = {r[0] for r in cursor.fetchall()}
        this = _month(clock.today())
        months |= {this, _next_month(this)}
        for month in sorted(months):
            cursor.execute(
                f"CREATE TABLE {TABLE}_p{month:%Y_%m} PARTITION OF {NEW} "
                "FOR VALUES FROM (%s) TO (%s)",
                [month, _next_month(month)],
            )
        cursor.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {NEW} DEFAULT")
    cursor.execute(f"INSERT INTO {NEW} SELECT * FROM {TABLE}")
    cursor.execute(f"DROP TABLE {TABLE}")
    cursor.execute(f"ALTER TABLE {NEW} RENAME TO {TABLE}")
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
    (sequence,) = cursor.fetchone()
    cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {TABLE}_id_seq")
    cursor.execute(
        f"SELECT setval('{TABLE}_id_seq', COALESCE((SELECT max(id) FROM {TABLE}), 0) + 1, false)"
    )
    key = "id, date" if partitioned else "id"
    cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY ({key})")
    for name, definition in constraints:
        cursor.execute(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}')
    for definition in indexes:
        cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (the embedded single-district default): one plain table
    with schema_editor.connection.cursor() as cursor:
        _rebuild(cursor, partitioned=True)


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        _rebuild(cursor, partitioned=False)


class Migration(migrations.Migration):
    dependencies = [
        ("children", "0001_initial"),
        ("institutions", "0008_search_and_summary"),
    ]

    operations = [
        *LINTER_IGNORE,
        migrations.RemoveConstraint(
            model_name="healthcheck",
            name="healthcheck_unique_record",
        ),
        migrations.AddConstraint(
            model_name="healthcheck",
            constraint=models.UniqueConstraint(
                fields=("institution", "record_id", "date"), name="healthcheck_unique_record"
            ),
        ),
        migrations.AlterField(
            model_name="medicalcertificate",
            name="sent_home_check",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to="children.healthcheck",
            ),
        ),
        migrations.RunPython(partition, unpartition),
    ]
