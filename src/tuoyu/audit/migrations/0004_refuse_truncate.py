"""[house] point 6, on PostgreSQL: the audit tables refuse TRUNCATE, and chain heads only
move forward.

- `audit_auditevent` already refuses UPDATE and DELETE row by row (0002); TRUNCATE fires no
  row trigger, so a statement-level BEFORE TRUNCATE trigger refuses it too — on the event
  table and on the head table.
- `audit_auditchainhead`: a head row cannot be deleted, and an UPDATE must advance it by
  exactly one event of the same chain (what `audit_record` does), so deleting the newest
  events and rewinding the head to hide it needs the triggers disabled (a superuser).

The one exception is Django's test runner: between TransactionTestCase tests (pytest-django's
`transactional_db`, `django_db(transaction=True)`, `live_server`) and in `flush` it empties
every table with TRUNCATE. The trigger lets TRUNCATE through when the session has set the
custom setting `tuoyu.audit_truncate_allowed` to `on`; the root conftest.py sets it on every
test connection (a `connection_created` receiver). Nothing in the application sets it, so in
production TRUNCATE is refused; a role that can `SET tuoyu.audit_truncate_allowed` can of
course also disable triggers, and should not be the application's role.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_no_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('tuoyu.audit_truncate_allowed', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% is append-only: TRUNCATE refused (审计日志只能追加，不能清空)', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_no_truncate();
CREATE TRIGGER audit_chainhead_no_truncate BEFORE TRUNCATE ON audit_auditchainhead
    FOR EACH STATEMENT EXECUTE FUNCTION audit_no_truncate();

CREATE OR REPLACE FUNCTION audit_chainhead_forward_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit_auditchainhead is append-only: a chain head cannot be deleted (审计链头不能删除)';
    END IF;
    IF NEW.chain <> OLD.chain OR NEW.last_seq <> OLD.last_seq + 1 THEN
        RAISE EXCEPTION 'audit_auditchainhead is append-only: a chain head only moves forward by one (审计链头只能逐条前进)';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_chainhead_forward_only BEFORE UPDATE OR DELETE ON audit_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION audit_chainhead_forward_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_chainhead_forward_only ON audit_auditchainhead;
DROP FUNCTION IF EXISTS audit_chainhead_forward_only();
DROP TRIGGER IF EXISTS audit_chainhead_no_truncate ON audit_auditchainhead;
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_no_truncate();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_chain_per_shard")]
    operations = [migrations.RunPython(forwards, backwards)]
