"""[hardening] point 14: `tuoyu.core.db.transient_retry` runs a write transaction again when
the database refused it only because of another writer — SQLite's "database is locked",
PostgreSQL's serialization failure (40001) or deadlock (40P01) — a bounded number of times
with jitter, never inside a transaction someone else opened, and answers 503
`database_busy` when the database stays busy."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import IntegrityError, OperationalError, transaction

from tuoyu.core import db
from tuoyu.core.errors import DomainError

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_pauses(monkeypatch):
    pauses = []
    monkeypatch.setattr(db.time, "sleep", pauses.append)
    return pauses


class Flaky:
    """Fails with `error` the first `failures` calls, then answers "ok"."""

    def __init__(self, failures: int, error: BaseException):
        self.failures = failures
        self.error = error
        self.calls = 0

    def __call__(self):
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "ok"


def locked() -> OperationalError:
    return OperationalError("database is locked")


def serialization_failure() -> OperationalError:
    class Driver(Exception):
        sqlstate = "40001"

    error = OperationalError("could not serialize access due to concurrent update")
    error.__cause__ = Driver()
    return error


@pytest.mark.parametrize(
    "error",
    [locked(), sqlite3.OperationalError("database is locked"), serialization_failure()],
    ids=["django-sqlite", "sqlite3", "postgresql-40001"],
)
def test_a_transient_error_is_retried(error, no_pauses):
    flaky = Flaky(2, error)
    assert db.transient_retry(flaky)() == "ok"
    assert flaky.calls == 3
    assert len(no_pauses) == 2
    assert all(0 <= p <= db.BACKOFF_MAX_SECONDS for p in no_pauses)


def test_a_database_that_stays_busy_is_503_database_busy():
    flaky = Flaky(99, locked())
    with pytest.raises(DomainError) as exc_info:
        db.transient_retry(attempts=3)(flaky)()
    assert flaky.calls == 3
    assert exc_info.value.code == "database_busy"
    assert exc_info.value.status == 503
    assert isinstance(exc_info.value.__cause__, OperationalError)


def test_no_new_attempt_once_the_budget_is_spent():
    flaky = Flaky(99, locked())
    with pytest.raises(DomainError):
        db.transient_retry(attempts=10, budget_seconds=0)(flaky)()
    assert flaky.calls == 1


@pytest.mark.parametrize(
    "error",
    [OperationalError("no such table: x"), IntegrityError("UNIQUE constraint failed"), KeyError()],
)
def test_other_errors_are_not_retried(error):
    flaky = Flaky(1, error)
    with pytest.raises(type(error)):
        db.transient_retry(flaky)()
    assert flaky.calls == 1


def test_inside_a_transaction_the_error_goes_to_whoever_opened_it():
    """The enclosing transaction is lost: only its owner can run it again."""
    flaky = Flaky(1, locked())
    with pytest.raises(OperationalError), transaction.atomic():
        db.transient_retry(flaky)()
    assert flaky.calls == 1


def test_is_integrity_error_knows_the_drivers_own():
    assert db.is_integrity_error(IntegrityError())
    assert db.is_integrity_error(sqlite3.IntegrityError()) == (
        db.connections["default"].vendor == "sqlite"
    )
    assert not db.is_integrity_error(OperationalError())
