"""Concurrent duplicate pushes (API-CONTRACT §1): the unique constraints (event_id,
institution uscc) decide, the loser re-reads. Real threads on PostgreSQL; SQLite serialises
writers with a database lock, so there the race is simulated in test_registration_api.py."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tuoyu.core.errors import DomainError
from tuoyu.institutions.models import Institution, RegistrationEvent
from tuoyu.institutions.services.registration import registration_event_receive

from .conftest import registration_body

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent writers (PostgreSQL)"
    ),
]


def race(user, bodies: list[dict]) -> list:
    barrier = threading.Barrier(len(bodies))
    results: list = [None] * len(bodies)

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = registration_event_receive(acting_user=user, data=bodies[i])
        except DomainError as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_the_same_push_twice_at_once_creates_one_institution(market_user):
    body = registration_body()
    results = race(market_user, [body, body, body])
    assert all(not isinstance(r, Exception) for r in results), results
    assert sorted(r.created for r in results) == [False, False, True]
    assert len({r.institution_id for r in results}) == 1
    assert Institution.objects.count() == 1
    assert RegistrationEvent.objects.count() == 1


def test_two_registrations_of_one_uscc_at_once_one_wins(market_user):
    body = registration_body()
    other = {**body, "event_id": body["event_id"] + "-B"}
    results = race(market_user, [body, other])
    errors = [r for r in results if isinstance(r, DomainError)]
    receipts = [r for r in results if not isinstance(r, DomainError)]
    assert len(receipts) == 1 and receipts[0].created
    assert [e.code for e in errors] == ["already_registered"]
    assert errors[0].status == 409
    assert Institution.objects.count() == 1
    assert RegistrationEvent.objects.count() == 1
