"""[children] #12, P-HC-3: two batches of one institution at once, carrying the same record
id on two dates. The unique key (institution, record_id, date) cannot stop the second (the
dates differ, the rows may even be in two partitions), and each batch's look-up of stored
record ids misses the other's uncommitted row; the advisory lock per institution makes the
second wait for the first, which it then sees: one stored, one `record_id_conflict`. Real
threads on PostgreSQL; SQLite's writer lock serialises batches anyway."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from unittest import mock

import pytest
from django.db import connection, connections

from tests.factories import ChildFactory
from tuoyu.children.models import HealthCheck
from tuoyu.children.services import health_checks
from tuoyu.children.services.health_checks import health_checks_receive

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent writers (PostgreSQL)"
    ),
]


def record(child, day: dt.date) -> dict:
    return {
        "record_id": "shared-1",
        "child_id": child.pk,
        "date": day.isoformat(),
        "session": "morning",
        "attendance": "present",
        "temperature_c": 36.6,
        "symptoms": [],
        "action": "none",
    }


def race(user, institution, batches: list[list[dict]]) -> list:
    """Each batch in its own thread. After its look-up of stored record ids, each waits (at
    most 2 s) for the other to have looked too: without the lock both look before either
    commits — the worst interleaving, every time; with it, the second is still waiting for
    the lock, the first goes on after 2 s and commits, then the second looks."""
    looked = threading.Barrier(len(batches))
    real = health_checks._stored

    def stored_then_wait(institution_id, record_ids):
        found = real(institution_id, record_ids)
        with contextlib.suppress(threading.BrokenBarrierError):
            looked.wait(timeout=2)
        return found

    results: list = [None] * len(batches)

    def run(i: int) -> None:
        try:
            results[i] = health_checks_receive(
                acting_user=user, institution=institution, records=batches[i]
            )
        except Exception as exc:  # reported by the assertion below
            results[i] = exc
        finally:
            connections.close_all()

    # The months' partitions first: creating one is DDL on the parent table, which would
    # queue behind the other batch's open transaction (and may end one of them with a
    # deadlock, a retryable error) — another race than the one this test is about.
    health_checks.healthcheck_partitions_ensure(
        months={dt.date.fromisoformat(r["date"]) for batch in batches for r in batch},
        refresh=True,
    )
    with mock.patch.object(health_checks, "_stored", stored_then_wait):
        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(batches))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    return results


def test_one_record_id_on_two_dates_in_two_batches_at_once_is_stored_once(
    on_2026_12_01, nursery, nursery_user, large_class
):
    child = ChildFactory(care_class=large_class, enrolled_on=dt.date(2026, 9, 1))
    results = race(
        nursery_user,
        nursery,
        [[record(child, dt.date(2026, 11, 30))], [record(child, dt.date(2026, 12, 1))]],
    )
    assert all(not isinstance(r, Exception) for r in results), results
    assert sorted(r.accepted for r in results) == [0, 1]
    loser = next(r for r in results if not r.accepted)
    assert [e["code"] for e in loser.rejected[0]["errors"]] == ["record_id_conflict"]
    assert HealthCheck.objects.filter(record_id="shared-1").count() == 1


def test_the_same_batch_twice_at_once_stores_each_record_once(
    on_2026_12_01, nursery, nursery_user, large_class
):
    child = ChildFactory(care_class=large_class, enrolled_on=dt.date(2026, 9, 1))
    batch = [record(child, dt.date(2026, 12, 1))]
    results = race(nursery_user, nursery, [batch, batch])
    assert all(not isinstance(r, Exception) for r in results), results
    assert sorted((r.accepted, r.duplicates) for r in results) == [(0, 1), (1, 0)]
    assert HealthCheck.objects.filter(record_id="shared-1").count() == 1
