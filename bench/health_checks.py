"""`python -m bench health_checks`: ingest of daily health checks (API-CONTRACT §3,
[children] Performance) through the real API code path — HTTP handler, JSON parse,
validation, enrolment lookup, insert with ON CONFLICT, comparison query, audit event,
outbreak evaluation — into a table that already holds `--days` days, against a raw
COPY (PostgreSQL) / executemany (SQLite) of the same rows into a table with the same
constraints (on PostgreSQL partitioned the same way: by month, [children] #12), in the same
run.

Institutions of `--per-institution` children each (default 2,500: both sessions of a day
are one batch of 5,000, the contract's limit); `--children` in all (default 20,000; a
province day is 200,000 — `--children 200000` on a machine that has the time). Printed:
records/s of the API path and of raw, their ratio (goal ≥ 0.3), RSS after every batch
(flat), the outbreak evaluation of the day across all institutions (goal < 10 s), and a
retried batch (all duplicates). A throw-away database is created and dropped.

    python -m bench health_checks [--database-url postgresql://postgres@127.0.0.1:5432/x]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import time

from bench import _scale
from tuoyu.core import clock


def _rss_mib() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _fixtures(children: int, per_institution: int):
    """Filed institutions with one big filed class each, their children and tokens."""
    from tests.factories import ApiTokenFactory, InstitutionFactory, UserFactory, jindong_tree
    from tuoyu.children.models import Child
    from tuoyu.core.bulk import bulk_insert
    from tuoyu.institutions.models import CareClass

    tree = jindong_tree()
    out = []
    today = clock.today()
    for n in range(max(1, children // per_institution)):
        inst = InstitutionFactory(
            township=tree["duohu"],
            filing_status="filed",
            filing_number=f"BENCH-{n:05d}",
            filed_on=today,
        )
        klass = CareClass.objects.create(
            institution=inst,
            name="托大班",
            class_type="toddler_large",
            capacity=per_institution,
            status="filed",
            filed_on=today,
        )
        bulk_insert(
            Child,
            (
                Child(
                    institution=inst,
                    care_class=klass,
                    name=f"儿童{n}-{i}",
                    gender="male",
                    birth_date=today - dt.timedelta(days=900),
                    guardian_name="家长",
                    guardian_phone=f"138{n:04d}{i:04d}",
                    enrolled_on=today - dt.timedelta(days=60),
                )
                for i in range(per_institution)
            ),
        )
        user = UserFactory(username=f"bench{n}", institution=inst)
        ids = list(Child.objects.filter(institution=inst).values_list("pk", flat=True))
        out.append((inst, klass, ids, ApiTokenFactory(user=user).raw))
    return out


def _records(ids, day, tag, rng):
    rows = []
    for cid in ids:
        for session in ("morning", "noon"):
            sick = rng.random() < 0.02
            rows.append(
                {
                    "record_id": f"{tag}-{cid}-{day:%Y%m%d}-{session}",
                    "child_id": cid,
                    "date": day.isoformat(),
                    "session": session,
                    "attendance": "absent_sick" if sick else "present",
                    "temperature_c": None if sick else 36.6,
                    "symptoms": ["fever"] if sick else [],
                    "action": "none",
                }
            )
    return rows


COLUMNS = (
    "institution_id",
    "record_id",
    "child_id",
    "care_class_id",
    "date",
    "session",
    "attendance",
    "temperature_c",
    "symptoms",
    "action",
    "batch_id",
)


def _rows(inst, klass, ids, day, tag, rng, batch_id) -> list[tuple]:
    return [
        (
            inst.pk,
            r["record_id"],
            r["child_id"],
            klass.pk,
            day,
            r["session"],
            r["attendance"],
            r["temperature_c"],
            ",fever," if r["symptoms"] else "",
            "none",
            batch_id,
        )
        for r in _records(ids, day, tag, rng)
    ]


def _copy(connection, table: str, rows: list[tuple]) -> None:
    """COPY (PostgreSQL) / one executemany (SQLite) of `rows` (COLUMNS) into `table`."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as cp:
                for row in rows:
                    cp.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(COLUMNS))
            cur.executemany(f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({marks})", rows)


def _prefill(connection, fixtures, days: int, rng) -> int:
    """`days` earlier days, written straight to the table (the store the ingest meets): rows
    as tuples through COPY / executemany, one transaction per institution, into the month
    partitions the service would have made (a province's 10 days are 4 million rows: model
    instances and `bulk_insert`'s per-field conversions took most of the preload's time)."""
    from django.db import transaction

    from tuoyu.children.models import HealthCheckBatch
    from tuoyu.children.services.health_checks import healthcheck_partitions_ensure

    earlier = [clock.today() - dt.timedelta(days=k) for k in range(1, days + 1)]
    healthcheck_partitions_ensure(months=earlier)
    n = 0
    for inst, klass, ids, _ in fixtures:
        batch = HealthCheckBatch.objects.create(institution=inst)
        with transaction.atomic():
            for day in earlier:
                rows = _rows(inst, klass, ids, day, "pre", rng, batch.pk)
                _copy(connection, "children_healthcheck", rows)
                n += len(rows)
    return n


def _raw_table(connection, name: str = "bench_raw", foreign_keys: bool = True) -> str:
    """A table with the same columns, unique key, indexes and — with `foreign_keys` — the
    same foreign keys as children_healthcheck (the API path pays their checks, deferred to
    the commit on PostgreSQL, so a raw table without them is not "the same constraints").
    On PostgreSQL it is partitioned the same way too ([children] #12): PARTITION BY RANGE
    (date), the same month partitions and a DEFAULT one, primary key (id, date) — so raw
    pays the same partition routing and per-partition indexes. It starts empty: raw's
    indexes are those of an empty month, as the API's month partition is when the earlier
    days lie in the month before (the province day below)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                f"CREATE TABLE {name} (LIKE children_healthcheck INCLUDING ALL) "
                "PARTITION BY RANGE (date)"
            )
            cur.execute(
                "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
                "JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = 'children_healthcheck'::regclass"
            )
            for relname, bound in cur.fetchall():
                suffix = relname.removeprefix("children_healthcheck")
                cur.execute(f"CREATE TABLE {name}{suffix} PARTITION OF {name} {bound}")
            if foreign_keys:
                cur.execute(
                    "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = 'children_healthcheck'::regclass AND contype = 'f'"
                )
                for (definition,) in cur.fetchall():
                    cur.execute(f"ALTER TABLE {name} ADD {definition}")
        else:
            cur.execute(
                "SELECT type, sql FROM sqlite_master WHERE tbl_name = 'children_healthcheck' "
                "AND sql IS NOT NULL ORDER BY type DESC"
            )
            for kind, sql in cur.fetchall():
                sql = sql.replace('"children_healthcheck"', f'"{name}"')
                if kind == "index":
                    sql = sql.replace('INDEX "', f'INDEX "{name}_', 1)
                elif not foreign_keys:
                    sql = re.sub(
                        r" REFERENCES \S+ \(\S+\)( DEFERRABLE INITIALLY DEFERRED)?", "", sql
                    )
                cur.execute(sql)
    return name


def _raw_insert(
    connection, fixtures, day, rng, table: str = "bench_raw", tag: str = "raw"
) -> tuple[int, float]:
    from django.db import transaction

    from tuoyu.children.models import HealthCheckBatch

    batch_id = HealthCheckBatch.objects.order_by("pk").values_list("pk", flat=True).first()
    n, started = 0, time.perf_counter()
    for inst, klass, ids, _ in fixtures:
        rows = _rows(inst, klass, ids, day, tag, rng, batch_id)
        # One transaction per batch, as the API path has (and its commit, where PostgreSQL
        # checks the deferred foreign keys).
        with transaction.atomic():
            _copy(connection, table, rows)
        n += len(rows)
    return n, time.perf_counter() - started


def _warm_up(fixtures) -> None:
    """One empty batch before the clock starts: the first request of a process imports the
    API's modules and builds its schemas (≈ 3 s here), paid once at start-up in a server,
    not per batch; the raw side has nothing comparable."""
    from django.test import Client

    inst, _, _, token = fixtures[0]
    r = Client(HTTP_AUTHORIZATION=f"Bearer {token}").post(
        f"/api/v1/institutions/{inst.uscc}/health-checks",
        json.dumps({"records": []}),
        content_type="application/json",
    )
    assert r.status_code == 200, r.content[:300]


def _api_ingest(fixtures, day, rng, profile: str | None = None):
    """The API path, batch after batch; the bodies are built before the clock starts (the
    client's work, not the server's). `profile`: cProfile of the batches into that file."""
    from django.test import Client

    _warm_up(fixtures)
    bodies = [json.dumps({"records": _records(ids, day, "api", rng)}) for _, _, ids, _ in fixtures]
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    n, rss, started = 0, [], time.perf_counter()
    alerts = 0
    for (inst, _, _, token), body in zip(fixtures, bodies, strict=True):
        r = Client(HTTP_AUTHORIZATION=f"Bearer {token}").post(
            f"/api/v1/institutions/{inst.uscc}/health-checks",
            body,
            content_type="application/json",
        )
        assert r.status_code == 200, r.content[:300]
        n += r.json()["accepted"]
        alerts += len(r.json()["alerts"])
        rss.append(round(_rss_mib(), 1))
    elapsed = time.perf_counter() - started
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    inst, _, _, token = fixtures[0]
    return n, elapsed, rss, (inst, token, bodies[0]), alerts


def _evaluate_day(day) -> float:
    from tuoyu.children.models import HealthCheck
    from tuoyu.children.services.outbreak import outbreak_evaluate
    from tuoyu.institutions.models import Institution

    started = time.perf_counter()
    rows: dict[int, list] = {}
    for row in (
        HealthCheck.objects.filter(date=day)
        .exclude(symptoms="")
        .values("institution_id", "care_class_id", "date", "symptoms")
    ):
        rows.setdefault(row["institution_id"], []).append(row)
    for inst in Institution.objects.filter(pk__in=rows):
        outbreak_evaluate(acting_user=None, institution=inst, rows=rows[inst.pk])
    return time.perf_counter() - started


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench health_checks")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--per-institution", type=int, default=2_500)
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--profile", default=None, help="cProfile of the API batches into FILE")
    args = parser.parse_args(argv)
    import random

    url, cleanup = _scale.setup_database(args.database_url, "checks")
    try:
        _scale.django_setup(url, "district")
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        rng = random.Random(1)
        phase = time.perf_counter()
        fixtures = _fixtures(args.children, args.per_institution)
        fixtures_s, phase = time.perf_counter() - phase, time.perf_counter()
        pre = _prefill(connection, fixtures, args.days, rng)
        prefill_s = time.perf_counter() - phase
        day = clock.today()
        from tuoyu.children.services.health_checks import healthcheck_partitions_ensure

        # The day's month partition exists before the rows come (the daily job's doing);
        # the raw tables copy the partitions.
        healthcheck_partitions_ensure(months=[day])
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("ANALYZE children_healthcheck")
        _raw_table(connection)
        _raw_table(connection, "bench_raw_nofk", foreign_keys=False)
        raw_n, raw_s = _raw_insert(connection, fixtures, day, rng)
        bare_n, bare_s = _raw_insert(connection, fixtures, day, rng, "bench_raw_nofk", "bare")
        api_n, api_s, rss, (inst, token, body), alerts = _api_ingest(
            fixtures, day, rng, args.profile
        )
        from django.test import Client

        started = time.perf_counter()
        r = Client(HTTP_AUTHORIZATION=f"Bearer {token}").post(
            f"/api/v1/institutions/{inst.uscc}/health-checks",
            body,
            content_type="application/json",
        )
        retry_s = time.perf_counter() - started
        evaluate_s = _evaluate_day(day)
        print(f"machine             {_scale.machine()}; load average {_scale.load_average()}")
        print(f"database            {connection.vendor} ({_scale.database_version()})")
        print(
            f"table before        {pre:,} rows ({args.days} days; fixtures {fixtures_s:.1f} s,"
            f" preload {prefill_s:.1f} s = {pre / prefill_s:,.0f} rows/s)"
        )
        print(
            f"API path            {api_n:,} records in {api_s:.2f} s = {api_n / api_s:,.0f}/s"
            f" ({len(fixtures)} batches, {alerts} alerts)"
        )
        print(
            f"raw {'COPY' if connection.vendor == 'postgresql' else 'executemany'}"
            f"            {raw_n:,} records in {raw_s:.2f} s = {raw_n / raw_s:,.0f}/s"
        )
        print(
            f"raw, no foreign keys {bare_n:,} records in {bare_s:.2f} s = {bare_n / bare_s:,.0f}/s"
        )
        print(f"ratio API / raw     {(api_n / api_s) / (raw_n / raw_s):.2f} (goal ≥ 0.3)")
        print(f"ratio API / raw without foreign keys {(api_n / api_s) / (bare_n / bare_s):.2f}")
        print(f"RSS after batches   {rss[:3]} … {rss[-3:]} MiB (peak {max(rss)} MiB)")
        print(f"retried batch       {r.json()['duplicates']:,} duplicates in {retry_s:.2f} s")
        print(f"outbreak evaluation {evaluate_s:.2f} s for the day, all institutions (goal < 10 s)")
    finally:
        cleanup()
    return 0
