"""`python -m bench institutions`: the public institution search and the directory list at
province scale, in-process.

Builds a throw-away database (a temporary SQLite file under var/bench/, or a temporary
PostgreSQL database with --database-url): the Zhejiang division tree (code 33), 5,000
institutions across its townships in every filing state, their filed classes, affordable
designations and chain agreements. Then measures, with Django's test client:

- GET /api/v1/public/institutions (no login) with several filters and pages;
- GET /institutions/ (the directory, as 区卫健局) at 20, 50 and 100 rows a page;

median and p95 latency over N requests, the SQL queries per request (they must not grow
with the page size: no N+1), and the same statements replayed on the raw DB-API cursor in
the same run (latency ratio app / raw database).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"

BRANDS = ("小橡树", "童心", "爱贝", "悦宝", "七色花", "小太阳", "春苗", "乐育", "暖暖", "贝乐")
SUFFIXES = ("托育有限公司", "托育服务中心", "托育园", "幼儿园")
MODES = ("social", "community", "employer", "public_private", "private_public_support")


# --- database set-up ------------------------------------------------------------------------


def _setup_database(database_url: str | None, keep: bool) -> tuple[str, callable]:
    """A fresh database; returns its URL and a cleanup function."""
    if database_url and database_url.startswith("postgres"):
        import psycopg

        base, _, _ = database_url.rpartition("/")
        name = f"tuoyu_bench_institutions_{os.getpid()}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")

        def cleanup():
            from django.db import connections

            connections.close_all()
            if keep:
                print(f"kept database {base}/{name}")
                return
            with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

        return f"{base}/{name}", cleanup
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"institutions-{os.getpid()}.sqlite3"

    def cleanup():
        from django.db import connections

        connections.close_all()
        if keep:
            print(f"kept database {path}")
            return
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    return f"sqlite:///{path}", cleanup


# --- the data set ---------------------------------------------------------------------------


def _org_code(i: int) -> str:
    return f"BN{i:06d}"


def build(*, institutions: int = 5000, region: str = "33", seed: int = 1) -> dict:
    """Load the division tree of `region` and create `institutions` institutions across its
    townships (set-based: COPY on PostgreSQL, executemany on SQLite), with filed classes,
    affordable designations and chain agreements; one 区卫健局 user `bench-weijian`."""
    from django.db import connection, transaction
    from django.utils import timezone

    from tuoyu import policy
    from tuoyu.accounts.models import Department, User
    from tuoyu.accounts.services import departments_load, user_create
    from tuoyu.core.bulk import bulk_insert
    from tuoyu.core.identifiers import make_uscc
    from tuoyu.institutions.models import (
        AffordableDesignation,
        CareClass,
        ChainAgreement,
        Institution,
    )
    from tuoyu.regions.models import Region
    from tuoyu.regions.services import regions_load_from_division

    rng = random.Random(seed)
    started = time.perf_counter()
    regions_load_from_division(code=region)
    townships = list(
        Region.objects.filter(level=Region.Level.TOWNSHIP, code__startswith=region)
        .select_related("parent")
        .order_by("code")
    )
    departments_load()
    if not User.objects.filter(username="bench-weijian").exists():
        user_create(
            username="bench-weijian",
            password=None,
            department=Department.objects.get(code="health"),
        )
    today = policy.today()
    rules = policy.at(today).classes
    now = timezone.now()
    rows = []
    states = []
    for i in range(institutions):
        township = townships[i % len(townships)] if i < len(townships) else rng.choice(townships)
        r = rng.random()
        # ~70 % filed, 8 % in review, 15 % registered not filed, 4 % cancelled, 3 % deregistered.
        if r < 0.70:
            state = "filed"
        elif r < 0.78:
            state = "in_review"
        elif r < 0.93:
            state = "not_filed"
        elif r < 0.97:
            state = "cancelled"
        else:
            state = "deregistered"
        registered_at = now - dt.timedelta(days=rng.randrange(30, 2000), hours=rng.randrange(24))
        filed_on = (registered_at + dt.timedelta(days=rng.randrange(10, 90))).date()
        filed = state in ("filed", "cancelled")
        rows.append(
            Institution(
                uscc=make_uscc("9", "1", township.code[:6], _org_code(i)),
                name=f"{township.parent.name if township.parent else ''}{township.name}"
                f"{BRANDS[i % len(BRANDS)]}{i:05d}{SUFFIXES[i % len(SUFFIXES)]}",
                legal_form="company",
                for_profit=True,
                legal_representative="测试",
                address=f"{township.name}幸福路 {i % 500 + 1} 号",
                township=township,
                registration_status="deregistered" if state == "deregistered" else "registered",
                registration_authority="market_regulation",
                registered_at=registered_at,
                filing_status={"deregistered": "not_filed"}.get(state, state),
                filing_number=f"BENCH-{i:06d}" if filed else None,
                filed_on=filed_on if filed else None,
                filing_cancelled_on=today if state == "cancelled" else None,
                operating_mode=MODES[i % len(MODES)] if filed else "",
                monthly_fee_yuan=rng.randrange(1500, 6000, 100) if filed else None,
                created_at=now,
                updated_at=now,
            )
        )
        states.append(state)
    with transaction.atomic():
        bulk_insert(Institution, rows)
        ids = dict(
            Institution.objects.filter(filing_number__startswith="BENCH-").values_list(
                "filing_number", "pk"
            )
        )
        classes = []
        designations = []
        filed_ids = []
        for i, (row, state) in enumerate(zip(rows, states, strict=True)):
            if state not in ("filed", "cancelled", "in_review"):
                continue
            pk = ids.get(row.filing_number)
            if pk is None:  # in review: no number yet
                continue
            status = "closed" if state == "cancelled" else "filed"
            for n, class_type in enumerate(rng.sample(list(rules.keys()), rng.randrange(1, 5))):
                classes.append(
                    CareClass(
                        institution_id=pk,
                        name=f"{rules[class_type].name_zh}{n + 1}",
                        class_type=class_type,
                        capacity=rng.randrange(5, rules[class_type].max_children + 1),
                        status=status,
                        filed_on=row.filed_on,
                        created_at=now,
                    )
                )
            if state == "filed":
                filed_ids.append(pk)
                if i % 5 < 2:  # 40 % affordable
                    designations.append(
                        AffordableDesignation(
                            institution_id=pk,
                            starts_on=row.filed_on,
                            ends_on=None if i % 10 else row.filed_on + dt.timedelta(days=365),
                            decision_ref=f"BENCH〔{row.filed_on.year}〕{i}号",
                            created_at=now,
                        )
                    )
        bulk_insert(CareClass, classes)
        bulk_insert(AffordableDesignation, designations)
        # Chains: one agreement per 100 institutions, up to 5 branches each.
        heads = filed_ids[:: max(1, 100)][: max(1, institutions // 100)]
        agreements = 0
        branch_pool = [pk for pk in filed_ids if pk not in set(heads)]
        for n, head in enumerate(heads):
            agreement = ChainAgreement.objects.create(
                head_id=head,
                agreement_number=f"BENCH-LS-{n:04d}",
                max_branches=5,
                valid_from=today - dt.timedelta(days=365),
                valid_until=today + dt.timedelta(days=3 * 365),
            )
            agreement.townships.set(rng.sample(townships, min(3, len(townships))))
            branches = branch_pool[n * 5 : n * 5 + rng.randrange(1, 6)]
            Institution.objects.filter(pk__in=branches).update(chain_agreement=agreement)
            agreements += 1
    # Fresh planner statistics, as a live database has them (autovacuum / a nightly job).
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {
        "region": region,
        "townships": len(townships),
        "institutions": len(rows),
        "filed": sum(1 for s in states if s == "filed"),
        "classes": len(classes),
        "affordable": len(designations),
        "chain_agreements": agreements,
        "build_seconds": time.perf_counter() - started,
    }


# --- measuring ------------------------------------------------------------------------------


@dataclass
class Result:
    scenario: str
    url: str
    queries: int
    rows: int
    app_ms: list[float] = field(default_factory=list)
    raw_ms: list[float] = field(default_factory=list)

    @staticmethod
    def _p(values: list[float], q: float) -> float:
        if not values:
            return float("nan")
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    @property
    def median(self) -> float:
        return statistics.median(self.app_ms)

    @property
    def p95(self) -> float:
        return self._p(self.app_ms, 0.95)

    @property
    def raw_median(self) -> float:
        return statistics.median(self.raw_ms)

    @property
    def raw_p95(self) -> float:
        return self._p(self.raw_ms, 0.95)

    @property
    def ratio(self) -> float:
        return self.median / self.raw_median if self.raw_median else float("nan")


class _Recorder:
    """connection.execute_wrapper: the statements (SQL and parameters) one request runs."""

    def __init__(self):
        self.statements: list[tuple[str, object]] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, params))
        return execute(sql, params, many, context)


def _replay(statements) -> float:
    """Run the statements on the raw DB-API cursor, fetching every row; milliseconds."""
    from django.db import connection
    from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX

    connection.ensure_connection()
    raw = connection.connection
    start = time.perf_counter()
    cur = raw.cursor()
    try:
        for sql, params in statements:
            if connection.vendor == "sqlite":
                # Django's SQLite backend speaks %s; the sqlite3 module speaks ?.
                sql = FORMAT_QMARK_REGEX.sub("?", sql).replace("%%", "%")
            cur.execute(sql, tuple(params) if params is not None else ())
            if cur.description is not None:
                cur.fetchall()
    finally:
        cur.close()
    return (time.perf_counter() - start) * 1000


def _measure(client, scenario: str, url: str, requests: int, count_rows) -> Result:
    from django.db import connection

    response = client.get(url)  # warm up (session, permissions, caches)
    assert response.status_code == 200, (url, response.status_code)
    recorder = _Recorder()
    with connection.execute_wrapper(recorder):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    result = Result(scenario, url, len(recorder.statements), count_rows(response))
    for _ in range(requests):
        start = time.perf_counter()
        client.get(url)
        result.app_ms.append((time.perf_counter() - start) * 1000)
    for _ in range(requests):
        result.raw_ms.append(_replay(recorder.statements))
    return result


def measure(*, requests: int = 100, username: str = "bench-weijian") -> list[Result]:
    """Latency and queries of the public search and the directory list (in-process)."""
    from django.test import Client

    from tuoyu.accounts.models import User
    from tuoyu.regions.models import Region

    public = Client()
    township = (
        Region.objects.filter(institutions__filing_status="filed")
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )
    word = BRANDS[0]

    def api_rows(r):
        return len(r.json()["results"])

    def page_rows(r):
        return r.content.decode().count('<tr data-id="')

    results = []
    api = "/api/v1/public/institutions"
    for scenario, query in (
        ("public API · page 1", ""),
        ("public API · page 50", "?page=50"),
        ("public API · q=name", f"?q={word}"),
        ("public API · township", f"?township={township}"),
        ("public API · age_months=20", "?age_months=20"),
        ("public API · affordable=true&age_months=30", "?affordable=true&age_months=30"),
    ):
        results.append(_measure(public, scenario, api + query, requests, api_rows))
    staff = Client()
    staff.force_login(User.objects.get(username=username))
    for size in (20, 50, 100):
        results.append(
            _measure(
                staff,
                f"directory · {size}/page",
                f"/institutions/?per_page={size}",
                requests,
                page_rows,
            )
        )
    results.append(
        _measure(
            staff,
            "directory · filed, by slots, 100/page",
            "/institutions/?per_page=100&filing_status=filed&sort=-slots",
            requests,
            page_rows,
        )
    )
    results.append(
        _measure(
            staff,
            "directory · affordable & branch, 100/page",
            "/institutions/?per_page=100&affordable=yes&chain=branch",
            requests,
            page_rows,
        )
    )
    return results


def queries_constant(results: list[Result]) -> bool:
    """The directory's queries per page do not grow with the page size."""
    sizes = [r for r in results if re.fullmatch(r"directory · \d+/page", r.scenario)]
    return len({r.queries for r in sizes}) == 1


