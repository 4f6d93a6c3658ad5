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


def one_name() -> str:
    """The full name of one published institution that no other published one contains, at
    this scale (chosen per scale): an answer of one row whatever the size of the table, so
    its growth from district to province is the index's, not the answer's."""
    from tuoyu.institutions.models import Institution
    from tuoyu.institutions.selectors.public import public_filter

    names = list(
        Institution.objects.filter(public_filter()).order_by("pk").values_list("name", flat=True)
    )
    for name in names:
        if sum(name in other for other in names) == 1:
            return name
    raise SystemExit("no published institution with a unique name")


class WsgiClient:
    """Requests through `WSGIHandler` as a WSGI server makes them: `request_started` and
    `request_finished` fire, so `close_old_connections` closes or keeps the connection as
    `CONN_MAX_AGE` says (Django's test client disconnects it and never reconnects). Counts
    the connections opened."""

    def __init__(self):
        from django.core.handlers.wsgi import WSGIHandler
        from django.db.backends.signals import connection_created
        from django.test import RequestFactory

        self.handler, self.factory, self.connections = WSGIHandler(), RequestFactory(), 0
        connection_created.connect(self._opened, weak=False)

    def _opened(self, **kwargs):
        self.connections += 1

    def close(self):
        from django.db.backends.signals import connection_created

        connection_created.disconnect(self._opened)

    def get(self, url: str):
        from types import SimpleNamespace

        path, _, query = url.partition("?")
        environ = self.factory._base_environ(
            PATH_INFO=path, QUERY_STRING=query, REQUEST_METHOD="GET"
        )
        status: list[str] = []
        body = self.handler(environ, lambda s, headers, *a: status.append(s))
        try:
            content = b"".join(body)
        finally:
            body.close()  # request_finished: close_old_connections
        return SimpleNamespace(
            status_code=int(status[0].split()[0]),
            content=content,
            json=lambda: json.loads(content),
        )


def explain(client, url: str) -> list[str]:
    """The plan of the statements one request runs: EXPLAIN (ANALYZE, BUFFERS) on
    PostgreSQL, EXPLAIN QUERY PLAN on SQLite (where the growth of a search comes from)."""
    from django.db import connection

    from bench.institutions import _Recorder

    recorder = _Recorder()
    with connection.execute_wrapper(recorder):
        client.get(url)
    lines = []
    for sql, params in recorder.statements:
        if connection.vendor == "postgresql":
            prefix = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) "
        else:
            prefix = "EXPLAIN QUERY PLAN "
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql, params)
            lines += [str(row[-1]) for row in cursor.fetchall()]
        lines.append("--")
    return lines


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
        ("public q= one institution's name", {"q": words["one"]}),
        ("public no q, page 1", {}),
        ("public no q, last page", {"page": last_public}),
    ):
        url = api + urlencode(params)
        counts[scenario] = public.get(url).json()["count"]
        results.append(_measure(public, scenario, url, requests, api_rows))
    # The deployed request path (WSGI handler): the connection closed after every request
    # (CONN_MAX_AGE=0, the default before [scale]) against kept (the settings' default, 60 s,
    # with health checks), same word, same process.
    from django.db import connection

    url = api + urlencode({"q": words["two"]})
    opened = {}
    configured = connection.settings_dict["CONN_MAX_AGE"]
    for label, age in (("closed after each request", 0), ("kept", configured or 60)):
        connection.close()
        connection.settings_dict["CONN_MAX_AGE"] = age
        wsgi = WsgiClient()
        scenario = f"public q= two-character word, WSGI, connection {label} (CONN_MAX_AGE={age})"
        counts[scenario] = counts["public q= two-character word"]
        results.append(_measure(wsgi, scenario, url, requests, api_rows))
        opened[scenario] = wsgi.connections
        wsgi.close()
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = configured
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
    plans = {
        "two-character word": explain(public, api + urlencode({"q": words["two"]})),
        "one institution's name": explain(public, api + urlencode({"q": words["one"]})),
    }
    like = {
        "public LIKE scan (before), raw": _like_scan_ms(words["two"], requests),
    }
    return results, {
        "institutions": count,
        "published": published,
        "like_scan_ms": like,
        "words": words,
        "counts": counts,
        "plans": plans,
        "wsgi_connections_opened": opened,
        "wsgi_requests": requests + 2,
        "conn_max_age": connection_settings(),
    }


