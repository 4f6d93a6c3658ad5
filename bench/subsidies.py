"""`python -m bench subsidies`: the entitlements (P-SUB-1, P-SUB-2, P-SUB-3, P-V2023-1) of
every filed institution of the seeded region for one year, computed by the application
(`entitlements_for_year`: four queries, then the rules in Python, version segments and the
largest-remainder allocation included), against ONE hand-written aggregate query of the
same amounts over the same rows, in the same run; both give every institution's total and
the run counts the institutions whose totals differ (must be 0). Also the query count for
the whole region and for 100 institutions (must be equal). A throw-away database is seeded
(regions, accounts, institutions, filings, then the funds-and-titles seed) and dropped.

    python -m bench subsidies [--scale test|district|city|province] [--year 2023]
                              [--repeat 3] [--database-url postgresql://…/x]
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics
import time
from decimal import ROUND_HALF_UP, Decimal

from bench import _scale

# The baseline: per filed institution, in one statement — P-SUB-1 (classes filed in the year
# from the eligibility date, affordable on the filing day or not, kindergarten classes
# excluded), P-SUB-2 as slot-days (Σ capacity × days where a class, a designation, the
# filing and the year overlap; designations never overlap), P-SUB-3 / P-V2023-1 (titles
# conferred in the year: each level once before V2023-1, within it the level's amount
# minus the highest level amount reached by an earlier title, the centre award apart);
# Python only multiplies the slot-days by the rate and rounds once to the fen.
AGGREGATE = """
WITH inst AS (
  SELECT id, filed_on, COALESCE(filing_cancelled_on, %(far)s) AS last_day,
         COALESCE(operating_mode, '') AS mode
  FROM institutions_institution WHERE filed_on IS NOT NULL
),
new_class AS (
  SELECT c.institution_id AS iid,
         SUM(CASE WHEN EXISTS (
               SELECT 1 FROM institutions_affordabledesignation d
                WHERE d.institution_id = c.institution_id AND d.starts_on <= c.filed_on
                  AND (d.ends_on IS NULL OR d.ends_on >= c.filed_on))
             THEN %(nc_aff)s ELSE %(nc_other)s END) AS amount
  FROM institutions_careclass c JOIN inst i ON i.id = c.institution_id
  WHERE c.status <> 'proposed' AND c.filed_on BETWEEN %(ystart)s AND %(yend)s
    AND c.filed_on >= %(eligible)s AND i.mode <> 'kindergarten_class'
  GROUP BY c.institution_id
),
overlap AS (
  SELECT c.institution_id AS iid, c.capacity,
         {GREATEST}(c.filed_on, d.starts_on, i.filed_on, %(ystart)s) AS a,
         {LEAST}(COALESCE({CLOSED_EVE}, %(far)s), COALESCE(d.ends_on, %(far)s), i.last_day,
                 %(yend)s) AS b
  FROM institutions_careclass c
  JOIN inst i ON i.id = c.institution_id
  JOIN institutions_affordabledesignation d ON d.institution_id = c.institution_id
  WHERE c.status <> 'proposed' AND c.filed_on IS NOT NULL
    AND (d.ends_on IS NULL OR d.ends_on >= d.starts_on)
),
slot_days AS (
  SELECT iid, SUM(capacity * ({DAYS} + 1)) AS slot_days FROM overlap WHERE b >= a GROUP BY iid
),
awards AS (
  SELECT t.institution_id AS iid, SUM(
    CASE WHEN t.level = 'comprehensive_centre' THEN
           CASE WHEN t.conferred_on BETWEEN %(v_from)s AND %(v_to)s THEN %(cc_new)s
                ELSE %(cc_old)s END
         WHEN t.conferred_on BETWEEN %(v_from)s AND %(v_to)s THEN
           {GREATEST}({LEVEL_NEW_T} - COALESCE((
             SELECT MAX({LEVEL_T2}) FROM subsidies_demonstrationtitle t2
              WHERE t2.institution_id = t.institution_id AND t2.level <> 'comprehensive_centre'
                AND (t2.conferred_on < t.conferred_on
                     OR (t2.conferred_on = t.conferred_on AND {RANK_T2} < {RANK_T}))), 0), 0)
         ELSE {LEVEL_OLD_T} END) AS amount
  FROM subsidies_demonstrationtitle t JOIN inst i ON i.id = t.institution_id
  WHERE t.conferred_on BETWEEN %(ystart)s AND %(yend)s
  GROUP BY t.institution_id
)
SELECT i.id, COALESCE(n.amount, 0), COALESCE(s.slot_days, 0), COALESCE(w.amount, 0)
FROM inst i
LEFT JOIN new_class n ON n.iid = i.id
LEFT JOIN slot_days s ON s.iid = i.id
LEFT JOIN awards w ON w.iid = i.id
"""


def _level(alias: str, suffix: str) -> str:
    return (
        f"(CASE {alias}.level WHEN 'municipal' THEN %(m_{suffix})s "
        f"WHEN 'provincial' THEN %(p_{suffix})s WHEN 'national' THEN %(n_{suffix})s ELSE 0 END)"
    )


def _sql(vendor: str) -> str:
    rank = "(CASE {a}.level WHEN 'municipal' THEN 1 WHEN 'provincial' THEN 2 ELSE 3 END)"
    both = f"(CASE WHEN t2.conferred_on BETWEEN %(v_from)s AND %(v_to)s THEN {_level('t2', 'new')} ELSE {_level('t2', 'old')} END)"
    parts = {
        "LEVEL_NEW_T": _level("t", "new"),
        "LEVEL_OLD_T": _level("t", "old"),
        "LEVEL_T2": both,
        "RANK_T": rank.format(a="t"),
        "RANK_T2": rank.format(a="t2"),
    }
    if vendor == "sqlite":
        parts |= {
            "GREATEST": "MAX",
            "LEAST": "MIN",
            "CLOSED_EVE": "date(c.closed_on, '-1 day')",
            "DAYS": "CAST(julianday(b) - julianday(a) AS INTEGER)",
        }
    else:
        parts |= {
            "GREATEST": "GREATEST",
            "LEAST": "LEAST",
            "CLOSED_EVE": "(c.closed_on - 1)",
            "DAYS": "(b - a)",
        }
    sql = AGGREGATE
    for key, value in parts.items():
        sql = sql.replace("{" + key + "}", value)
    if vendor == "sqlite":
        sql = re.sub(r"%\((\w+)\)s", r":\1", sql)
    return sql


def _params(year: int, vendor: str) -> dict:
    from tuoyu import policy

    old = policy.at(dt.date(2022, 1, 1)).subsidy
    (v23,) = [v for v in policy.versions() if v.id == "V2023-1"]
    new = policy.at(v23.effective_from).subsidy
    # the baseline hard-codes the shape of the rules; the figures come from policy data
    assert old.demonstration_award_rule == "each_level_once"
    assert new.demonstration_award_rule == "highest_level_difference"
    assert old.operating_per_slot_year_yuan == new.operating_per_slot_year_yuan
    d = {
        "far": dt.date(9999, 12, 31),
        "ystart": dt.date(year, 1, 1),
        "yend": dt.date(year, 12, 31),
        "eligible": old.new_class_eligible_from,
        "nc_aff": old.new_class_affordable_yuan,
        "nc_other": old.new_class_other_yuan,
        "v_from": v23.effective_from,
        "v_to": v23.effective_to,
        "cc_old": old.comprehensive_centre_yuan or 0,
        "cc_new": new.comprehensive_centre_yuan or 0,
    }
    for level in ("municipal", "provincial", "national"):
        d[f"{level[0]}_old"] = old.demonstration_yuan(level) or 0
        d[f"{level[0]}_new"] = new.demonstration_yuan(level) or 0
    if vendor == "sqlite":
        d = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in d.items()}
    return d


def _aggregate(connection, year: int) -> dict[int, Decimal]:
    from tuoyu import policy

    rate = Decimal(policy.at(dt.date(year, 1, 1)).subsidy.operating_per_slot_year_yuan)
    days = (dt.date(year, 12, 31) - dt.date(year, 1, 1)).days + 1
    with connection.cursor() as cur:
        cur.execute(_sql(connection.vendor), _params(year, connection.vendor))
        rows = cur.fetchall()
    fen = Decimal("0.01")
    return {
        pk: Decimal(nc)
        + (Decimal(int(sd)) * rate / days).quantize(fen, rounding=ROUND_HALF_UP)
        + Decimal(aw)
        for pk, nc, sd, aw in rows
    }


def _median(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _seed(scale: str) -> float:
    from django.conf import settings
    from django.core.management import call_command

    from tuoyu.core import seeding
    from tuoyu.subsidies import seeding_funds

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    ctx = seeding.run(
        scale=scale,
        seed=1,
        district_code=settings.TUOYU_DISTRICT_CODE,
        quiet=True,
        only=["regions", "accounts", "institutions", "filings"],
    )
    ctx.rng = ctx.rng_for("subsidies:generate_after_all")
    seeding_funds.generate(ctx)
    return time.perf_counter() - started


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench subsidies")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--scale", default="test")
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    url, cleanup = _scale.setup_database(args.database_url, "subsidies")
    try:
        _scale.django_setup(url, args.scale)
        seed_s = _seed(args.scale)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from tuoyu.institutions.models import AffordableDesignation, CareClass, Institution
        from tuoyu.subsidies.entitlements import entitlements_for_year
        from tuoyu.subsidies.models import DemonstrationTitle

        year = args.year
        app_s, ents = _median(lambda: entitlements_for_year(year=year), args.repeat)
        raw_s, totals = _median(lambda: _aggregate(connection, year), args.repeat)
        with CaptureQueriesContext(connection) as all_q:
            entitlements_for_year(year=year)
        some = sorted(ents)[:100]
        with CaptureQueriesContext(connection) as some_q:
            entitlements_for_year(year=year, institution_ids=some)
        differ = [pk for pk, e in ents.items() if totals.get(pk) != e.total_yuan]
        items = sum(len(e.items) for e in ents.values())
        grand = sum((e.total_yuan for e in ents.values()), Decimal(0))
        print(f"database            {connection.vendor} ({_scale.database_version()})")
        print(f"machine             {_scale.machine()} · load {_scale.load_average()}")
        print(f"seed                {args.scale}: {seed_s:.1f} s")
        print(
            f"rows                {Institution.objects.filter(filed_on__isnull=False).count():,}"
            f" filed institutions · {CareClass.objects.count():,} classes ·"
            f" {AffordableDesignation.objects.count():,} designations ·"
            f" {DemonstrationTitle.objects.count():,} titles"
        )
        print(
            f"entitlements {year}   {len(ents):,} institutions, {items:,} items,"
            f" ¥{grand:,.2f} in {app_s:.3f} s (median of {args.repeat}; goal < 5 s)"
        )
        print(
            f"queries             {len(all_q.captured_queries)} for all,"
            f" {len(some_q.captured_queries)} for {len(some)}"
        )
        print(
            f"one aggregate query {len(totals):,} totals in {raw_s:.3f} s (median of {args.repeat})"
        )
        print(f"time app / raw      {_scale.ratio(raw_s, app_s)}")
        print(f"totals differing    {len(differ)}{' e.g. ' + str(differ[:5]) if differ else ''}")
    finally:
        cleanup()
    return 0
