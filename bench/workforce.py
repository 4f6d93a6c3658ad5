"""`python -m bench workforce`: the lifetime-ban check and the roster upload at scale.

Per scale, in its own process and throw-away database: `tuoyu seed --scale <scale>` (at
province scale 100,000 staff and 1,000 bans), then:

- the ban check of a 500-row roster upload (`services.bans_in_force` on the rows' blind
  indexes) against the raw indexed lookup of the same 500 indexes on the DB-API cursor, in
  the same run: the ratio (goal ≤ 3×);
- the roster upload end to end (`services.staff_import`: parse, validate, ban check, write,
  audit) in rows/s, against a raw bulk insert (`core.bulk.bulk_insert`) of the same persons
  and employments;
- the district list of compliance gaps (as 区卫健局): its SQL queries (constant) and time.

    python -m bench workforce                      # SQLite, province
    python -m bench workforce --quick              # district and the small test scale
    python -m bench workforce --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import time

ROWS = 500
REPEAT = 7


def _ids(n: int, start: int) -> list[str]:
    from tuoyu.core.identifiers import make_id_number

    out = []
    for i in range(n):
        born = dt.date(1975, 1, 1) + dt.timedelta(days=(start + i) % 9000)
        out.append(make_id_number("330783", born, (start + i) // 9000))
    return out


def _ban_check(ids: list[str]) -> dict:
    from django.db import connection

    from tuoyu.core.personal import personal_lookup
    from tuoyu.workforce.models import Ban
    from tuoyu.workforce.services import bans_in_force

    indexes = [personal_lookup("id_number", v) for v in ids]
    banned = list(
        Ban.objects.filter(status="in_force").values_list("id_number_index", flat=True)[:20]
    )
    indexes[: len(banned)] = banned
    app, raw = [], []
    marks = ", ".join(["%s"] * len(indexes))
    sql = f"SELECT id, id_number_index FROM workforce_ban WHERE status = 'in_force' AND id_number_index IN ({marks})"
    for _ in range(REPEAT):
        t = time.perf_counter()
        found = bans_in_force(indexes)
        app.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, indexes)
            rows = cursor.fetchall()
        raw.append((time.perf_counter() - t) * 1000)
    assert len(found) == len(rows) == len(banned)
    a, r = statistics.median(app), statistics.median(raw)
    return {"ban_check_ms": a, "raw_lookup_ms": r, "ratio": a / r if r else float("nan")}


def _workbook(ids: list[str]) -> io.BytesIO:
    from openpyxl import Workbook

    from tuoyu.workforce.excel_roster import DATA_SHEET_TITLE, HEADERS

    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET_TITLE
    ws.append(list(HEADERS))
    for n, value in enumerate(ids):
        ws.append(
            [
                f"员工{n}",
                value,
                "保育人员",
                "",
                "2024-03-01",
                "专职",
                "",
                "大专",
                "健康合格证",
                f"JK{n}",
                "2024-01-01",
                "2024-12-31",
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "roster.xlsx"
    return out


def _upload(institutions) -> dict:
    from django.db import transaction

    from tuoyu.accounts.models import User
    from tuoyu.core.bulk import bulk_insert
    from tuoyu.core.personal import mask
    from tuoyu.workforce.models import Person, StaffMember
    from tuoyu.workforce.services import staff_import

    app, raw = [], []
    for k, inst in enumerate(institutions[:3]):
        user = User.objects.filter(institution=inst).first()
        ids = _ids(ROWS, 100_000 + k * ROWS * 2)
        t = time.perf_counter()
        staff_import(acting_user=user, institution=inst, file=_workbook(ids))
        app.append(time.perf_counter() - t)
        other = _ids(ROWS, 100_000 + k * ROWS * 2 + ROWS)
        t = time.perf_counter()
        with transaction.atomic():
            persons = [
                Person(
                    name=f"员工{n}",
                    id_number=v,
                    id_number_masked=mask("id_number", v),
                    birth_date=dt.date(1980, 1, 1),
                )
                for n, v in enumerate(other)
            ]
            bulk_insert(Person, persons)
            pk = dict(
                Person.objects.filter(
                    id_number_index__in=[p.id_number_index for p in persons]
                ).values_list("id_number_index", "pk")
            )
            bulk_insert(
                StaffMember,
                (
                    StaffMember(
                        institution=inst,
                        person_id=pk[p.id_number_index],
                        name=p.name,
                        role="caregiver",
                        hired_on=dt.date(2024, 3, 1),
                    )
                    for p in persons
                ),
            )
        raw.append(time.perf_counter() - t)
    a, r = statistics.median(app), statistics.median(raw)
    return {"upload_rows_per_s": ROWS / a, "raw_rows_per_s": ROWS / r, "upload_vs_raw": a / r}


def _gaps() -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tuoyu.core.scope import HEALTH_BUREAU, Scope, ScopeKind
    from tuoyu.workforce.selectors import district_gaps

    scope = Scope(kind=ScopeKind.DEPARTMENT, department_code=HEALTH_BUREAU)
    t = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        rows = district_gaps(acting_user=scope)
    return {
        "gaps_ms": (time.perf_counter() - t) * 1000,
        "gaps_queries": len(ctx),
        "institutions_with_gaps": len(rows),
    }


def child(scale: str, database_url: str | None) -> None:
    from bench import _scale

    url, cleanup = _scale.setup_database(database_url, f"wf_{scale}")
    try:
        _scale.django_setup(url, scale)
        report = _scale.seed(scale)
        from tuoyu.institutions.models import Institution
        from tuoyu.workforce.models import Ban, StaffMember

        institutions = list(Institution.objects.filter(filing_status="filed").order_by("pk")[:3])
        result = {
            "staff": StaffMember.objects.count(),
            "bans": Ban.objects.count(),
            "seed_seconds": report["wall_seconds"],
            **_ban_check(_ids(ROWS, 10_000)),
            **_upload(institutions),
            **_gaps(),
        }
        _scale.emit(result)
    finally:
        cleanup()


def main(argv: list[str] | None = None) -> int:
    from bench import _scale

    parser = argparse.ArgumentParser(
        prog="python -m bench workforce", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--scales", default="province")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--database-url")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.database_url)
        return 0
    passed = ["--database-url", args.database_url] if args.database_url else []
    scales = _scale.parse_scales(args.scales, args.quick)
    print(_scale.machine())
    print(
        f"{'scale':10} {'staff':>8} {'bans':>6} {'ban ms':>8} {'raw ms':>8} {'ratio':>6} {'up r/s':>8} {'raw r/s':>8} {'gaps q':>7} {'gaps ms':>8}"
    )
    for r in _scale.run_children("workforce", scales, passed):
        print(
            f"{r['scale']:10} {r['staff']:>8} {r['bans']:>6} {r['ban_check_ms']:>8.2f} {r['raw_lookup_ms']:>8.2f} "
            f"{r['ratio']:>6.2f} {r['upload_rows_per_s']:>8.0f} {r['raw_rows_per_s']:>8.0f} {r['gaps_queries']:>7} {r['gaps_ms']:>8.0f}"
        )
    return 0
