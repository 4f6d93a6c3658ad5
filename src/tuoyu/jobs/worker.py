"""The worker and scheduler loop of `tuoyu jobs_run`, one process beside the web server.

Each turn: every `schedule_every` seconds the scheduler records and queues the periodic
runs that fell due; then the worker takes one ready django-tasks row (django-tasks-db's
own claim and run code) and runs it. On SQLite the worker first looks with a plain read,
so an idle worker takes no write lock; the claim itself is one short exclusive
transaction, and the job runs outside any transaction.
"""

from __future__ import annotations

import logging
import signal
import sys
import time

from django.db import OperationalError, close_old_connections
from django.utils.crypto import get_random_string
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from tuoyu.jobs.services import runs_fail_abandoned, scheduler_tick, worker_heartbeat

logger = logging.getLogger("tuoyu.jobs")


def _worker(worker_id: str, backend: str, queues: list[str]) -> Worker:
    return Worker(
        queue_names=queues,
        interval=0,
        batch=True,
        backend_name=backend,
        startup_delay=False,
        max_tasks=1,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def worker_run_once(
    *,
    worker_id: str | None = None,
    backend: str = DEFAULT_TASK_BACKEND_ALIAS,
    queues: list[str] | None = None,
) -> bool:
    """Claim and run one ready task; False when there was none (or the database was busy)."""
    queues = queues or [DEFAULT_TASK_QUEUE_NAME]
    worker_id = worker_id or get_random_string(32)
    tasks = DBTaskResult.objects.ready().filter(backend_name=backend, queue_name__in=queues)
    if not tasks.exists():
        return False
    try:
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(worker_id)
    except OperationalError as exc:
        if is_locked_database_exception(exc):
            return False
        raise
    if task_result is None:
        return False
    _worker(worker_id, backend, queues).run_task(task_result)
    return True


class Loop:
    """Worker + scheduler until SIGTERM/SIGINT/SIGHUP, which stop it at once: a job running
    then is recorded as interrupted (failed)."""

    def __init__(
        self,
        *,
        interval: float = 1.0,
        schedule_every: float = 30.0,
        scheduler: bool = True,
        worker_id: str | None = None,
    ):
        self.interval = interval
        self.schedule_every = schedule_every
        self.scheduler = scheduler
        self.worker_id = worker_id or get_random_string(32)
        self.running = True
        self._scheduled_at: float | None = None
        self._beat_at: float | None = None
        self._started = None

    def stop(self, signum, frame) -> None:
        # Jobs are idempotent, so stopping one midway is safe: its run is recorded as
        # interrupted (failed) and its period can be rerun.
        logger.info("jobs_run: stopping (%s)", signal.strsignal(signum))
        self.running = False
        sys.exit(0)

    def install_signals(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT, getattr(signal, "SIGHUP", None)):
            if sig is not None:
                signal.signal(sig, self.stop)

    def turn(self) -> bool:
        """One turn; whether a task ran."""
        close_old_connections()
        now = time.monotonic()
        # [operations] point 4: the beat /readyz looks for, about every `schedule_every`.
        if self._beat_at is None or now - self._beat_at >= self.schedule_every:
            self._beat_at = now
            self._started = worker_heartbeat(self.worker_id, started_at=self._started)
        if self.scheduler and (
            self._scheduled_at is None or now - self._scheduled_at >= self.schedule_every
        ):
            self._scheduled_at = now
            runs_fail_abandoned()
            scheduler_tick()
        ran = worker_run_once(worker_id=self.worker_id)
        close_old_connections()
        return ran

    def run(self, *, once: bool = False) -> None:
        logger.info("jobs_run: worker %s started", self.worker_id)
        runs_fail_abandoned()
        while self.running:
            pause = self.interval
            try:
                ran = self.turn()
            except OperationalError as exc:  # a busy or restarting database: try again
                logger.warning("jobs_run: database error %s", exc)
                ran, pause = False, max(self.interval, 5.0)
            except Exception:  # keep serving the queue; the error is in the log
                logger.exception("jobs_run: scheduler or worker error")
                ran, pause = False, max(self.interval, 5.0)
            if once and not ran:
                return
            if self.running and not ran:
                time.sleep(pause)