def connection_settings() -> str:
    from django.db import connection

    s = connection.settings_dict
    return f"CONN_MAX_AGE={s['CONN_MAX_AGE']} CONN_HEALTH_CHECKS={s['CONN_HEALTH_CHECKS']}"


def child(scale: str, args) -> int:
    from bench import _scale

    url, cleanup = _scale.setup_database(args.database_url or None, f"search_{scale}")
    _scale.django_setup(url, scale)
    try:
        _scale.seed(scale, args.seed)
        words = dict(choose_words(json.loads(args.words) if args.words else None))
        words["one"] = one_name()  # per scale: one match at every scale
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

    words = {k: v for k, v in runs[0]["extra"]["words"].items() if k != "one"}
    lines = [
        f"date: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %z}",
        f"machine: {_scale.machine()}",
        f"database: {runs[0]['database']}",
        f"load average (1, 5, 15 min) at start: {load[0]} · at end: {load[1]}",
        "words (from the seed's generators, hits at every scale): "
        + " · ".join(f"{k}={v}" for k, v in words.items()),
        "one institution's name, per scale: "
        + " · ".join(f"{r['scale']}={r['extra']['words']['one']}" for r in runs),
        "connections (settings): "
        + " · ".join(f"{r['scale']}: {r['extra']['conn_max_age']}" for r in runs),
        *(
            f"connections opened by the WSGI scenarios ({r['scale']}, "
            f"{r['extra']['wsgi_requests']} requests each): "
            + " · ".join(
                f"{k.split('connection ')[-1]}: {v}"
                for k, v in r["extra"]["wsgi_connections_opened"].items()
            )
            for r in runs
        ),
        "",
    ]
    for run in runs:
        extra = run["extra"]
        lines += [
            f"## {run['scale']}: {extra['institutions']} institutions, "
            f"{extra['published']} published",
            "",
            "| scenario | matches | of published | rows | queries | median ms | p95 ms "
            "| raw median ms | raw µs / match | app / raw |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in run["results"]:
            rr = r["median"] / r["raw_median"] if r["raw_median"] else float("nan")
            matches = extra["counts"].get(r["scenario"], "")
            share = f"{matches / extra['published']:.1%}" if matches != "" else ""
            per = f"{r['raw_median'] * 1000 / matches:.1f}" if matches else ""
            lines.append(
                f"| {r['scenario']} | {matches} | {share} | {r['rows']} | {r['queries']} | "
                f"{r['median']:.1f} | {r['p95']:.1f} | {r['raw_median']:.2f} | {per} | {rr:.1f}× |"
            )
        for name, ms in extra["like_scan_ms"].items():
            lines.append(f"| {name} | | | | 2 | | | {ms:.2f} | | |")
        lines.append("")
        for name, plan in extra.get("plans", {}).items():
            lines += [f"plan of q= {name} ({run['scale']}):", ""]
            lines += [f"    {line}" for line in plan]
            lines.append("")
    if len(runs) > 1:
        first, last = runs[0], runs[-1]
        lines += [
            f"## growth {first['scale']} → {last['scale']} (published "
            f"{_scale.ratio(first['extra']['published'], last['extra']['published'])})",
            "",
            "| scenario | matches | median | p95 | raw median | app / raw |",
            "|---|---|---|---|---|---|",
        ]
        for b, r in zip(first["results"], last["results"], strict=True):
            mb = first["extra"]["counts"].get(b["scenario"])
            mr = last["extra"]["counts"].get(r["scenario"])
            grown = f"{mb} → {mr} ({_scale.ratio(mb, mr)})" if mb is not None else ""
            ab = b["median"] / b["raw_median"] if b["raw_median"] else 0
            ar = r["median"] / r["raw_median"] if r["raw_median"] else 0
            lines.append(
                f"| {r['scenario']} | {grown} | {b['median']:.1f} → {r['median']:.1f} ms "
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
