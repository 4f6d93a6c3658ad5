"""Background jobs of the institutions app (declared here, run by tuoyu.jobs)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tuoyu.core.jobs import JobRunContext, periodic_job
from tuoyu.core.scope import HEALTH_BUREAU, Scope, ScopeKind
from tuoyu.institutions.selectors.registration import (
    RegistrationFilters,
    registrations_unfiled,
    registrations_unfiled_summary,
)

# The job reads as 区卫健局 does: it receives every registration (P-REG-11).
DISTRICT_HEALTH = Scope(kind=ScopeKind.DEPARTMENT, department_code=HEALTH_BUREAU)
MAX_LISTED = 200


@periodic_job(
    "institutions.unfiled_reminders",
    schedule="daily",
    at="02:00",
    title=_("已登记未备案提醒"),
    description=_("每天统计已登记但超过备案期限仍未备案的托育机构（P-REG-12）"),
    labels={
        "checked": _("已登记未备案机构"),
        "overdue": _("逾期未备案机构"),
        "deadline_days": _("备案期限（天）"),
        "overdue_institutions": _("逾期未备案机构名单"),
    },
)
def unfiled_reminders(run: JobRunContext) -> None:
    """For the run's day: the registered, not yet filed institutions and those past the
    policy deadline (registration_to_filing_deadline_days), with the oldest overdue names.
    Reads only, so a rerun of the same day simply recomputes it."""
    summary = registrations_unfiled_summary(acting_user=DISTRICT_HEALTH, today=run.day)
    run.set_count("checked", summary["unfiled"])
    run.set_count("overdue", summary["overdue"])
    run.set_result("deadline_days", summary["deadline_days"])
    overdue = registrations_unfiled(
        acting_user=DISTRICT_HEALTH, filters=RegistrationFilters(overdue=True), today=run.day
    )
    names = list(overdue.values_list("name", flat=True)[:MAX_LISTED])
    run.set_result("overdue_institutions", names)
    if summary["overdue"] > len(names):
        run.log(f"逾期机构 {summary['overdue']} 家，名单仅列出最早登记的 {len(names)} 家")
    run.set_progress(1, 1)


# Planner statistics ([scale] point 4). A platform-wide chore that belongs to core
# (`core.db.refresh_statistics`), declared here because core and the jobs app declare no
# jobs of their own (tuoyu.jobs.discovery skips them) and institutions is the lowest app
# that does.
@periodic_job(
    "core.db_optimize",
    schedule="daily",
    at="03:30",
    title=_("刷新数据库统计信息"),
    description=_(
        "每天刷新查询规划器的统计信息（PostgreSQL：ANALYZE；SQLite：PRAGMA optimize），"
        "使列表与检索在数据增长后仍走合适的索引"
    ),
    labels={"analysed_tables": _("新分析的表")},
)
def db_optimize(run: JobRunContext) -> None:
    from tuoyu.core.db import refresh_statistics

    done = refresh_statistics()
    run.set_count("analysed_tables", len(done["analysed"]) if done["vendor"] == "sqlite" else 0)
    run.log(f"统计信息已刷新（{done['vendor']}），用时 {done['seconds']:.2f} 秒")
    run.set_progress(1, 1)
