"""Running a write transaction again when the database refused it only because of another
writer ([hardening] point 14).

SQLite lets one writer at a time: a transaction that cannot take the write lock within
`PRAGMA busy_timeout` (settings: `TUOYU_SQLITE_BUSY_TIMEOUT_MS`) fails with
OperationalError "database is locked". PostgreSQL may abort a transaction with a
serialization failure (SQLSTATE 40001) or a deadlock (40P01). Neither is the request's
fault, and nothing of the failed attempt was kept, so the whole transaction can run again.

`transient_retry` does that around the outermost transaction only (inside an `atomic`
block the enclosing transaction is already lost, so the error goes up to whoever opened
it): a bounded number of attempts, a jittered backoff between them, and no new attempt
once the time budget is spent (a busy timeout that ran out has waited long enough). When
the database stays busy the caller gets a DomainError 503 `database_busy` — a message
saying to try again — instead of a 500.
"""

from __future__ import annotations

import functools
import logging
import random
import sqlite3
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, IntegrityError, OperationalError, connections

from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError

log = logging.getLogger("tuoyu.db")

F = TypeVar("F", bound=Callable[..., Any])

# SQLSTATEs of PostgreSQL after which the transaction may simply be run again.
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected
# What SQLite says when the write lock (or, with a shared cache, a table) is held elsewhere.
SQLITE_BUSY_MESSAGES = ("database is locked", "database table is locked")

ATTEMPTS = 4
BACKOFF_SECONDS = 0.05  # the first pause is up to this, doubling after each attempt
BACKOFF_MAX_SECONDS = 1.0
BUDGET_SECONDS = 15.0  # no new attempt once this much time went by since the first


def is_transient(exc: BaseException) -> bool:
    """True for an error that says only "another transaction was in the way": SQLite's
    "database is locked", PostgreSQL's serialization failure or deadlock. Looks at the
    exception and at the driver's exception Django wrapped in it."""
    for err in (exc, exc.__cause__):
        if err is None:
            continue
        if getattr(err, "sqlstate", None) in TRANSIENT_SQLSTATES:
            return True
        if isinstance(err, OperationalError | sqlite3.OperationalError):
            text = str(err).lower()
            if any(message in text for message in SQLITE_BUSY_MESSAGES):
                return True
    return False


def is_integrity_error(exc: BaseException, *, using: str = DEFAULT_DB_ALIAS) -> bool:
    """A unique (or other) constraint refused the write: Django's IntegrityError, or the
    driver's own where a bulk path talks to the driver directly (COPY on PostgreSQL,
    `tuoyu.core.bulk`)."""
    driver = getattr(connections[using], "Database", None)
    return isinstance(exc, IntegrityError) or (
        driver is not None and isinstance(exc, driver.IntegrityError)
    )


