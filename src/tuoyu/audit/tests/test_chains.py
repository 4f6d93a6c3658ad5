"""One keyed audit chain per shard, verified against its head and against digests
([house] point 6)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction

from tuoyu.audit import chain as chains
from tuoyu.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent, audit_key
from tuoyu.audit.selectors import audit_chain_verify
from tuoyu.audit.services import audit_record, audit_record_bulk

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (triggers, concurrent writers)"
)


@pytest.fixture(autouse=True)
def _any_action_name(settings):
    """These tests exercise the chain, not the catalogue of actions ([house] point 5): their
    events use made-up `test.*` actions, which the strict catalogue check would refuse."""
    settings.TUOYU_STRICT_CATALOGUES = False


def _sql(sql, params=()):
    with connection.cursor() as cur:
        cur.execute(sql, params)


def _as_superuser():
    """Tamper as a database superuser would: on PostgreSQL that needs the triggers off
    (the test transaction rolls the ALTER TABLE back)."""
    if connection.vendor == "postgresql":
        _sql("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        _sql("ALTER TABLE audit_auditchainhead DISABLE TRIGGER USER")


def _write(chain: str, n: int) -> list[AuditEvent]:
    return [
        audit_record(action="test.write", object_type="x", object_id=i, shard=chain)
        for i in range(1, n + 1)
    ]


def _forge(chain: str, hash_fn, *, start: int = 1) -> None:
    """Re-link `chain` from seq `start` with `hash_fn(canonical)` and point its head at the
    new end, as someone with database access who rewrote a row would."""
    before = AuditEvent.objects.filter(chain=chain, seq=start - 1).first()
    prev = before.hash if before else GENESIS_HASH
    for event in AuditEvent.objects.filter(chain=chain, seq__gte=start).order_by("seq"):
        event.prev_hash = prev
        new_hash = hash_fn(event.canonical())
        _sql(
            "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
            [prev, new_hash, event.id],
        )
        prev = new_hash
    _sql("UPDATE audit_auditchainhead SET last_hash = %s WHERE chain = %s", [prev, chain])


def _plain_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _wrong_key(text: str) -> str:
    return hmac.new(os.urandom(32), text.encode(), hashlib.sha256).hexdigest()


def _right_key(text: str) -> str:
    return hmac.new(audit_key(), text.encode(), hashlib.sha256).hexdigest()


# ---- shards -------------------------------------------------------------------------------
def test_shard_is_the_institution_then_the_actors_scope_then_the_district(
    db, make_user, make_institution
):
    inst = make_institution()
    other = make_institution()
    weijian = make_user("weijian", department="health")
    duohu = make_user("duohu_staff", township="duohu")
    staff = make_user("jg_staff", institution=other)

    assert chains.shard_for(obj=inst, actor=weijian) == f"institution:{inst.pk}"
    # A record owned by an institution (any model with an institution_id).
    assert chains.shard_for(obj=staff, actor=weijian) == f"institution:{other.pk}"
    assert chains.shard_for(obj=weijian, actor=weijian) == "department:health"
    assert chains.shard_for(actor=duohu) == "township:330703001"
    assert chains.shard_for(actor=staff) == f"institution:{other.pk}"
    assert chains.shard_for() == "district"

    event = audit_record(action="test.institution", actor=weijian, obj=inst)
    assert (event.chain, event.seq) == (f"institution:{inst.pk}", 1)
    assert audit_record(action="test.dept", actor=weijian).chain == "department:health"
    assert audit_record(action="test.override", actor=weijian, shard="district").chain == (
        "district"
    )


def test_each_chain_counts_its_own_seq_and_has_its_own_head(db):
    a = _write("institution:1", 3)
    b = _write("institution:2", 2)
    assert [e.seq for e in a] == [1, 2, 3]
    assert [e.seq for e in b] == [1, 2]
    assert b[0].prev_hash == GENESIS_HASH
    heads = {h.chain: (h.last_seq, h.last_hash) for h in AuditChainHead.objects.all()}
    assert heads == {"institution:1": (3, a[-1].hash), "institution:2": (2, b[-1].hash)}
    report = audit_chain_verify()
    assert report.ok and report.checked == 5 and set(report.chains) == set(heads)


def test_hash_is_keyed_and_covers_the_chain_name(db, settings):
    event = _write("institution:1", 1)[0]
    assert event.hash == _right_key(event.canonical())
    assert event.hash != _plain_sha256(event.canonical())
    assert '"chain":"institution:1"' in event.canonical()
    settings.TUOYU_AUDIT_KEY = base64.b64encode(os.urandom(32)).decode()
    report = audit_chain_verify()
    assert not report.ok and report.broken_seq == 1


@pytest.mark.parametrize("bad", ["legacy", "", "a b", "x" * 65])
def test_shard_names_are_checked_and_legacy_is_frozen(db, bad):
    with pytest.raises(ValueError):
        chains.check_chain_name(bad)
    if bad:
        with pytest.raises(ValueError):
            audit_record(action="test.x", shard=bad)
    assert not AuditEvent.objects.exists()


# ---- what verify finds --------------------------------------------------------------------
def test_deleted_tail_is_found(db):
    _write("institution:1", 5)
    _write("institution:2", 2)
    _as_superuser()
    _sql("DELETE FROM audit_auditevent WHERE chain = %s AND seq >= 4", ["institution:1"])
    report = audit_chain_verify()
    assert not report.ok
    assert (report.broken_chain, report.broken_seq) == ("institution:1", 4)
    assert "最新的事件已被删除" in report.reason
    assert report.checked == 5  # 3 intact in the broken chain + 2 in the other
    with pytest.raises(CommandError, match=r"institution:1.*最新的事件已被删除"):
        call_command("audit_verify")


def test_emptied_table_is_found(db):
    _write("institution:1", 3)
    _write("district", 2)
    _as_superuser()
    _sql("DELETE FROM audit_auditevent")
    report = audit_chain_verify()
    assert not report.ok and report.checked == 0
    assert {p.chain for p in report.problems} == {"district", "institution:1"}
    assert all("事件已被清空" in p.what for p in report.problems)
    with pytest.raises(CommandError, match="事件已被清空"):
        call_command("audit_verify")


def test_gap_is_found(db):
    _write("institution:1", 5)
    _as_superuser()
    _sql("DELETE FROM audit_auditevent WHERE chain = %s AND seq = 3", ["institution:1"])
    report = audit_chain_verify()
    assert not report.ok and report.broken_seq == 3 and "缺少序号 3" in report.reason


@pytest.mark.parametrize("hash_fn", [_plain_sha256, _wrong_key], ids=["sha256", "wrong-key"])
def test_row_edited_and_hashes_recomputed_without_the_key_is_found(db, hash_fn):
    _write("institution:1", 4)
    _as_superuser()
    _sql(
        "UPDATE audit_auditevent SET action = %s WHERE chain = %s AND seq = 2",
        ["test.forged", "institution:1"],
    )
    _forge("institution:1", hash_fn, start=2)
    forged = AuditEvent.objects.get(chain="institution:1", seq=2)
    assert forged.prev_hash == AuditEvent.objects.get(chain="institution:1", seq=1).hash
    report = audit_chain_verify()
    assert not report.ok
    assert (report.broken_chain, report.broken_seq) == ("institution:1", 2)
    assert "哈希不符" in report.reason


def test_the_same_forgery_with_the_key_passes_verify(db):
    """Control for the test above: the forgery is otherwise perfect — only the key shows it
    (and a digest kept elsewhere, see below)."""
    _write("institution:1", 4)
    _as_superuser()
    _sql("UPDATE audit_auditevent SET action = 'test.forged' WHERE seq = 2")
    _forge("institution:1", _right_key, start=2)
    assert audit_chain_verify().ok


def test_head_that_points_at_nothing_or_elsewhere_is_found(db):
    _write("institution:1", 2)
    _as_superuser()
    _sql(
        "INSERT INTO audit_auditchainhead (chain, last_seq, last_hash) VALUES (%s, 7, %s)",
        ["institution:9", "f" * 64],
    )
    report = audit_chain_verify()
    assert report.broken_chain == "institution:9" and "没有任何事件" in report.reason

    _sql("DELETE FROM audit_auditchainhead WHERE chain = 'institution:9'")
    _sql("UPDATE audit_auditchainhead SET last_hash = %s", ["e" * 64])
    report = audit_chain_verify()
    assert not report.ok and "链头哈希与链上最后一条事件不符" in report.reason

    _sql("DELETE FROM audit_auditchainhead")
    report = audit_chain_verify()
    assert not report.ok and "没有链头" in report.reason


def test_head_behind_its_chain_is_found(db):
    events = _write("institution:1", 3)
    _as_superuser()
    _sql(
        "UPDATE audit_auditchainhead SET last_seq = 2, last_hash = %s WHERE chain = %s",
        [events[1].hash, "institution:1"],
    )
    report = audit_chain_verify()
    assert not report.ok and report.broken_seq == 3 and "链头被回退" in report.reason


def test_legacy_chain_is_verified_with_the_old_unkeyed_scheme(db):
    from django.utils import timezone

    prev = GENESIS_HASH
    for seq in (1, 2):
        event = AuditEvent(
            chain="legacy", seq=seq, occurred_at=timezone.now(), kind="write", action="old"
        )
        event.prev_hash = prev
        payload = json.loads(event.canonical())
        assert "chain" not in payload  # the pre-[house] canonical form
        event.hash = _plain_sha256(event.canonical())
        event.save(force_insert=True)
        prev = event.hash
    AuditChainHead.objects.create(chain="legacy", last_seq=2, last_hash=prev)
    _write("district", 1)
    assert audit_chain_verify().ok
    _as_superuser()
    _sql("UPDATE audit_auditevent SET action = 'edited' WHERE chain = 'legacy' AND seq = 1")
    report = audit_chain_verify()
    assert not report.ok and (report.broken_chain, report.broken_seq) == ("legacy", 1)


# ---- digests ------------------------------------------------------------------------------
def _write_digest(tmp_path) -> tuple:
    call_command("audit_verify", "--write-digest", str(tmp_path))
    (path,) = tmp_path.iterdir()
    return path, json.loads(path.read_text(encoding="utf-8"))


def test_digest_lists_every_head_in_a_dated_file(db, tmp_path, capsys):
    a = _write("institution:1", 3)
    _write("district", 1)
    path, data = _write_digest(tmp_path)
    assert re.fullmatch(r"audit-digest-\d{4}-\d{2}-\d{2}T\d{6}\.json", path.name)
    assert "已写出审计链摘要" in capsys.readouterr().out
    assert data["generated_at"]
    assert data["chains"][1] == {
        "chain": "institution:1",
        "last_seq": 3,
        "last_hash": a[-1].hash,
        "count": 3,
    }
    assert [c["chain"] for c in data["chains"]] == ["district", "institution:1"]
    _write("institution:1", 2)
    call_command("audit_verify", "--against", str(path))
    assert "核对一致" in capsys.readouterr().out
    with pytest.raises(CommandError, match="已存在"):
        call_command("audit_verify", "--write-digest", str(path))


def test_against_digest_finds_an_older_row_rewritten_with_the_key(db, tmp_path):
    _write("institution:1", 5)
    path, _ = _write_digest(tmp_path)
    _write("institution:1", 2)
    # An insider with the key rewrites event 2 and re-links everything after it.
    _as_superuser()
    _sql("UPDATE audit_auditevent SET action = 'test.forged' WHERE seq = 2")
    _forge("institution:1", _right_key, start=2)
    call_command("audit_verify")  # the database alone cannot tell
    with pytest.raises(CommandError, match=r"institution:1 在序号 5.*与摘要不符"):
        call_command("audit_verify", "--against", str(path))


def test_against_digest_finds_a_deleted_tail_with_its_head_rewound(db, tmp_path):
    events = _write("institution:1", 5)
    _write("district", 1)
    path, _ = _write_digest(tmp_path)
    _as_superuser()
    _sql("DELETE FROM audit_auditevent WHERE chain = 'institution:1' AND seq > 3")
    _sql(
        "UPDATE audit_auditchainhead SET last_seq = 3, last_hash = %s WHERE chain = %s",
        [events[2].hash, "institution:1"],
    )
    call_command("audit_verify")
    with pytest.raises(CommandError, match="落后于摘要记录的序号 5"):
        call_command("audit_verify", "--against", str(path))
    # …and a chain removed with its head.
    _sql("DELETE FROM audit_auditevent WHERE chain = 'district'")
    _sql("DELETE FROM audit_auditchainhead WHERE chain = 'district'")
    problems = chains.verify_against(json.loads(path.read_text(encoding="utf-8")))
    assert any(p.chain == "district" and "链头已不存在" in p.what for p in problems)


def test_no_digest_of_a_broken_chain_and_no_garbage_digest(db, tmp_path):
    _write("institution:1", 2)
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "other"}', encoding="utf-8")
    with pytest.raises(CommandError, match="格式不正确"):
        call_command("audit_verify", "--against", str(bad))
    _as_superuser()
    _sql("DELETE FROM audit_auditevent WHERE seq = 2")
    out = tmp_path / "digests"
    with pytest.raises(CommandError):
        call_command("audit_verify", "--write-digest", str(out) + "/")
    assert not out.exists() or not any(out.iterdir())


# ---- bulk ---------------------------------------------------------------------------------
def test_bulk_write_appends_one_event_with_count_and_digest(db, make_user, make_institution):
    inst = make_institution()
    staff = make_user("jg_staff", institution=inst)
    before = AuditEvent.objects.count()
    ids = list(range(2000, 0, -1))
    event = audit_record_bulk(
        action="children.imported",
        actor=staff,
        object_type="children.child",
        object_ids=ids,
        detail={"file": "名单.xlsx"},
    )
    assert AuditEvent.objects.count() == before + 1
    assert event.chain == f"institution:{inst.pk}"
    bulk = event.detail["bulk"]
    expected = hashlib.sha256("\n".join(str(i) for i in range(1, 2001)).encode()).hexdigest()
    assert bulk == {"count": 2000, "ids_sha256": expected, "first": "1", "last": "2000"}
    assert event.detail["file"] == "名单.xlsx"
    assert event.object_type == "children.child" and "2000" in event.object_label

    small = audit_record_bulk(
        action="checks.saved", actor=staff, object_type="x", object_ids=["b", "a", "c"]
    )
    assert small.detail["bulk"]["ids"] == ["a", "b", "c"]
    assert small.seq == event.seq + 1
    assert audit_chain_verify().ok
    with pytest.raises(ValueError):
        audit_record_bulk(action="x", object_type="x", object_ids=[])


# ---- PostgreSQL: triggers and concurrency -------------------------------------------------
@on_postgres
def test_postgres_refuses_truncate_and_rewinding_heads(db):
    _write("institution:1", 2)
    # Test connections allow TRUNCATE for Django's flush (conftest); production does not.
    _sql("SET LOCAL tuoyu.audit_truncate_allowed = 'off'")
    for table in ("audit_auditevent", "audit_auditchainhead"):
        with pytest.raises(DatabaseError, match="TRUNCATE refused"), transaction.atomic():
            _sql(f"TRUNCATE {table} CASCADE")
    with pytest.raises(DatabaseError, match="only moves forward"), transaction.atomic():
        _sql("UPDATE audit_auditchainhead SET last_seq = 1")
    with pytest.raises(DatabaseError, match="cannot be deleted"), transaction.atomic():
        _sql("DELETE FROM audit_auditchainhead")
    assert AuditEvent.objects.count() == 2 and audit_chain_verify().ok


def _hold_and_race(first: dict, second: dict, *, wait: float) -> tuple[bool, list]:
    """Thread 1 calls audit_record(**first) and keeps its transaction open; thread 2 then
    calls audit_record(**second). Returns whether thread 2 finished within `wait` seconds."""
    written, release, done = threading.Event(), threading.Event(), threading.Event()
    errors: list = []

    def run_first():
        try:
            with transaction.atomic():
                audit_record(action="test.first", **first)
                written.set()
                release.wait(timeout=30)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            written.set()
            connections.close_all()

    def run_second():
        try:
            written.wait(timeout=10)
            with transaction.atomic():
                audit_record(action="test.second", **second)
            done.set()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for t in threads:
        t.start()
    finished = done.wait(timeout=wait)
    release.set()
    for t in threads:
        t.join(timeout=30)
    return finished, errors


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_two_institutions_write_without_waiting_for_each_other(make_institution, make_user):
    a, b, c, d = (make_institution() for _ in range(4))
    weijian = make_user("weijian", department="health")
    # Rounds: both chains new, both existing; then two more new chains.
    for x, y in [(a, b), (a, b), (c, d)]:
        finished, errors = _hold_and_race(
            {"obj": x, "actor": weijian}, {"obj": y, "actor": weijian}, wait=5
        )
        assert not errors, errors
        assert finished, "institution B waited for institution A's open transaction"
    assert AuditEvent.objects.filter(chain=f"institution:{a.pk}").count() == 2
    assert audit_chain_verify().ok


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_one_chain_serialises_its_writers_and_first_writers_do_not_fail():
    """Control for the test above (it can fail): two writers of ONE chain — the old single
    head — do wait; and two first writers of a new chain both succeed, one after the other."""
    audit_record(action="test.setup", shard="district")  # an existing chain, committed
    finished, errors = _hold_and_race({"shard": "district"}, {"shard": "district"}, wait=1)
    assert not errors, errors
    assert not finished, "a second writer of the same chain did not wait for the lock"
    assert AuditEvent.objects.filter(chain="district").count() == 3
    new = {"shard": "institution:77"}
    finished, errors = _hold_and_race(new, new, wait=1)
    assert not errors, errors
    seqs = AuditEvent.objects.filter(chain="institution:77").order_by("seq")
    assert [e.seq for e in seqs] == [1, 2]
    assert audit_chain_verify().ok


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_verify_reads_one_snapshot_while_others_write(monkeypatch):
    """An event committed between reading the heads and reading the events is not taken
    for a rewound head: verify reads both from one snapshot."""
    _write("institution:1", 2)
    read_heads = chains._heads

    def heads_then_someone_writes():
        heads = read_heads()

        def write():
            try:
                audit_record(action="test.meanwhile", shard="institution:1")
            finally:
                connections.close_all()

        t = threading.Thread(target=write)
        t.start()
        t.join(timeout=10)
        return heads

    monkeypatch.setattr(chains, "_heads", heads_then_someone_writes)
    report = audit_chain_verify()
    assert report.ok, report.reason
    assert report.checked == 2
    assert AuditEvent.objects.filter(chain="institution:1").count() == 3
