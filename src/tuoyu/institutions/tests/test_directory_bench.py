"""`python -m bench institutions` builds its data set and measures without error (a tiny
run; the province-scale figures are in bench/RESULTS.md)."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_bench_institutions_runs_on_a_tiny_data_set(settings):
    from bench import institutions as bench

    settings.TUOYU_DISTRICT_CODE = "330703"
    built = bench.build(institutions=50, region="330703", seed=3)
    assert built["institutions"] == 50 and built["townships"] == 11
    assert built["classes"] > 0 and built["filed"] > 0
    results = bench.measure(requests=2)
    by_name = {r.scenario: r for r in results}
    assert by_name["public API · page 1"].rows > 0
    assert by_name["directory · 20/page"].rows == 20
    assert by_name["directory · 50/page"].rows == 50
    assert bench.queries_constant(results)
    assert all(len(r.app_ms) == 2 and len(r.raw_ms) == 2 for r in results)
    text = bench.report(built, results, 2)
    assert "| directory · 100/page |" in text and "constant across 20/50/100 rows: yes" in text
