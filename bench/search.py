"""`python -m bench search`: the public text search, the public list's first and last page,
and the directory's slots sort, last page and q= on the seed's data ([scale] #10 points 5
and 6), at district, city and province scale.

Per scale, in its own process and throw-away database (`bench._scale`: the application's
seed, ending with its own statistics refresh; no ANALYZE here), with Django's test client:

- GET /api/v1/public/institutions?q= a two-character word, two words (托育 + it), a name
  fragment of three characters, a two-character word of an address; and without q, page 1
  and the last page. The words come from the seed's own generators (its brands, its road
  names), chosen at the first scale among those with hits there and passed unchanged to
  the other scales (`choose_words`): every scale searches the same words, and has hits;
- GET /institutions/ (the directory, as 区卫健局) sorted by slots, its last page, and q=.

Baseline ("raw"): the very statements one request ran (SQL and parameters captured from
it: for the public search the one statement that returns the count, the page's rows in
the public order with the columns the API returns, and their classes), replayed N times on
the DB-API cursor of the same connection, same tables, indexes and statistics, fetching
every row — the same rows, the same count and page, the database's share of the request
(`bench.institutions._measure`). Plus, for reference, the scan the search replaced
(`UPPER(name) LIKE '%…%'`, raw), and the growth from the first scale to the last.
Median and p95 over N requests, SQL queries per request, matches (the answer's count).

Done when (issue #10): public search at province scale within 3× of raw, growth ≤ 2×.

    python -m bench search                                  # SQLite, district,city,province
    python -m bench search --database-url postgresql://postgres@127.0.0.1:5432/postgres
    python -m bench search --scales district,province --requests 40
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from urllib.parse import urlencode

SCALES = ("district", "city", "province")


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


def choose_words(given: dict | None = None) -> dict:
    """The query words, from the seed's own generators (`institutions.seeding.BRANDS`, the
    form suffix 托育, `core.names.ROADS`), each with hits among the published institutions
    of the smallest scale: the parent picks them at the first scale and passes the same
    words to the others, so the growth compares the same searches, never an empty answer
    with a full page."""
    from tuoyu.core.names import ROADS
    from tuoyu.institutions.models import Institution
    from tuoyu.institutions.seeding import BRANDS
    from tuoyu.institutions.selectors.public import public_filter

    if given:
        return given
    public = Institution.objects.filter(public_filter())
    names = list(public.values_list("name", flat=True))
    addresses = list(public.values_list("address", flat=True))

    def first(candidates, texts):
        return next((w for w in candidates if any(w in t for t in texts)), None)

    two = first([b for b in BRANDS if len(b) == 2], names)
    three = first([b for b in BRANDS if len(b) >= 3], names)
    road = first([r[:2] for r in ROADS], addresses)
    if not (two and three and road):
        raise SystemExit(f"no words with hits at this scale: {two=} {three=} {road=}")
    return {"two": two, "words": f"托育 {two}", "fragment": three, "address": road}


def measure(requests: int, words: dict) -> tuple[list, dict]:
    from django.test import Client

    from bench.institutions import _measure, staff_client
    from tuoyu.institutions.models import Institution

    public = Client()
    staff = staff_client("weijian")

    def api_rows(r):
        return len(r.json()["results"])

    def page_rows(r):
        return r.content.count(b'<tr class="directory-row"') or r.content.count(b"<tr") - 1

    api = "/api/v1/public/institutions?"
    published = public.get(api).json()["count"]
    last_public = max(1, -(-published // 20))
    results, counts = [], {}
    for scenario, params in (
        ("public q= two-character word", {"q": words["two"]}),
        ("public q= two words", {"q": words["words"]}),
        ("public q= name fragment", {"q": words["fragment"]}),
        ("public q= address word", {"q": words["address"]}),
        ("public no q, page 1", {}),
        ("public no q, last page", {"page": last_public}),
    ):
        url = api + urlencode(params)
        counts[scenario] = public.get(url).json()["count"]
        results.append(_measure(public, scenario, url, requests, api_rows))
    count = Institution.objects.count()
    last = max(1, -(-count // 50))
    for scenario, params in (
        ("directory sort=-slots", {"sort": "-slots"}),
        ("directory sort=slots last page", {"sort": "slots", "page": last}),
        ("directory q= two-character word", {"q": words["two"]}),
    ):
        results.append(
            _measure(staff, scenario, "/institutions/?" + urlencode(params), requests, page_rows)
        )
    like = {
        "public LIKE scan (before), raw": _like_scan_ms(words["two"], requests),
    }
    return results, {
        "institutions": count,
        "published": published,
        "like_scan_ms": like,
        "words": words,
        "counts": counts,
    }


def child(scale: str, args) -> int:
    from bench import _scale

    url, cleanup = _scale.setup_database(args.database_url or None, f"search_{scale}")
    _scale.django_setup(url, scale)
    try:
        _scale.seed(scale, args.seed)
        words = choose_words(json.loads(args.words) if args.words else None)
        results, extra = measure(args.requests, words)
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


def report(runs: list[dict], load: tuple[str, str] = ("?", "?")) -> str:
    import datetime as dt

    from bench import _scale

    words = runs[0]["extra"]["words"]
    lines = [
        f"date: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %z}",
        f"machine: {_scale.machine()}",
        f"database: {runs[0]['database']}",
        f"load average (1, 5, 15 min) at start: {load[0]} · at end: {load[1]}",
        "words (from the seed's generators, hits at every scale): "
        + " · ".join(f"{k}={v}" for k, v in words.items()),
        "",
    ]
    for run in runs:
        extra = run["extra"]
        lines += [
            f"## {run['scale']}: {extra['institutions']} institutions, "
            f"{extra['published']} published",
            "",
            "| scenario | matches | rows | queries | median ms | p95 ms | raw median ms "
            "| app / raw |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in run["results"]:
            rr = r["median"] / r["raw_median"] if r["raw_median"] else float("nan")
            matches = extra["counts"].get(r["scenario"], "")
            lines.append(
                f"| {r['scenario']} | {matches} | {r['rows']} | {r['queries']} | "
                f"{r['median']:.1f} | {r['p95']:.1f} | {r['raw_median']:.2f} | {rr:.1f}× |"
            )
        for name, ms in extra["like_scan_ms"].items():
            lines.append(f"| {name} | | | 2 | | | {ms:.2f} | |")
        lines.append("")
    if len(runs) > 1:
        first, last = runs[0], runs[-1]
        lines += [
            f"## growth {first['scale']} → {last['scale']} (published "
            f"{_scale.ratio(first['extra']['published'], last['extra']['published'])})",
            "",
            "| scenario | median | p95 | raw median | app / raw |",
            "|---|---|---|---|---|",
        ]
        for b, r in zip(first["results"], last["results"], strict=True):
            ab = b["median"] / b["raw_median"] if b["raw_median"] else 0
            ar = r["median"] / r["raw_median"] if r["raw_median"] else 0
            lines.append(
                f"| {r['scenario']} | {b['median']:.1f} → {r['median']:.1f} ms "
                f"({_scale.ratio(b['median'], r['median'])}) | "
                f"{b['p95']:.1f} → {r['p95']:.1f} ms ({_scale.ratio(b['p95'], r['p95'])}) | "
                f"{_scale.ratio(b['raw_median'], r['raw_median'])} | "
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
    parser.add_argument("--quick", action="store_true", help="district and test scale only")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--words", help=argparse.SUPPRESS)  # JSON, from the first scale
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args)
    scales = _scale.parse_scales(args.scales, args.quick)
    requests = args.requests if not args.quick else min(args.requests, 20)
    passed = ["--seed", str(args.seed), "--requests", str(requests)]
    if args.database_url:
        passed += ["--database-url", args.database_url]
    started = _scale.load_average()
    runs = _scale.run_children("search", scales[:1], passed)
    words = json.dumps(runs[0]["extra"]["words"], ensure_ascii=False)
    if scales[1:]:
        runs += _scale.run_children("search", scales[1:], [*passed, "--words", words])
    print(report(runs, load=(started, _scale.load_average())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
