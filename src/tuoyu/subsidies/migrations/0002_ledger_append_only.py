"""P-SUB-4: the ledger of a fund is append-only in the database itself — not even raw SQL
from the application role can edit or delete a booked entry (a wrong payment is reversed by
a clawback, a new negative entry). Follows audit 0002/0004.

- PostgreSQL: a row trigger refuses UPDATE and DELETE of `subsidies_ledgerentry`. TRUNCATE
  fires no row trigger (the test runner's flush empties tables with it); production roles
  are not granted TRUNCATE.
- SQLite: BEFORE UPDATE / BEFORE DELETE triggers RAISE(ABORT). SQLite has no TRUNCATE: the
  test runner's flush is a `DELETE FROM`, so the DELETE trigger lets rows go while the
  one-row table `subsidies_ledger_unlock` holds a row (not a Django model, so flush never
  empties it). Nothing in the application writes it; the test suite's database setup does
  (root conftest.py, `django_db_setup`), the SQLite counterpart of the PostgreSQL test
  connections' `tuoyu.audit_truncate_allowed`: the demo fixtures and live-server tests
  flush booked entries between tests. The migration is the same for every database. The
  append-only test empties it (inside its rolled-back transaction) to prove the refusal.
  Whoever may write that table may also drop the triggers, as on PostgreSQL with
  `DISABLE TRIGGER`.
"""

from django.db import migrations

PG_CREATE = """
CREATE OR REPLACE FUNCTION subsidies_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'subsidies_ledgerentry is append-only (资金台账只能追加，不能修改或删除)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER subsidies_ledger_no_update BEFORE UPDATE OR DELETE ON subsidies_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION subsidies_ledger_append_only();
"""

PG_DROP = """
DROP TRIGGER IF EXISTS subsidies_ledger_no_update ON subsidies_ledgerentry;
DROP FUNCTION IF EXISTS subsidies_ledger_append_only();
"""

SQLITE_CREATE = [
    "CREATE TABLE IF NOT EXISTS subsidies_ledger_unlock (id INTEGER PRIMARY KEY)",
    """CREATE TRIGGER subsidies_ledger_no_update BEFORE UPDATE ON subsidies_ledgerentry
    BEGIN
        SELECT RAISE(ABORT, 'subsidies_ledgerentry is append-only (资金台账只能追加，不能修改或删除)');
    END""",
    """CREATE TRIGGER subsidies_ledger_no_delete BEFORE DELETE ON subsidies_ledgerentry
    WHEN NOT EXISTS (SELECT 1 FROM subsidies_ledger_unlock)
    BEGIN
        SELECT RAISE(ABORT, 'subsidies_ledgerentry is append-only (资金台账只能追加，不能修改或删除)');
    END""",
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS subsidies_ledger_no_delete",
    "DROP TRIGGER IF EXISTS subsidies_ledger_no_update",
    "DROP TABLE IF EXISTS subsidies_ledger_unlock",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_CREATE, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_CREATE:
            schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DROP, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_DROP:
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
