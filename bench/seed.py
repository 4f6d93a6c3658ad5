"""`python -m bench seed`: `tuoyu seed` at district, city and province scale against the raw
database writing the same rows in the same run.

Per scale, in its own process and throw-away database (a temporary SQLite file, or a
temporary PostgreSQL database with --database-url): migrate, run the application's seed
(`tuoyu.core.seeding.run`: every generator, then its own statistics refresh), then write
every row it wrote again on the raw DB-API connection (the baseline below). Reports rows,
seconds, rows/s, the seed process's peak RSS, the ratio seed/raw at each scale and how each
figure grows from the first scale to the last.

    python -m bench seed                                  # SQLite, district,city,province
    python -m bench seed --database-url postgresql://postgres@127.0.0.1:5432/postgres
    python -m bench seed --quick                          # district and the small test scale
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time

from bench import _scale

CHUNK = 5_000  # rows per transaction: the seed's chunk (`core.seeding.CHUNK`)


# --- the raw baseline -------------------------------------------------------------------------


def _raw_tables_sqlite(cur, table: str, raw: str) -> None:
    """`raw` with the DDL of `table` and of each of its indexes from sqlite_master, renamed:
    same columns and types, primary key, NOT NULL, UNIQUE, CHECK and foreign keys (which
    name the real referenced tables, holding the same rows)."""
    cur.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
    ddl = cur.fetchone()[0]
    head = ddl.split("(", 1)
    cur.execute(f'DROP TABLE IF EXISTS "{raw}"')
    cur.execute(f'CREATE TABLE "{raw}" (' + head[1])
    cur.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL",
        (table,),
    )
    for name, sql in cur.fetchall():
        renamed = sql.replace(f'"{name}"', f'"raw_{name}"', 1).replace(
            f'ON "{table}"', f'ON "{raw}"', 1
        )
        cur.execute(renamed)


def _raw_tables_postgresql(cur, table: str, raw: str) -> None:
    """`raw` as `LIKE table INCLUDING ALL` (columns, defaults, NOT NULL, CHECK, primary key,
    unique constraints, indexes) plus the foreign keys LIKE does not copy, pointing at the
    real referenced tables (which hold the same rows)."""
    cur.execute(f'DROP TABLE IF EXISTS "{raw}"')
    cur.execute(f'CREATE TABLE "{raw}" (LIKE "{table}" INCLUDING ALL)')
    cur.execute(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f'",
        (f'"{table}"',),
    )
    for (definition,) in cur.fetchall():
        cur.execute(f'ALTER TABLE "{raw}" ADD {definition}')


def raw_write(tables: dict[str, int]) -> dict:
    """Baseline: every row the seed wrote, read back from its table and written again into
    a copy of that table with the same constraints and indexes (see the two functions
    above), CHUNK rows per transaction as the seed's streams write them — COPY on
    PostgreSQL, executemany on SQLite — tables in the order the seed fills them. Only the
    writing is timed (not reading the rows back, nor creating the copies)."""
    from django.apps import apps
    from django.db import connection

    order = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.db_table in tables and model._meta.db_table not in order:
            order.append(model._meta.db_table)
    connection.ensure_connection()
    conn = connection.connection
    postgres = connection.vendor == "postgresql"
    spent = 0.0
    rows_written = 0
    raws = []
    for table in order:
        raw = f"raw_{table}"
        raws.append(raw)
        cur = conn.cursor()
        if postgres:
            _raw_tables_postgresql(cur, table, raw)
        else:
            _raw_tables_sqlite(cur, table, raw)
        conn.commit()
        cur.execute(f'SELECT * FROM "{table}"')
        width = len(cur.description)
        rows = cur.fetchall()
        cur.close()
        marks = ", ".join(["?"] * width)
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            began = time.perf_counter()
            cur = conn.cursor()
            if postgres:
                with cur.copy(f'COPY "{raw}" FROM STDIN') as copy:
                    for row in chunk:
                        copy.write_row(row)
            else:
                cur.execute("BEGIN")
                cur.executemany(f'INSERT INTO "{raw}" VALUES ({marks})', chunk)
            conn.commit()
            cur.close()
            spent += time.perf_counter() - began
            rows_written += len(chunk)
    cur = conn.cursor()
    for raw in reversed(raws):
        cur.execute(f'DROP TABLE IF EXISTS "{raw}"')
    conn.commit()
    cur.close()
    return {"raw_seconds": spent, "raw_rows": rows_written}


# --- one scale (child process) ------------------------------------------------------------------


def child(scale: str, args) -> int:
    url, cleanup = _scale.setup_database(args.database_url or None, f"seed_{scale}")
    _scale.django_setup(url, scale)
    from django.db import connection

    try:
        report = _scale.seed(scale, args.seed)
        tables = {t: n for t, n in report["tables"].items() if n > 0}
        # Django's own sessions/permissions etc. are not the seed's: only tuoyu tables.
        report.update(raw_write(tables))
        report["database"] = _scale.database_version()
        report["vendor"] = connection.vendor
        _scale.emit(report)
    finally:
        cleanup()
    return 0


# --- report ---------------------------------------------------------------------------------------


def report(results: list[dict]) -> str:
    first = results[0]
    raw_path = "COPY" if first["vendor"] == "postgresql" else "executemany"
    lines = [
        f"date: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %z}",
        f"machine: {_scale.machine()}",
        f"database: {first['database']} · raw path: {raw_path}, {CHUNK:,} rows per transaction",
        "",
        "| scale | rows | seed s | seed rows/s | peak RSS MiB | raw s | raw rows/s | seed / raw |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['scale']} | {r['rows']:,} | {r['seconds']:.2f} | {r['rows_per_second']:,.0f} | "
            f"{r['peak_rss_mib']:.0f} | {r['raw_seconds']:.2f} | "
            f"{r['raw_rows'] / r['raw_seconds']:,.0f} | {r['seconds'] / r['raw_seconds']:.1f}× |"
        )
    if len(results) > 1:
        last = results[-1]
        lines += [
            "",
            f"growth {first['scale']} → {last['scale']}: rows "
            f"{_scale.ratio(first['rows'], last['rows'])}, seed time "
            f"{_scale.ratio(first['seconds'], last['seconds'])}, raw time "
            f"{_scale.ratio(first['raw_seconds'], last['raw_seconds'])}, peak RSS "
            f"{_scale.ratio(first['peak_rss_mib'], last['peak_rss_mib'])}",
        ]
    lines += ["", "rows per table (last scale):"]
    for table, n in sorted(results[-1]["tables"].items(), key=lambda t: -t[1]):
        if n:
            lines.append(f"  {table:<40} {n:>10,}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench seed", description=__doc__)
    parser.add_argument("--scales", default=",".join(_scale.SCALES))
    parser.add_argument("--quick", action="store_true", help="district and test scale only")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", ""),
        help="postgresql://postgres@127.0.0.1:5432/postgres to measure on PostgreSQL "
        "(a temporary database is created and dropped); default: a temporary SQLite file",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args)
    scales = _scale.parse_scales(args.scales, args.quick)
    passed = ["--seed", str(args.seed)]
    if args.database_url:
        passed += ["--database-url", args.database_url]
    print(report(_scale.run_children("seed", scales, passed)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
