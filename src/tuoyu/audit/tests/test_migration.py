"""Migration 0003 on a database that already has events ([house] point 6): they become the
frozen, unkeyed chain `legacy`, its head the old head row; new events go to shard chains."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tuoyu.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from tuoyu.audit.selectors import audit_chain_verify
from tuoyu.audit.services import audit_record

BEFORE = [("audit", "0002_append_only_trigger")]


@pytest.fixture(autouse=True)
def _any_action_name(settings):
    """These tests exercise the chain, not the catalogue of actions ([house] point 5): their
    events use made-up `test.*` actions, which the strict catalogue check would refuse."""
    settings.TUOYU_STRICT_CATALOGUES = False


def _old_canonical(row: dict) -> str:
    payload = {k: row[k] for k in row if k not in ("hash",)}
    payload["occurred_at"] = row["occurred_at"].isoformat()
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_existing_events_become_the_legacy_chain():
    executor = _migrate(BEFORE)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        old_apps = executor.loader.project_state(BEFORE).apps
        Event = old_apps.get_model("audit", "AuditEvent")
        Head = old_apps.get_model("audit", "AuditChainHead")
        prev = GENESIS_HASH
        for seq in (1, 2, 3):
            row = {
                "seq": seq,
                "occurred_at": timezone.now(),
                "kind": "write",
                "action": f"old.{seq}",
                "actor_id": None,
                "actor_username": "",
                "actor_scope": "",
                "object_type": "x",
                "object_id": str(seq),
                "object_label": "",
                "changes": {},
                "detail": {},
                "request_id": "",
                "ip": "",
                "prev_hash": prev,
            }
            row["hash"] = hashlib.sha256(_old_canonical(row).encode()).hexdigest()
            Event.objects.create(**row)
            prev = row["hash"]
        Head.objects.create(id=1, last_seq=3, last_hash=prev)
    finally:
        _migrate(leaves)

    assert set(AuditEvent.objects.values_list("chain", flat=True)) == {"legacy"}
    head = AuditChainHead.objects.get(chain="legacy")
    assert (head.last_seq, head.last_hash) == (3, prev)
    new = audit_record(action="test.after_migration")
    assert (new.chain, new.seq) == ("district", 1)
    report = audit_chain_verify()
    assert report.ok and report.checked == 4 and set(report.chains) == {"legacy", "district"}
