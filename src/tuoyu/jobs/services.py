"""Writes of the jobs app: recording and queueing runs (by the scheduler, by 区卫健局's
"立即运行", by a domain app's enqueue_job), and failing runs whose worker died.

A run and its django-tasks row are written in one transaction: a run is never queued
without its task, nor a task without its run.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tuoyu.audit.services import audit_record
from tuoyu.core.errors import DomainError, NotFound, OutOfScope
from tuoyu.core.jobs import JobSpec, all_jobs, get_job
from tuoyu.jobs import schedule
from tuoyu.jobs.catalogue import JobsAction, JobsError
from tuoyu.jobs.models import JobRun, WorkerHeartbeat

logger = logging.getLogger("tuoyu.jobs")


def _actor(user):
    return user if getattr(user, "is_authenticated", False) else None


def _task_alive(run: JobRun) -> bool:
    """Whether the run's django-tasks row can still deliver it to a worker."""
    return DBTaskResult.objects.filter(
        id=run.task_id or None,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    ).exists()


def _send(run: JobRun) -> None:
    from tuoyu.jobs.tasks import run_job

    result = run_job.enqueue(run.pk)
    run.task_id = str(result.id)
    JobRun.objects.filter(pk=run.pk).update(task_id=run.task_id)


@transaction.atomic
def _queue(
    spec: JobSpec,
    *,
    period_key: str,
    day: dt.date,
    trigger: str,
    actor=None,
    params: dict | None = None,
    rerun: bool = False,
) -> tuple[JobRun, bool]:
    """The run of (spec, period_key), created and queued if new; re-queued when `rerun` and
    it has finished (or its queued task was lost). Returns (run, whether it was queued)."""
    now = timezone.now()
    run, created = JobRun.objects.get_or_create(
        job_name=spec.name,
        period_key=period_key,
        defaults={
            "day": day,
            "trigger": trigger,
            "requested_by": _actor(actor),
            "params": params or {},
            "enqueued_at": now,
        },
    )
    if created:
        _send(run)
        return run, True
    if not rerun:
        return run, False
    requeue = {
        "status": JobRun.Status.QUEUED,
        "day": day,
        "trigger": trigger,
        "requested_by": _actor(actor),
        "params": params if params is not None else run.params,
        "enqueued_at": now,
        "started_at": None,
        "finished_at": None,
        "progress_done": 0,
        "progress_total": None,
        "counts": {},
        "result": {},
        "log": "",
        "error": "",
        "traceback": "",
    }
    finished = JobRun.objects.filter(pk=run.pk, status__in=JobRun.FINISHED)
    if not finished.update(**requeue):
        if run.status != JobRun.Status.QUEUED or _task_alive(run):
            return run, False  # already waiting or running: the click is a no-op
        JobRun.objects.filter(pk=run.pk).update(**requeue)
    run.refresh_from_db()
    _send(run)
    return run, True


def job_enqueue(
    name: str, *, run_key: str | None = None, rerun: bool = False, actor=None, params=None
) -> int:
    """tuoyu.core.jobs.enqueue_job: record and queue a run of job `name`; its id."""
    spec = get_job(name)
    if spec is None:
        raise LookupError(f"job {name!r} is not registered")
    now = timezone.now()
    if run_key:
        key, day = run_key, schedule.local_date(now)
    elif spec.is_periodic:
        period = schedule.current_period(spec, now)
        key, day = period.key, period.day
    else:
        key, day = f"once:{uuid.uuid4().hex}", schedule.local_date(now)
    run, _ = _queue(
        spec,
        period_key=key,
        day=day,
        trigger=JobRun.Trigger.PROGRAM,
        actor=actor,
        params=dict(params or {}),
        rerun=rerun,
    )
    return run.pk


@dataclass(frozen=True)
class Enqueued:
    run: JobRun
    queued: bool  # False: a run of this period was already waiting or running


@transaction.atomic
def job_run_enqueue(*, acting_user, name: str, now: dt.datetime | None = None) -> Enqueued:
    """ "立即运行" of 区卫健局: (re)run periodic job `name` for the current period. The same
    period is recorded once: a finished run is re-computed in place, a waiting or running
    one is left alone. Every click is audited."""
    if not acting_user.has_perm("jobs.run_now"):
        raise OutOfScope("只有区卫健局可以立即运行后台任务")
    spec = get_job(name)
    if spec is None:
        raise NotFound("后台任务不存在")
    if not spec.is_periodic:
        raise DomainError(JobsError.JOB_NOT_PERIODIC, field="name")
    period = schedule.current_period(spec, now or timezone.now())
    run, queued = _queue(
        spec,
        period_key=period.key,
        day=period.day,
        trigger=JobRun.Trigger.MANUAL,
        actor=acting_user,
        rerun=True,
    )
    audit_record(
        action=JobsAction.RUN_ENQUEUE,
        actor=acting_user,
        object_type="jobs.jobrun",
        object_id=run.pk,
        object_label=f"{spec.title} {run.period_key}",
        detail={
            "job": spec.name,
            "period_key": run.period_key,
            "queued": queued,
            "rerun": queued and run.attempts > 0,
        },
    )
    return Enqueued(run=run, queued=queued)


def scheduler_tick(*, now: dt.datetime | None = None) -> list[JobRun]:
    """Start every periodic job's latest due period that has no run yet (schedule.due_runs).
    Safe to call from several processes at once: the unique (job, period) key decides."""
    now = now or timezone.now()
    specs = [s for s in all_jobs() if s.is_periodic]
    wanted = {(s.name, schedule.latest_due(s, now).key) for s in specs}
    existing = set(
        JobRun.objects.filter(
            job_name__in=[n for n, _ in wanted], period_key__in=[k for _, k in wanted]
        ).values_list("job_name", "period_key")
    )
    started = []
    for spec, period in schedule.due_runs(specs, now, existing):
        try:
            run, queued = _queue(
                spec, period_key=period.key, day=period.day, trigger=JobRun.Trigger.SCHEDULE
            )
        except IntegrityError:  # another scheduler recorded it first
            continue
        if queued:
            logger.info("scheduled %s %s (run %s)", spec.name, period.key, run.pk)
            started.append(run)
    return started


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def runs_fail_abandoned() -> int:
    """Mark failed the runs left "running" by a worker process of this machine that no
    longer exists (stopped mid-run): their period can then be rerun. Returns how many."""
    host = socket.gethostname()
    abandoned = []
    for pk, worker in JobRun.objects.filter(status=JobRun.Status.RUNNING).values_list(
        "pk", "worker"
    ):
        worker_host, _, pid = worker.rpartition(":")
        if worker_host == host and pid.isdigit() and not _pid_alive(int(pid)):
            abandoned.append(pk)
    if not abandoned:
        return 0
    return JobRun.objects.filter(pk__in=abandoned, status=JobRun.Status.RUNNING).update(
        status=JobRun.Status.FAILED,
        finished_at=timezone.now(),
        error="运行被中断：工作进程在任务完成前停止",
    )


def worker_heartbeat(worker_id: str, *, started_at=None, now: dt.datetime | None = None):
    """[operations] point 4: record that worker `worker_id` is alive (one short write);
    returns its start time. Rows of workers silent for a day are removed."""
    now = now or timezone.now()
    started_at = started_at or now
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id[:64],
        defaults={"host": socket.gethostname()[:128], "beat_at": now, "started_at": started_at},
    )
    WorkerHeartbeat.objects.filter(beat_at__lt=now - dt.timedelta(days=1)).delete()
    return started_at


def worker_last_beat():
    """When any worker last beat, or None."""
    return WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