# --- report -----------------------------------------------------------------------------------


def _machine() -> str:
    try:
        mem = subprocess.run(["free", "-h"], capture_output=True, text=True, check=False).stdout
        total = mem.splitlines()[1].split()[1]
    except (OSError, IndexError):
        total = "?"
    return (
        f"{platform.node()} · nproc {os.cpu_count()} · memory {total} · "
        f"Python {platform.python_version()} · {platform.platform(terse=True)}"
    )


def _database() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SHOW server_version")
            return f"PostgreSQL {cur.fetchone()[0]}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def report(built: dict, results: list[Result], requests: int) -> str:
    lines = [
        f"date: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %z}",
        f"machine: {_machine()}",
        f"database: {_database()}",
        f"data: region {built['region']} · {built['townships']} townships · "
        f"{built['institutions']:,} institutions ({built['filed']:,} filed) · "
        f"{built['classes']:,} classes · {built['affordable']:,} affordable designations · "
        f"{built['chain_agreements']} chain agreements · built in {built['build_seconds']:.1f} s",
        f"requests per scenario: {requests}",
        "",
        "| scenario | rows | SQL queries | median ms | p95 ms | raw DB median ms | raw DB p95 ms | app / raw |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.scenario} | {r.rows} | {r.queries} | {r.median:.1f} | {r.p95:.1f} | "
            f"{r.raw_median:.2f} | {r.raw_p95:.2f} | {r.ratio:.1f}× |"
        )
    lines.append("")
    lines.append(
        "queries per directory page constant across 20/50/100 rows: "
        + ("yes" if queries_constant(results) else "NO (N+1)")
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench institutions", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--institutions", type=int, default=5000)
    parser.add_argument("--region", default="33", help="division code to load (33 = 浙江省)")
    parser.add_argument("--requests", type=int, default=100, help="requests per scenario")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", ""),
        help="postgresql://postgres@127.0.0.1:5432/postgres to measure on PostgreSQL (a "
        "temporary database is created and dropped); default: a temporary SQLite file under "
        "var/bench/",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)

    url, cleanup = _setup_database(args.database_url or None, args.keep)
    os.environ["DATABASE_URL"] = url
    os.environ["TUOYU_DISTRICT_CODE"] = args.region  # the directory's and public townships
    os.environ.setdefault(
        "TUOYU_STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuoyu.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0)
        built = build(institutions=args.institutions, region=args.region, seed=args.seed)
        results = measure(requests=args.requests)
        print(report(built, results, args.requests))
        return 0 if queries_constant(results) else 1
    finally:
        cleanup()
        if BENCH_DIR.exists() and not any(BENCH_DIR.iterdir()):
            shutil.rmtree(BENCH_DIR, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
