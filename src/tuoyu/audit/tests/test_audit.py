"""Audit log: append-only and hash-chained (foundation issue, 'Audit')."""

import itertools

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from tuoyu.audit.models import AppendOnlyError, AuditEvent
from tuoyu.audit.selectors import audit_chain_verify
from tuoyu.audit.services import audit_record, diff


@pytest.fixture(autouse=True)
def _any_action_name(settings):
    """These tests exercise the chain, not the catalogue of actions ([house] point 5): their
    events use made-up `test.*` actions, which the strict catalogue check would refuse."""
    settings.TUOYU_STRICT_CATALOGUES = False


@pytest.fixture
def events(db):
    return [
        audit_record(action="test.write", object_type="x", object_id=i, changes={"a": [i, i + 1]})
        for i in range(5)
    ]


def test_chain_links_each_event_to_the_previous(events):
    assert events[0].seq == 1
    for prev, cur in itertools.pairwise(events):
        assert cur.prev_hash == prev.hash
        assert cur.seq == prev.seq + 1
    report = audit_chain_verify()
    assert report.ok and report.checked == 5


def test_model_refuses_update_and_delete(events):
    event = AuditEvent.objects.get(seq=2)
    event.action = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(seq=2).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def _raw_update(sql, params):
    with connection.cursor() as cur:
        cur.execute(sql, params)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_postgres_trigger_refuses_raw_update(events):
    from django.db.utils import DatabaseError

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw_update("UPDATE audit_auditevent SET action = %s WHERE seq = 2", ["x"])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw_update("DELETE FROM audit_auditevent WHERE seq = 2", [])


def _tamper(sql, params):
    """Tamper as a database superuser would: on PostgreSQL that needs the trigger off."""
    if connection.vendor == "postgresql":
        _raw_update("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_update", [])
    _raw_update(sql, params)


def test_verify_reports_first_tampered_event(events):
    _tamper("UPDATE audit_auditevent SET changes = %s WHERE seq = 3", ['{"a": [0, 99]}'])
    report = audit_chain_verify()
    assert not report.ok
    assert report.broken_seq == 3
    assert report.checked == 2
    with pytest.raises(CommandError, match="序号 3"):
        call_command("audit_verify")


def test_verify_reports_removed_event(events):
    _tamper("DELETE FROM audit_auditevent WHERE seq = 4", [])
    report = audit_chain_verify()
    assert not report.ok and report.broken_seq == 4


def test_audit_verify_command_ok(events, capsys):
    call_command("audit_verify")
    assert "共校验 5 条" in capsys.readouterr().out


def test_event_rolls_back_with_its_write(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="test.rolled_back")
        raise RuntimeError
    assert not AuditEvent.objects.filter(action="test.rolled_back").exists()
    audit_record(action="test.after")
    assert audit_chain_verify().ok


def test_diff_lists_only_changed_fields():
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == {"b": [2, 3], "c": [None, 4]}


def test_request_id_and_ip_are_recorded(client, make_user):
    make_user("weijian", department="health")
    client.post(
        "/login/",
        {"username": "weijian", "password": "pass-word-2020"},
        HTTP_X_REQUEST_ID="req-123",
        REMOTE_ADDR="10.1.2.3",
    )
    event = AuditEvent.objects.get(action="accounts.session.login")
    assert event.request_id == "req-123"
    assert event.ip == "10.1.2.3"
    assert event.actor_username == "weijian"
    assert event.actor_scope == "区卫健局"
