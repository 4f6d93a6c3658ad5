"""`python -m bench search`: the public text search and the directory's slots sort and deep
pages on the seed's data ([scale] #10 points 5 and 6), at district and province scale.

Per scale, in its own process and throw-away database (`bench._scale`: the application's
seed, ending with its own statistics refresh; no ANALYZE here), with Django's test client:

- GET /api/v1/public/institutions?q= a two-character word (童心), two words (托育 童心), a name
  fragment (小橡树), a two-character word of an address (a township's first two characters);
- GET /institutions/ (the directory, as 区卫健局) sorted by slots, its last page, and q=.

Median and p95 over N requests, SQL queries per request, and the app / raw ratio, where raw
is the very statements of one request (the indexed search included) replayed on the DB-API
cursor in the same run (`bench.institutions._measure`); plus, for reference, the scan the
search replaced (`UPPER(name) LIKE '%…%'` on the same table, raw), and the growth from the
first scale to the last.

Done when (issue #10): public search at province scale within 3× of raw, growth ≤ 2×.

    python -m bench search                                  # SQLite, district,province
    python -m bench search --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from urllib.parse import urlencode

SCALES = ("district", "province")


def _like_scan_ms(word: str, requests: int) -> float:
    """The search this replaced, raw: the count and the page by a LIKE scan (medians, ms)."""
    from django.db import connection

    sql_count = (
        "SELECT COUNT(*) FROM institutions_institution WHERE filing_status = 'filed' "
        "AND registration_status = 'registered' AND UPPER(name) LIKE UPPER(%s)"
    )
    sql_page = (
        "SELECT id, name FROM institutions_institution WHERE filing_status = 'filed' "
        "AND registration_status = 'registered' AND UPPER(name) LIKE UPPER(%s) "
        "ORDER BY name, id LIMIT 20"
    )
    times = []
    with connection.cursor() as cur:
        for _ in range(requests):
            start = time.perf_counter()
            cur.execute(sql_count, [f"%{word}%"])
            cur.fetchall()
            cur.execute(sql_page, [f"%{word}%"])
            cur.fetchall()
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(requests: int) -> tuple[list, dict]:
    from django.test import Client

    from bench.institutions import _measure, staff_client
    from tuoyu.institutions.models import Institution
    from tuoyu.institutions.selectors.public import public_filter

    public = Client()
    staff = staff_client("weijian")
    address = Institution.objects.filter(public_filter()).exclude(address="").order_by("pk").first()
    township_word = (address.address or "东孝")[:2] if address else "东孝"

    def api_rows(r):
        return len(r.json()["results"])

    def page_rows(r):
        return r.content.count(b'<tr class="directory-row"') or r.content.count(b"<tr") - 1

    api = "/api/v1/public/institutions?"
    results = []
    for scenario, q in (
        ("public q= two-character word", "童心"),
        ("public q= two words", "托育 童心"),
        ("public q= name fragment", "小橡树"),
        ("public q= address word", township_word),
    ):
        results.append(_measure(public, scenario, api + urlencode({"q": q}), requests, api_rows))
    count = Institution.objects.count()
    last = max(1, -(-count // 50))
    for scenario, params in (
        ("directory sort=-slots", {"sort": "-slots"}),
        ("directory sort=slots last page", {"sort": "slots", "page": last}),
        ("directory q= two-character word", {"q": "童心"}),
    ):
        results.append(
            _measure(staff, scenario, "/institutions/?" + urlencode(params), requests, page_rows)
        )
    like = {
        "public LIKE scan (before), raw": _like_scan_ms("童心", requests),
    }
    return results, {"institutions": count, "like_scan_ms": like, "address_word": township_word}


def child(scale: str, args) -> int:
    from bench import _scale

    url, cleanup = _scale.setup_database(args.database_url or None, f"search_{scale}")
    _scale.django_setup(url, scale)
    try:
        _scale.seed(scale, args.seed)
        results, extra = measure(args.requests)
        _scale.emit(
            {
                "database": _scale.database_version(),
                "extra": extra,
                "results": [r.summary() for r in results],
            }
        )
    finally:
        cleanup()
    return 0


def report(runs: list[dict]) -> str:
    from bench import _scale

    lines = [f"machine: {_scale.machine()}", f"database: {runs[0]['database']}", ""]
    for run in runs:
        lines += [
            f"## {run['scale']}: {run['extra']['institutions']} institutions",
            "",
            "| scenario | rows | queries | median ms | p95 ms | raw median ms | app / raw |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for r in run["results"]:
            rr = r["median"] / r["raw_median"] if r["raw_median"] else float("nan")
            lines.append(
                f"| {r['scenario']} | {r['rows']} | {r['queries']} | {r['median']:.1f} | "
                f"{r['p95']:.1f} | {r['raw_median']:.2f} | {rr:.1f}× |"
            )
        for name, ms in run["extra"]["like_scan_ms"].items():
            lines.append(f"| {name} | | 2 | | | {ms:.2f} | |")
        lines.append("")
    if len(runs) > 1:
        first, last = runs[0], runs[-1]
        lines += [
            f"## growth {first['scale']} → {last['scale']}",
            "",
            "| scenario | median | p95 | app / raw |",
            "|---|---|---|---|",
        ]
        for b, r in zip(first["results"], last["results"], strict=True):
            ab = b["median"] / b["raw_median"] if b["raw_median"] else 0
            ar = r["median"] / r["raw_median"] if r["raw_median"] else 0
            lines.append(
                f"| {r['scenario']} | {b['median']:.1f} → {r['median']:.1f} ms "
                f"({_scale.ratio(b['median'], r['median'])}) | "
                f"{b['p95']:.1f} → {r['p95']:.1f} ms ({_scale.ratio(b['p95'], r['p95'])}) | "
                f"{ab:.1f}× → {ar:.1f}× |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from bench import _scale

    parser = argparse.ArgumentParser(
        prog="python -m bench search", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--scales", default=",".join(SCALES))
    parser.add_argument("--requests", type=int, default=50, help="requests per scenario")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", ""),
        help="postgresql://… to measure on PostgreSQL (a temporary database per scale)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args)
    scales = _scale.parse_scales(args.scales, False)
    passed = ["--seed", str(args.seed), "--requests", str(args.requests)]
    if args.database_url:
        passed += ["--database-url", args.database_url]
    runs = _scale.run_children("search", scales, passed)
    print(report(runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
