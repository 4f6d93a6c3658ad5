"""Executing one recorded run: claim it, call the job with its context, record the outcome.

`execute_run(run_id)` is what the worker's task calls; tests call it directly. The claim is
one conditional UPDATE (queued → running), so a run whose task was delivered twice runs
once. The job is not wrapped in a transaction (see tuoyu.core.jobs): progress and counts
are written in small autocommitted UPDATEs, at most about once a second.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import traceback
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F
from django.utils import timezone

from tuoyu.core.errors import DomainError
from tuoyu.core.jobs import get_job
from tuoyu.core.observe import count_queries
from tuoyu.jobs.models import JobRun

logger = logging.getLogger("tuoyu.jobs")

FLUSH_SECONDS = 1.0
LOG_LINES = 200
ERROR_CHARS = 2000


def worker_label() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:128]


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, default=str))


class RunContext:
    """The JobRunContext (tuoyu.core.jobs) of one execution."""

    def __init__(self, run: JobRun):
        self.run_id = run.pk
        self.job_name = run.job_name
        self.period_key = run.period_key
        self.day = run.day
        self.params = dict(run.params or {})
        self._done = 0
        self._total: int | None = None
        self._counts: dict[str, int] = {}
        self._result: dict[str, Any] = {}
        self._log: list[str] = []
        self._flushed_at = time.monotonic()

    # --- the protocol ---------------------------------------------------------------------
    def set_progress(self, done: int, total: int | None = None) -> None:
        self._done = max(0, int(done))
        if total is not None:
            self._total = max(0, int(total))
        self.flush(force=self._total is not None and self._done >= self._total)

    def count(self, name: str, n: int = 1) -> None:
        self._counts[name] = self._counts.get(name, 0) + int(n)
        self.flush()

    def set_count(self, name: str, value: int) -> None:
        self._counts[name] = int(value)
        self.flush()

    def set_result(self, key: str, value: Any) -> None:
        self._result[key] = _json(value)

    def log(self, message: str) -> None:
        stamp = timezone.localtime().strftime("%H:%M:%S")
        self._log.append(f"{stamp} {message}")
        del self._log[:-LOG_LINES]
        logger.info("%s %s: %s", self.job_name, self.period_key, message)
        self.flush()

    # --- writing ----------------------------------------------------------------------------
    def _fields(self) -> dict:
        return {
            "progress_done": self._done,
            "progress_total": self._total,
            "counts": dict(self._counts),
            "log": "\n".join(self._log),
            "heartbeat_at": timezone.now(),
        }

    def flush(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._flushed_at < FLUSH_SECONDS:
            return
        self._flushed_at = now
        JobRun.objects.filter(pk=self.run_id).update(**self._fields())

    def finish(self, *, status: str, error: str = "", trace: str = "") -> None:
        fields = self._fields()
        if status == JobRun.Status.SUCCEEDED and self._total is not None:
            fields["progress_done"] = max(self._done, self._total)
        JobRun.objects.filter(pk=self.run_id).update(
            status=status,
            finished_at=timezone.now(),
            result=_json(self._result),
            error=error[:ERROR_CHARS],
            traceback=trace,
            **fields,
        )


def _message(exc: BaseException) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, KeyboardInterrupt | SystemExit):
        return "运行被中断：工作进程在任务完成前停止"
    return f"{type(exc).__name__}: {exc}"


def execute_run(run_id: int) -> dict:
    """Run the queued run `run_id`; returns {"run": id, "outcome": …} where the outcome is
    "succeeded", "failed" or "skipped" (not queued any more: already run or running)."""
    now = timezone.now()
    claimed = JobRun.objects.filter(pk=run_id, status=JobRun.Status.QUEUED).update(
        status=JobRun.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        attempts=F("attempts") + 1,
        worker=worker_label(),
        progress_done=0,
        progress_total=None,
        counts={},
        result={},
        log="",
        error="",
        traceback="",
    )
    if not claimed:
        return {"run": run_id, "outcome": "skipped"}
    run = JobRun.objects.get(pk=run_id)
    ctx = RunContext(run)
    spec = get_job(run.job_name)
    started = time.monotonic()
    with count_queries() as queries:
        try:
            if spec is None:
                raise LookupError(f"任务 {run.job_name} 未注册（代码中已不存在）")
            spec.func(ctx)
        except BaseException as exc:
            logger.exception("job %s %s failed", run.job_name, run.period_key)
            ctx.finish(
                status=JobRun.Status.FAILED, error=_message(exc), trace=traceback.format_exc()
            )
            _log_run(run, "failed", started, queries.n)
            if not isinstance(exc, Exception):
                raise
            return {"run": run_id, "outcome": JobRun.Status.FAILED.value}
        ctx.finish(status=JobRun.Status.SUCCEEDED)
    _log_run(run, "succeeded", started, queries.n)
    return {"run": run_id, "outcome": JobRun.Status.SUCCEEDED.value}


def _log_run(run: JobRun, outcome: str, started: float, queries: int) -> None:
    """[operations] point 6: one record per run, WARNING "slow job" above the threshold."""
    seconds = time.monotonic() - started
    slow = seconds >= settings.TUOYU_SLOW_JOB_SECONDS
    logger.log(
        logging.WARNING if slow else logging.INFO,
        "job %s %s %s in %.1f s, %d queries%s",
        run.job_name,
        run.period_key,
        outcome,
        seconds,
        queries,
        " (slow job)" if slow else "",
        extra={
            "observe": {
                "job": run.job_name,
                "run_id": run.pk,
                "outcome": outcome,
                "duration_ms": round(seconds * 1000, 1),
                "queries": queries,
                "slow": slow,
            }
        },
    )
