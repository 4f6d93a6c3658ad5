"""`python -m bench audit`: write throughput with the per-shard audit chain ([house] point 6).

N writer threads (default 8), each with its own database connection and its own
institution, each run K small write transactions: one INSERT into a plain table, plus —
depending on the mode — one `audit_record` in the same transaction:

- raw       the INSERT alone, no audit event (the raw database, measured in the same run);
- chain     INSERT + audit_record into the writer's own chain `institution:<n>`
            (the design since [house] point 6: one head row per chain);
- single    INSERT + audit_record with every writer forced into chain `district`: the old
            design, one head row locked by every write of the platform until commit.

`--hold-ms X` keeps every transaction open X ms longer after its writes (a sleep, in every
mode alike): the rest of a real write's transaction, during which the old design kept the
platform-wide head locked. Modes are interleaved over several rounds and the best round of each is reported, with
the per-transaction latency median and p95; ratios are against `raw` of the same run. A
throw-away PostgreSQL database is created, migrated and dropped (`--database-url` names the
server; SQLite serialises all writers, so its figures would say nothing about locking).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODES = ("raw", "chain", "single")
# A catalogued action ([house] point 5) of a small, frequent institution write: an unknown
# name would log a warning on every call and distort the figures.
ACTION = "filings.application.facts_saved"


def _setup_database(database_url: str) -> tuple[str, callable]:
    import psycopg

    base, _, _ = database_url.rpartition("/")
    name = f"tuoyu_bench_audit_{os.getpid()}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")

    def cleanup():
        from django.db import connections

        connections.close_all()
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    return f"{base}/{name}", cleanup


def _run_mode(
    mode: str, *, writers: int, per_writer: int, hold: float = 0.0
) -> tuple[float, list[float]]:
    """Wall seconds for writers × per_writer transactions, and every transaction's seconds."""
    from django.db import connection, connections, transaction

    from tuoyu.audit.services import audit_record

    barrier = threading.Barrier(writers + 1)
    latencies: list[list[float]] = [[] for _ in range(writers)]
    errors: list[BaseException] = []

    def write(w: int) -> None:
        try:
            shard = "district" if mode == "single" else f"institution:{w + 1}"
            with connection.cursor() as cur:  # open the connection before the clock starts
                cur.execute("SELECT 1")
            barrier.wait()
            mine = latencies[w]
            for k in range(per_writer):
                start = time.perf_counter()
                with transaction.atomic():
                    with connection.cursor() as cur:
                        cur.execute(
                            "INSERT INTO bench_audit_write (institution_id, payload) "
                            "VALUES (%s, %s) RETURNING id",
                            [w + 1, f"{mode}-{k}"],
                        )
                        row_id = cur.fetchone()[0]
                    if mode != "raw":
                        audit_record(
                            action=ACTION,
                            object_type="bench.row",
                            object_id=row_id,
                            object_label=f"基准写入 {row_id}",
                            changes={"payload": [None, f"{mode}-{k}"]},
                            shard=shard,
                        )
                    if hold:
                        time.sleep(hold)
                mine.append(time.perf_counter() - start)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
            barrier.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    if errors:
        raise errors[0]
    return wall, [x for mine in latencies for x in mine]


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench audit", description=__doc__)
    parser.add_argument("--writers", type=int, default=8, help="concurrent writer threads")
    parser.add_argument("--transactions", type=int, default=200, help="transactions per writer")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every mode")
    parser.add_argument(
        "--hold-ms",
        type=float,
        default=0.0,
        help="keep each transaction open this long after its writes (the rest of the work)",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="PostgreSQL server (a temporary database is created and dropped)",
    )
    args = parser.parse_args(argv)
    if not args.database_url.startswith("postgres"):
        print(
            "python -m bench audit needs PostgreSQL (--database-url postgresql://…)",
            file=sys.stderr,
        )
        return 2

    url, cleanup = _setup_database(args.database_url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuoyu.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tuoyu.audit.selectors import audit_chain_verify

    try:
        call_command("migrate", verbosity=0)
        with connection.cursor() as cur:
            cur.execute(
                "CREATE TABLE bench_audit_write (id bigserial PRIMARY KEY, "
                "institution_id integer NOT NULL, payload text NOT NULL, "
                "created_at timestamptz NOT NULL DEFAULT now())"
            )
            cur.execute("SHOW synchronous_commit")
            sync_commit = cur.fetchone()[0]
            cur.execute("SHOW server_version")
            server = cur.fetchone()[0]
        connection.close()
        # Warm-up: connections, the chains' head rows, the table's first pages.
        for mode in MODES:
            _run_mode(mode, writers=args.writers, per_writer=5)

        results: dict[str, list[tuple[float, list[float]]]] = {m: [] for m in MODES}
        for _ in range(args.rounds):
            for mode in MODES:
                results[mode].append(
                    _run_mode(
                        mode,
                        writers=args.writers,
                        per_writer=args.transactions,
                        hold=args.hold_ms / 1000,
                    )
                )
        report = audit_chain_verify()

        total = args.writers * args.transactions
        best = {m: min(runs, key=lambda r: r[0]) for m, runs in results.items()}
        tps = {m: total / best[m][0] for m in MODES}
        print(f"machine: {platform.node()} · {os.cpu_count()} cores · {platform.python_version()}")
        print(f"database: PostgreSQL {server} · synchronous_commit={sync_commit}")
        print(
            f"writers: {args.writers} threads × {args.transactions} transactions "
            f"· hold {args.hold_ms:g} ms · best of {args.rounds} rounds"
        )
        print()
        print(f"{'mode':<8} {'wall s':>8} {'txn/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'vs raw':>8}")
        for mode in MODES:
            wall, lat = best[mode]
            print(
                f"{mode:<8} {wall:8.2f} {tps[mode]:9,.0f} {statistics.median(lat) * 1000:8.2f} "
                f"{_p95(lat) * 1000:8.2f} {tps[mode] / tps['raw']:7.2f}×"
            )
        print()
        print(f"throughput chain / raw:    {tps['chain'] / tps['raw']:.2f}×")
        print(f"throughput single / raw:   {tps['single'] / tps['raw']:.2f}×")
        print(f"throughput chain / single: {tps['chain'] / tps['single']:.2f}×")
        print(
            f"audit_verify: {'ok' if report.ok else 'BROKEN'} · {report.checked:,} events "
            f"in {len(report.chains)} chains"
        )
        return 0 if report.ok else 1
    finally:
        cleanup()


if __name__ == "__main__":
    raise SystemExit(main())
