"""`python -m bench institutions` measures on the seed's data without error (a tiny run,
the demo district; the figures per scale are in bench/RESULTS.md)."""

from __future__ import annotations

import datetime as dt

import pytest


@pytest.mark.django_db
def test_bench_institutions_runs_on_the_seeds_data(settings):
    from bench import institutions as bench
    from tuoyu.core import seeding

    settings.TUOYU_DISTRICT_CODE = "330703"
    ctx = seeding.run(
        scale="district", seed=1, district_code="330703", today=dt.date(2026, 6, 30), quiet=True
    )
    data = bench.data_summary(ctx.shared["report"])
    assert data["institutions"] == 30 and data["townships"] == 11 and data["filed"] > 0
    results = bench.measure(requests=2)
    by_name = {r.scenario: r for r in results}
    assert by_name["public API · page 1"].rows > 0
    assert by_name["directory · 20/page"].rows == 20
    assert by_name["directory · 50/page"].rows == 30
    assert bench.queries_constant(results)
    assert all(len(r.app_ms) == 2 and len(r.raw_ms) == 2 for r in results)
    run = {
        "scale": "district",
        "data": data,
        "database": "test",
        "requests": 2,
        "constant": True,
        "results": [
            {
                "scenario": r.scenario,
                "queries": r.queries,
                "rows": r.rows,
                "median": r.median,
                "p95": r.p95,
                "raw_median": r.raw_median,
                "raw_p95": r.raw_p95,
            }
            for r in results
        ],
    }
    text = bench.report([run, run])
    assert "| directory · 100/page |" in text and "constant across 20/50/100 rows: yes" in text
    assert "growth district → district" in text
