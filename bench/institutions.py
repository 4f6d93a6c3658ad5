"""`python -m bench institutions`: the public institution search and the directory list on
the seed's data at district, city and province scale, in-process.

Per scale, in its own process and throw-away database (a temporary SQLite file, or a
temporary PostgreSQL database with --database-url): `tuoyu seed --scale <scale>` (the
application's seed, every state in every district, ending with the application's own
statistics refresh — this benchmark runs no ANALYZE), the platform serving the scale's
whole region. Then measures, with Django's test client:

- GET /api/v1/public/institutions (no login) with several filters and pages;
- GET /institutions/ (the directory, as 区卫健局) at 20, 50 and 100 rows a page, sorted and
  filtered;

median and p95 latency over N requests, the SQL queries per request (they must not grow
with the page size: no N+1), the same statements replayed on the raw DB-API cursor in the
same run (app / raw), and how each figure grows from the first scale to the last.

    python -m bench institutions                          # SQLite, district,city,province
    python -m bench institutions --database-url postgresql://postgres@127.0.0.1:5432/postgres
    python -m bench institutions --quick                  # district and the small test scale
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import time
from dataclasses import dataclass, field

BRANDS = ("小橡树", "童心", "爱贝")  # the seed's first brands (institutions.seeding.BRANDS)


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

    def summary(self) -> dict:
        """What a child process reports of the scenario (JSON), for the parent's tables."""
        return {
            "scenario": self.scenario,
            "url": self.url,
            "queries": self.queries,
            "rows": self.rows,
            "median": self.median,
            "p95": self.p95,
            "raw_median": self.raw_median,
            "raw_p95": self.raw_p95,
        }


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


