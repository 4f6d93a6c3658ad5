"""Background jobs of children (declared here, run by tuoyu.jobs)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from tuoyu.children.ears import BASELINE_DAYS, GUARD_DAYS, ears
from tuoyu.children.models import SYMPTOMS, HealthCheck
from tuoyu.core.jobs import JobRunContext, periodic_job

# C3 needs the C2 of the last 3 days, each with a 2-day guard band and a 7-day baseline.
SPAN_DAYS = BASELINE_DAYS + GUARD_DAYS + 3


def township_symptom_series(day: dt.date) -> dict[tuple[int, str], list[int]]:
    """(township id, symptom) → children with that symptom per day, the SPAN_DAYS days up to
    `day` (oldest first), from the district's checks (one aggregate query)."""
    start = day - dt.timedelta(days=SPAN_DAYS - 1)
    counts: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0] * SPAN_DAYS)
    rows = (
        HealthCheck.objects.filter(date__range=(start, day))
        .exclude(symptoms="")
        .values("institution__township_id", "symptoms", "date")
        .annotate(children=Count("child_id", distinct=True))
    )
    for r in rows:
        for s in r["symptoms"].split(","):
            if s in SYMPTOMS:
                counts[(r["institution__township_id"], s)][(r["date"] - start).days] += r[
                    "children"
                ]
    return dict(counts)


@periodic_job(
    "children.ears_daily",
    schedule="daily",
    at="06:00",
    title=_("症状异常升高监测（EARS C1–C3）"),
    description=_(
        "每天按镇乡街道和症状统计晨午检病例数，用美国疾控中心 EARS C1、C2、C3 方法与各自近期基线比较，"
        "标出异常升高（P-HC-6、P-SUP-4）"
    ),
    labels={
        "series": _("镇乡街道×症状序列"),
        "signals": _("异常升高信号"),
        "signal_list": _("信号明细"),
    },
)
def ears_daily(run: JobRunContext) -> None:
    """Reads only: a rerun of the same day recomputes the same signals."""
    from tuoyu.regions.models import Region

    series = township_symptom_series(run.day)
    names = dict(Region.objects.filter(level=Region.Level.TOWNSHIP).values_list("pk", "name"))
    signals = []
    for (township_id, symptom), counts in sorted(series.items()):
        for s in ears(counts):
            if s.flagged:
                signals.append(
                    {
                        "township": names.get(township_id, str(township_id)),
                        "symptom": symptom,
                        "method": s.method,
                        "statistic": round(s.statistic, 2),
                        "cases_today": counts[-1],
                    }
                )
    run.set_count("series", len(series))
    run.set_count("signals", len(signals))
    run.set_result("signal_list", signals[:200])
    run.set_progress(1, 1)


@periodic_job(
    "children.vaccination_recheck",
    schedule="monthly",
    day=1,
    at="03:00",
    title=_("年底预防接种证复查提醒"),
    description=_(
        "每年 12 月标出需补种、须在 12 月 31 日前复查预防接种证的在托儿童，列入各机构的在托儿童页面（P-HC-4）"
    ),
    labels={"year": _("年度"), "due": _("待复查儿童"), "marked": _("本次新标记")},
)
def vaccination_recheck(run: JobRunContext) -> None:
    """P-HC-4: acts in the year-end month only (other months it records that); rerun-safe."""
    from tuoyu.children.services.vaccination import (
        RECHECK_MONTH,
        recheck_due,
        vaccination_rechecks_mark,
    )

    run.set_result("year", run.day.year)
    if run.day.month != RECHECK_MONTH:
        run.set_count("due", 0)
        run.set_count("marked", 0)
        run.set_progress(1, 1)
        return
    run.set_count("due", recheck_due(run.day.year).count())
    run.set_count("marked", len(vaccination_rechecks_mark(year=run.day.year)))
    run.set_progress(1, 1)


@periodic_job(
    "children.healthcheck_partitions",
    schedule="daily",
    at="00:30",
    title=_("晨午检记录月分区维护"),
    description=_(
        "在 PostgreSQL 上为晨午检记录提前建好本月和下月的分区，并把落入默认分区的记录移入各自月份的分区"
        "（SQLite 无需分区）"
    ),
    labels={
        "created": _("新建月分区"),
        "months": _("新建分区的月份"),
        "left_in_default": _("仍在默认分区的记录"),
    },
)
def healthcheck_partitions(run: JobRunContext) -> None:
    """[children] #12: the partitions exist before the rows of a month arrive, so a batch
    pays no DDL; a month whose rows landed in the DEFAULT partition (no partition yet when
    they came) gets its partition and the rows. Rerun-safe: an existing month is left."""
    from django.db import connection

    from tuoyu.children.services.health_checks import (
        DEFAULT_PARTITION,
        healthcheck_partitions_ensure,
        month_after,
        month_of,
    )

    months = {month_of(run.day), month_after(month_of(run.day))}
    left = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT DISTINCT date_trunc('month', date)::date FROM {DEFAULT_PARTITION}"
            )
            months |= {r[0] for r in cursor.fetchall()}
    created = healthcheck_partitions_ensure(months=months, refresh=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {DEFAULT_PARTITION}")
            left = cursor.fetchone()[0]
    run.set_count("created", len(created))
    run.set_count("left_in_default", left)
    run.set_result("months", [f"{m:%Y-%m}" for m in created])
    run.set_progress(1, 1)
