"""`python -m bench supervision`: the risk scores of every filed institution (P-SUP-4)
recomputed set-based by the application (`risk_recompute`: one grouped query per
contribution, one upsert) over the rows the application's own seed writes (three years of
inspections, orders, complaints and credit events), against ONE hand-written aggregate
query computing the same counts over the same rows, in the same run. Also the public
listing's query count (constant now that supervision fills `credit_rating` and
`last_inspection`). A throw-away database is created and dropped.

    python -m bench supervision [--scale test|district|city|province] [--repeat 5]
                                [--database-url postgresql://postgres@127.0.0.1:5432/x]
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench import _scale

AGGREGATE = """
SELECT i.id,
  (SELECT COUNT(*) FROM supervision_itemresult r
     JOIN supervision_inspection n ON n.id = r.inspection_id
    WHERE r.institution_id = i.id AND r.outcome = 'fail' AND n.performed_on >= %(start)s),
  (SELECT COUNT(*) FROM supervision_rectificationorder o
    WHERE o.institution_id = i.id AND o.status <> 'accepted' AND o.due_on >= %(today)s),
  (SELECT COUNT(*) FROM supervision_rectificationorder o
    WHERE o.institution_id = i.id AND o.status <> 'accepted' AND o.due_on < %(today)s),
  (SELECT COUNT(*) FROM supervision_complaint c
    WHERE c.institution_id = i.id AND c.created_at >= %(start_ts)s
      AND (c.substantiated IS NULL OR c.substantiated)),
  (SELECT MAX(n.performed_on) FROM supervision_inspection n
    WHERE n.institution_id = i.id AND n.status = 'done'),
  (SELECT g.rating FROM supervision_creditrating g WHERE g.institution_id = i.id)
FROM institutions_institution i WHERE i.filing_status = 'filed'
"""


def _median(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _aggregate(connection, today):
    import datetime as dt

    from tuoyu import policy

    start = today - dt.timedelta(policy.at(today).supervision.risk_lookback_days)
    params = {
        "start": start,
        "today": today,
        "start_ts": dt.datetime.combine(start, dt.time(), dt.UTC),
    }
    sql = AGGREGATE
    if connection.vendor == "sqlite":
        sql = sql.replace("%(start)s", ":start").replace("%(today)s", ":today")
        sql = sql.replace("%(start_ts)s", ":start_ts")
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _public_queries() -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        Client().get("/api/v1/public/institutions")
    return len(ctx.captured_queries)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench supervision")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--scale", default="test")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    url, cleanup = _scale.setup_database(args.database_url, "supervision")
    try:
        _scale.django_setup(url, args.scale)
        report = _scale.seed(args.scale)
        from django.db import connection

        from tuoyu import policy
        from tuoyu.institutions import standing
        from tuoyu.institutions.models import Institution
        from tuoyu.supervision.models import (
            Complaint,
            CreditEvent,
            ItemResult,
            RectificationOrder,
        )
        from tuoyu.supervision.services import risk_recompute

        today = policy.today()
        app_s, scored = _median(lambda: risk_recompute(today=today), args.repeat)
        # The same without workforce's `staffing_complete` provider (P-SUP-4 staffing gaps
        # come from workforce's tables, which the aggregate query does not read).
        provider = standing._providers.get("staffing_complete")
        standing.unregister_standing("staffing_complete")
        try:
            bare_s, _n = _median(lambda: risk_recompute(today=today), args.repeat)
        finally:
            if provider:
                standing.register_standing("staffing_complete", provider)
        raw_s, rows = _median(lambda: _aggregate(connection, today), args.repeat)
        print(f"database            {connection.vendor} ({_scale.database_version()})")
        print(f"machine             {_scale.machine()} · load {_scale.load_average()}")
        print(f"seed                {args.scale}: {report.get('wall_seconds', 0):.1f} s")
        print(
            f"rows                {Institution.objects.filter(filing_status='filed').count():,}"
            f" filed institutions · {ItemResult.objects.count():,} checklist results ·"
            f" {RectificationOrder.objects.count():,} orders · {Complaint.objects.count():,}"
            f" complaints · {CreditEvent.objects.count():,} credit events"
        )
        print(f"risk_recompute      {scored:,} scores in {app_s:.3f} s (median of {args.repeat})")
        print(f"one aggregate query {len(rows):,} rows in {raw_s:.3f} s (median of {args.repeat})")
        print(f"  without staffing  {bare_s:.3f} s (staffing_complete provider unregistered)")
        print(f"time app / raw      {_scale.ratio(raw_s, app_s)}")
        print(f"  without staffing  {_scale.ratio(raw_s, bare_s)}")
        print(f"public listing      {_public_queries()} queries for one page")
    finally:
        cleanup()
    return 0
