"""`python -m bench seed`: rows/s of `tuoyu seed --scale province` against the raw database.

The seed runs into a throw-away database; then every row it wrote is copied into empty
clones of the same tables with the plainest bulk path the database has (executemany on
SQLite, COPY on PostgreSQL), measured in the same run. The ratio says how much the seed's
validation, generation and ORM cost on top of writing the same rows.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup_database(database_url: str | None) -> tuple[str, callable]:
    """Point Django at a fresh database; return its URL and a cleanup function."""
    if database_url and database_url.startswith("postgres"):
        import psycopg

        base, _, _ = database_url.rpartition("/")
        name = f"tuoyu_bench_{os.getpid()}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")

        def cleanup():
            from django.db import connections

            connections.close_all()
            with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

        return f"{base}/{name}", cleanup
    tmp = Path(tempfile.mkdtemp(prefix="tuoyu-bench-"))
    path = tmp / "bench.sqlite3"

    def cleanup():
        for f in tmp.iterdir():
            f.unlink()
        tmp.rmdir()

    return f"sqlite:///{path}", cleanup


def _tables_with_rows(connection):
    from django.apps import apps

    tables = []
    for model in apps.get_models():
        if model._meta.app_label not in {"regions", "accounts", "institutions", "audit", "filings"}:
            continue
        if not model._meta.managed or model._meta.proxy:
            continue
        table = model._meta.db_table
        with connection.cursor() as cur:
            cur.execute(f'SELECT COUNT(*) FROM "{table}"')
            count = cur.fetchone()[0]
        if count:
            tables.append((table, count))
        for m2m in model._meta.local_many_to_many:
            through = m2m.remote_field.through
            if through._meta.auto_created:
                with connection.cursor() as cur:
                    cur.execute(f'SELECT COUNT(*) FROM "{through._meta.db_table}"')
                    n = cur.fetchone()[0]
                if n:
                    tables.append((through._meta.db_table, n))
    return tables


def _raw_copy(connection, tables) -> float:
    """Re-insert every seeded row into empty clones; return the seconds spent writing."""
    spent = 0.0
    for table, _count in tables:
        clone = f"bench_raw_{table}"
        with connection.cursor() as cur:
            cur.execute(f'DROP TABLE IF EXISTS "{clone}"')
            cur.execute(f'CREATE TABLE "{clone}" AS SELECT * FROM "{table}" WHERE 1 = 0')
            cur.execute(f'SELECT * FROM "{table}"')
            rows = cur.fetchall()
            width = len(cur.description)
        if connection.vendor == "postgresql":
            raw = connection.connection  # psycopg 3 connection
            start = time.perf_counter()
            with raw.cursor() as cur, cur.copy(f'COPY "{clone}" FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
            raw.commit()
            spent += time.perf_counter() - start
        else:
            raw = connection.connection  # sqlite3 connection
            marks = ", ".join("?" * width)
            start = time.perf_counter()
            raw.executemany(f'INSERT INTO "{clone}" VALUES ({marks})', rows)
            raw.commit()
            spent += time.perf_counter() - start
    return spent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench seed", description=__doc__)
    parser.add_argument("--scale", default="province", choices=["district", "city", "province"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", ""),
        help="postgresql://postgres@127.0.0.1:5432/postgres to measure on PostgreSQL "
        "(a temporary database is created and dropped); default: a temporary SQLite file",
    )
    args = parser.parse_args(argv)

    url, cleanup = _setup_database(args.database_url or None)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuoyu.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from tuoyu.core import seeding

    try:
        call_command("migrate", verbosity=0)
        start = time.perf_counter()
        seeding.run(
            scale=args.scale,
            seed=args.seed,
            district_code=settings.TUOYU_DISTRICT_CODE,
            quiet=True,
        )
        seed_seconds = time.perf_counter() - start
        tables = _tables_with_rows(connection)
        rows = sum(n for _, n in tables)
        raw_seconds = _raw_copy(connection, tables)
        raw_path = "COPY" if connection.vendor == "postgresql" else "executemany"
        print(f"machine: {platform.node()} · {os.cpu_count()} cores · {platform.python_version()}")
        print(f"database: {connection.vendor} · scale: {args.scale} · seed: {args.seed}")
        print(f"{'table':<40} {'rows':>10}")
        for table, n in sorted(tables, key=lambda t: -t[1]):
            print(f"{table:<40} {n:>10,}")
        print(f"{'total':<40} {rows:>10,}")
        print()
        print(f"seed:            {seed_seconds:8.2f} s  {rows / seed_seconds:12,.0f} rows/s")
        print(f"raw {raw_path:<11}  {raw_seconds:8.2f} s  {rows / raw_seconds:12,.0f} rows/s")
        print(f"ratio seed/raw:  {seed_seconds / raw_seconds:8.1f}×")
    finally:
        cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
