"""Reads of the job runs with the caller's visibility applied: 区卫健局 and the platform's
operators (`jobs.view_runs`) see every run; anyone else only the runs they asked for (a
report they started); the anonymous nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery

from tuoyu.core.errors import NotFound
from tuoyu.core.jobs import JobSpec, all_jobs, get_job
from tuoyu.jobs import schedule
from tuoyu.jobs.models import JobRun


def job_runs_visible(*, acting_user) -> QuerySet[JobRun]:
    qs = JobRun.objects.all()
    if not getattr(acting_user, "is_authenticated", False) or not acting_user.is_active:
        return qs.none()
    if acting_user.has_perm("jobs.view_runs"):
        return qs
    return qs.filter(requested_by=acting_user)


@dataclass(frozen=True)
class RunFilters:
    job: str = ""
    status: str = ""

    @classmethod
    def from_query(cls, query) -> RunFilters:
        job = (query.get("job") or "").strip()
        status = (query.get("status") or "").strip()
        return cls(
            job=job if get_job(job) is not None else "",
            status=status if status in JobRun.Status.values else "",
        )


def job_runs_list(*, acting_user, filters: RunFilters) -> QuerySet[JobRun]:
    """The visible runs, newest first (by when they were queued)."""
    qs = job_runs_visible(acting_user=acting_user)
    if filters.job:
        qs = qs.filter(job_name=filters.job)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs.select_related("requested_by").order_by("-enqueued_at", "-pk")


def job_run_get(*, acting_user, pk: int) -> JobRun:
    run = job_runs_visible(acting_user=acting_user).select_related("requested_by").filter(pk=pk)
    run = run.first()
    if run is None:
        raise NotFound("任务运行记录不存在或无权查看")
    return run


@dataclass(frozen=True)
class JobRow:
    spec: JobSpec
    schedule: str
    last_run: JobRun | None


def periodic_jobs_overview(*, acting_user) -> list[JobRow]:
    """The registered periodic jobs with their schedule and latest run (one query)."""
    specs = [s for s in all_jobs() if s.is_periodic]
    if not specs or not acting_user.has_perm("jobs.view_runs"):
        return []
    newest = (
        JobRun.objects.filter(job_name=OuterRef("job_name"))
        .order_by("-enqueued_at", "-pk")
        .values("pk")[:1]
    )
    latest = {
        run.job_name: run
        for run in JobRun.objects.filter(job_name__in=[s.name for s in specs], pk=Subquery(newest))
    }
    return [
        JobRow(spec=s, schedule=schedule.describe(s), last_run=latest.get(s.name)) for s in specs
    ]


def job_choices() -> list[tuple[str, str]]:
    return [(s.name, str(s.title)) for s in all_jobs()]


def job_title(name: str) -> str:
    spec = get_job(name)
    return str(spec.title) if spec else name


def run_display(run: JobRun) -> dict:
    """The run's counts and results with their Chinese labels, for the page."""
    spec = get_job(run.job_name)

    def label(key: str) -> str:
        return str(spec.label(key)) if spec else key

    counts = [(label(k), v) for k, v in (run.counts or {}).items()]
    lists, values = [], []
    for key, value in (run.result or {}).items():
        if isinstance(value, list):
            lists.append((label(key), value))
        else:
            values.append((label(key), value))
    return {
        "title": job_title(run.job_name),
        "counts": counts,
        "result_values": values,
        "result_lists": lists,
        "log_lines": run.log.splitlines() if run.log else [],
    }