# Baseline of every scenario: the very statements one request ran (SQL and parameters
# captured from it), replayed on the raw DB-API cursor against the same tables, indexes and
# statistics, fetching every row: the database's share of the request.
def staff_client(username: str):
    """A test client signed in as `username`; 区卫健局 signs in with a second factor, so the
    session is the one after its TOTP step."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user

    from tuoyu.accounts.models import User

    staff = Client()
    user = User.objects.get(username=username)
    staff.force_login(user)
    device = next(iter(devices_for_user(user)), None)
    if device is not None:
        session = staff.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return staff


def _measure(client, scenario: str, url: str, requests: int, count_rows) -> Result:
    from django.db import connection

    response = client.get(url)  # warm up (session, permissions, caches)
    assert response.status_code == 200, (url, response.status_code)
    recorder = _Recorder()
    with connection.execute_wrapper(recorder):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    result = Result(scenario, url, len(recorder.statements), count_rows(response))
    # Interleaved, a request then its raw replay: on a shared machine the load changes from
    # second to second, and both sides of the ratio should see the same.
    for _ in range(requests):
        start = time.perf_counter()
        client.get(url)
        result.app_ms.append((time.perf_counter() - start) * 1000)
        result.raw_ms.append(_replay(recorder.statements))
    return result


def measure(*, requests: int = 100, username: str = "weijian") -> list[Result]:
    """Latency and queries of the public search and the directory list (in-process)."""
    from django.test import Client

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
    staff = staff_client(username)
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


def data_summary(seeded: dict) -> dict:
    """What the seed made (the rows the benchmark runs on)."""
    from tuoyu.institutions.models import (
        AffordableDesignation,
        CareClass,
        ChainAgreement,
        Institution,
    )
    from tuoyu.regions.models import Region

    filed = Institution.objects.filter(filing_status="filed").count()
    return {
        "region": os.environ.get("TUOYU_DISTRICT_CODE", ""),
        "districts": Region.objects.filter(level="district").count(),
        "townships": Region.objects.filter(level="township").count(),
        "institutions": Institution.objects.count(),
        "filed": filed,
        "classes": CareClass.objects.count(),
        "affordable": AffordableDesignation.objects.count(),
        "chain_agreements": ChainAgreement.objects.count(),
        "seed_seconds": seeded["seconds"],
    }


def child(scale: str, args) -> int:
    from bench import _scale

    url, cleanup = _scale.setup_database(args.database_url or None, f"inst_{scale}")
    _scale.django_setup(url, scale)
    try:
        seeded = _scale.seed(scale, args.seed)
        data = data_summary(seeded)
        results = measure(requests=args.requests)
        _scale.emit(
            {
                "data": data,
                "database": _scale.database_version(),
                "requests": args.requests,
                "constant": queries_constant(results),
                "results": [r.summary() for r in results],
            }
        )
    finally:
        cleanup()
    return 0


# --- report -----------------------------------------------------------------------------------


def report(runs: list[dict]) -> str:
    from bench import _scale

    lines = [
        f"date: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %z}",
        f"machine: {_scale.machine()}",
        f"database: {runs[0]['database']}",
        f"requests per scenario: {runs[0]['requests']}",
    ]
    for run in runs:
        d = run["data"]
        lines += [
            "",
            f"### {run['scale']} — region {d['region']} · {d['districts']} districts · "
            f"{d['townships']:,} townships · {d['institutions']:,} institutions "
            f"({d['filed']:,} filed) · {d['classes']:,} classes · {d['affordable']:,} 普惠 · "
            f"{d['chain_agreements']} chains · seeded in {d['seed_seconds']:.1f} s",
            "",
            "| scenario | rows | SQL queries | median ms | p95 ms | raw DB median ms "
            "| raw DB p95 ms | app / raw |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in run["results"]:
            rr = r["median"] / r["raw_median"] if r["raw_median"] else float("nan")
            lines.append(
                f"| {r['scenario']} | {r['rows']} | {r['queries']} | {r['median']:.1f} | "
                f"{r['p95']:.1f} | {r['raw_median']:.2f} | {r['raw_p95']:.2f} | {rr:.1f}× |"
            )
        lines.append(
            "\nqueries per directory page constant across 20/50/100 rows: "
            + ("yes" if run["constant"] else "NO (N+1)")
        )
    if len(runs) > 1:
        first, last = runs[0], runs[-1]
        lines += [
            "",
            f"### growth {first['scale']} → {last['scale']} (institutions "
            f"{_scale.ratio(first['data']['institutions'], last['data']['institutions'])}, "
            f"filed {_scale.ratio(first['data']['filed'], last['data']['filed'])})",
            "",
            "| scenario | queries | median | p95 | raw DB median | app / raw |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        base = {r["scenario"]: r for r in first["results"]}
        for r in last["results"]:
            b = base.get(r["scenario"])
            if b is None:
                continue
            app_raw_b = b["median"] / b["raw_median"] if b["raw_median"] else 0
            app_raw_r = r["median"] / r["raw_median"] if r["raw_median"] else 0
            lines.append(
                f"| {r['scenario']} | {b['queries']} → {r['queries']} | "
                f"{b['median']:.1f} → {r['median']:.1f} ms ({_scale.ratio(b['median'], r['median'])}) | "
                f"{b['p95']:.1f} → {r['p95']:.1f} ms ({_scale.ratio(b['p95'], r['p95'])}) | "
                f"{_scale.ratio(b['raw_median'], r['raw_median'])} | "
                f"{app_raw_b:.1f}× → {app_raw_r:.1f}× |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from bench import _scale

    parser = argparse.ArgumentParser(
        prog="python -m bench institutions", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--scales", default=",".join(_scale.SCALES))
    parser.add_argument("--quick", action="store_true", help="district and test scale only")
    parser.add_argument("--requests", type=int, default=100, help="requests per scenario")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", ""),
        help="postgresql://postgres@127.0.0.1:5432/postgres to measure on PostgreSQL (a "
        "temporary database per scale is created and dropped); default: temporary SQLite files",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args)
    scales = _scale.parse_scales(args.scales, args.quick)
    requests = args.requests if not args.quick else min(args.requests, 20)
    passed = ["--seed", str(args.seed), "--requests", str(requests)]
    if args.database_url:
        passed += ["--database-url", args.database_url]
    runs = _scale.run_children("institutions", scales, passed)
    print(report(runs))
    return 0 if all(r["constant"] for r in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