def _in_transaction(connection) -> bool:
    """Inside an atomic block the caller opened (not merely the one a test case wraps every
    test in: Django's `durable` check makes the same distinction)."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _pause(attempt: int) -> float:
    """Full jitter: a random pause up to the exponential bound, so that writers that
    collided do not collide again in step."""
    return random.uniform(0, min(BACKOFF_MAX_SECONDS, BACKOFF_SECONDS * 2**attempt))


def database_busy(exc: BaseException | None = None) -> DomainError:
    return DomainError(
        CoreError.DATABASE_BUSY,
        "系统繁忙：数据库正忙于处理其他写入，本次操作未执行，请稍后重试",
        status=503,
        title="服务暂时繁忙",
    )


def transient_retry(
    func: F | None = None,
    *,
    attempts: int | None = None,
    budget_seconds: float | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> F | Callable[[F], F]:
    """Decorator: run `func` — which opens and finishes its own transaction — again when it
    fails with a transient database error (`is_transient`), at most `attempts` times in
    all (default ATTEMPTS) and not after `budget_seconds` (default BUDGET_SECONDS). Called
    inside an atomic block it runs once and lets the error through. After the last attempt
    raises DomainError 503 `database_busy`."""

    def decorate(inner: F) -> F:
        name = getattr(inner, "__qualname__", repr(inner))

        @functools.wraps(inner)
        def run(*args, **kwargs):
            if _in_transaction(connections[using]):
                return inner(*args, **kwargs)
            tries = attempts or ATTEMPTS
            budget = BUDGET_SECONDS if budget_seconds is None else budget_seconds
            started = time.monotonic()
            for attempt in range(tries):
                try:
                    return inner(*args, **kwargs)
                except Exception as exc:
                    if not is_transient(exc):
                        raise
                    spent = time.monotonic() - started
                    if attempt + 1 >= tries or spent >= budget:
                        log.warning(
                            "%s: database still busy after %d attempt(s), %.1f s: %s",
                            name,
                            attempt + 1,
                            spent,
                            exc,
                        )
                        raise database_busy(exc) from exc
                    pause = _pause(attempt)
                    log.info(
                        "%s: transient database error (%s), attempt %d again in %.3f s",
                        name,
                        exc,
                        attempt + 2,
                        pause,
                    )
                    time.sleep(pause)
            raise AssertionError("unreachable")  # pragma: no cover

        return run  # type: ignore[return-value]

    if func is not None:
        return decorate(func)
    return decorate


# --- planner statistics ([scale] point 4) -------------------------------------------------


SQLITE_ANALYSIS_LIMIT = 1000  # rows sampled per index (https://sqlite.org/lang_analyze.html)


def refresh_statistics(*, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Bring the query planner's statistics up to date after large writes (the seed, big
    imports) and on a schedule (the `core.db_optimize` job): `ANALYZE` on PostgreSQL (with
    VACUUM when not inside a transaction); on SQLite `ANALYZE` of every table never analysed (a fresh database has no `sqlite_stat1`),
    then `PRAGMA optimize` (which re-analyses what changed enough). Run outside the write
    transaction (on commit): ANALYZE inside a long transaction would see its own snapshot
    only. Returns what was done, for the command and the job."""
    connection = connections[using]
    started = time.perf_counter()
    done: dict[str, Any] = {"vendor": connection.vendor, "analysed": []}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if connection.in_atomic_block:
                cursor.execute("ANALYZE")
            else:
                # Outside a transaction also VACUUM: it sets the visibility map, without
                # which a freshly loaded table's covering indexes cannot answer index-only
                # (deep pages sort the whole table instead; [scale] point 6).
                cursor.execute("VACUUM (ANALYZE)")
                done["vacuumed"] = True
            done["analysed"] = ["*"]
        elif connection.vendor == "sqlite":
            # Approximate statistics (SQLite's recommended limit): ANALYZE holds the single
            # write lock, and unlimited it holds it long enough on a big table to make
            # concurrent pushes wait past their retries.
            cursor.execute(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
            tables = [row[0] for row in cursor.fetchall()]
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
            )
            analysed: set[str] = set()
            if cursor.fetchone():
                cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
                analysed = {row[0] for row in cursor.fetchall()}
            never = [t for t in tables if t not in analysed]
            if never and not analysed:
                cursor.execute("ANALYZE")
            else:
                for table in never:
                    cursor.execute(f'ANALYZE "{table}"')
            done["analysed"] = never
            cursor.execute("PRAGMA optimize")
    done["seconds"] = time.perf_counter() - started
    log.info("planner statistics refreshed", extra={"statistics": done})
    return done


# A write of at least this many rows changes the tables enough for the planner to need new
# statistics (an import of a whole district's registrations, say).
LARGE_WRITE_ROWS = 500


def refresh_statistics_after_large_write(rows: int, *, using: str = DEFAULT_DB_ALIAS) -> bool:
    """For a service that just wrote `rows` rows in the current transaction: refresh the
    statistics once it commits (nothing when it rolls back) if the write was large.
    Returns whether a refresh was scheduled."""
    if rows < LARGE_WRITE_ROWS:
        return False
    from django.db import transaction

    transaction.on_commit(lambda: refresh_statistics(using=using), using=using)
    return True
