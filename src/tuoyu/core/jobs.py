"""The registry of background jobs ([house] point 9): domain apps declare their jobs here,
the jobs app (`tuoyu.jobs`) runs them, records every run and shows the runs to 区卫健局.

Domain apps never import tuoyu.jobs. They put their jobs in `<app>/jobs.py`, which the jobs
app imports at start-up (JobsConfig.ready()):

    from tuoyu.core.jobs import periodic_job

    @periodic_job(
        "institutions.unfiled_reminders",
        schedule="daily",
        at="02:00",
        title=_(…),
        labels={"checked": _(…), "overdue": _(…)},
    )
    def unfiled_reminders(run):
        ...
        run.count("checked", 120)
        run.set_result("overdue", ["某某托育有限公司", ...])

A long one-off job (a report, a big import) is declared with `@job(name, title=...)` and
started with `enqueue_job(name, **params)`, which returns the run's id; the job reads
`run.params` and reports `run.set_progress(done, total)`, shown live on the run's page.

Contract of a job function (it receives a `JobRunContext`):

- **Idempotent.** A periodic run is recorded once per (job, period key), e.g. the day
  "2025-03-01": the scheduler never starts the same period twice, and a rerun ("立即运行")
  re-computes into the same record, counts and result starting from zero. Writes a job
  makes must be keyed by the period (unique constraints, upserts), never appended blindly.
- **Short transactions.** The runner does not wrap the job in a transaction: progress and
  counts are visible while it runs, and on SQLite no write lock is held for the whole job.
  A job that writes opens its own `transaction.atomic()` blocks per batch.
- **Failure is a value.** An exception marks the run failed with its message; the next
  period (or a rerun) starts afresh.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

SCHEDULES = ("daily", "weekly", "monthly")
_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_AT = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@runtime_checkable
class JobRunContext(Protocol):
    """What a job function receives: the run it executes."""

    run_id: int
    job_name: str
    #: "2025-03-01" (daily), "2025-W09" (weekly), "2025-03" (monthly); for a one-off run
    #: the key given to enqueue_job or a generated "once:…" token.
    period_key: str
    #: The local (Asia/Shanghai) date the run is for: the scheduled day of a periodic run
    #: (a monthly run on 2025-03-01 is for day 2025-03-01: a snapshot of February uses
    #: `run.day - timedelta(days=1)`), the day of enqueueing for a one-off run.
    day: dt.date
    #: The keyword parameters of enqueue_job (JSON values); {} for periodic runs.
    params: Mapping[str, Any]

    def set_progress(self, done: int, total: int | None = None) -> None:
        """Progress `done` of `total` (shown as a bar; written at most about once a second
        and at the end)."""

    def count(self, name: str, n: int = 1) -> None:
        """Add `n` to the counter `name` (labels for the page come from `labels=`)."""

    def set_count(self, name: str, value: int) -> None:
        """Set the counter `name` to `value`."""

    def set_result(self, key: str, value: Any) -> None:
        """Store a JSON value (a number, a short text, a list of at most a few hundred
        items) in the run's result, shown on the run's page."""

    def log(self, message: str) -> None:
        """Append a line to the run's log (the last lines are kept)."""


JobFunc = Callable[[JobRunContext], Any]


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: JobFunc = field(compare=False)
    title: Any  # a (lazy) Chinese title
    description: Any = ""
    schedule: str | None = None  # None: one-off (started by enqueue_job)
    at: str = "02:00"  # local time (Asia/Shanghai) of a periodic run
    weekday: int = 0  # weekly: 0 = Monday
    day: int = 1  # monthly: day of the month (1–28)
    labels: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def is_periodic(self) -> bool:
        return self.schedule is not None

    @property
    def at_time(self) -> dt.time:
        hours, minutes = self.at.split(":")
        return dt.time(int(hours), int(minutes))

    def label(self, key: str) -> Any:
        return self.labels.get(key, key)


_REGISTRY: dict[str, JobSpec] = {}


def register(spec: JobSpec) -> JobSpec:
    """Add `spec`; registering the same function again (a re-import) is harmless, another
    function under a taken name is an error."""
    if not _NAME.match(spec.name):
        raise ValueError(f"job name {spec.name!r} must look like 'app.job_name'")
    if spec.schedule is not None and spec.schedule not in SCHEDULES:
        raise ValueError(f"job {spec.name}: schedule must be one of {SCHEDULES}")
    if not _AT.match(spec.at):
        raise ValueError(f"job {spec.name}: at={spec.at!r} must be HH:MM")
    if not 0 <= spec.weekday <= 6 or not 1 <= spec.day <= 28:
        raise ValueError(f"job {spec.name}: weekday must be 0–6 and day 1–28")
    old = _REGISTRY.get(spec.name)
    if old is not None and _qualname(old.func) != _qualname(spec.func):
        raise ValueError(f"job {spec.name} is already registered by {_qualname(old.func)}")
    _REGISTRY[spec.name] = spec
    return spec


def _qualname(func) -> str:
    """Where `func` is defined: the same after a module is imported again under its name."""
    code = getattr(func, "__code__", None)
    where = f" ({code.co_filename}:{code.co_firstlineno})" if code else ""
    return f"{getattr(func, '__module__', '')}.{getattr(func, '__qualname__', func)}{where}"


def periodic_job(
    name: str,
    *,
    schedule: str,
    title,
    at: str = "02:00",
    weekday: int = 0,
    day: int = 1,
    description="",
    labels: Mapping[str, Any] | None = None,
) -> Callable[[JobFunc], JobFunc]:
    """Declare a job the scheduler starts once per period: `schedule` "daily" (at `at`),
    "weekly" (on `weekday`, 0 = Monday, at `at`) or "monthly" (on `day`, at `at`)."""

    def decorate(func: JobFunc) -> JobFunc:
        register(
            JobSpec(
                name=name,
                func=func,
                title=title,
                description=description,
                schedule=schedule,
                at=at,
                weekday=weekday,
                day=day,
                labels=dict(labels or {}),
            )
        )
        return func

    return decorate


def job(
    name: str, *, title, description="", labels: Mapping[str, Any] | None = None
) -> Callable[[JobFunc], JobFunc]:
    """Declare a one-off job (a report, a big import) started by `enqueue_job`."""

    def decorate(func: JobFunc) -> JobFunc:
        register(
            JobSpec(
                name=name,
                func=func,
                title=title,
                description=description,
                labels=dict(labels or {}),
            )
        )
        return func

    return decorate


def get_job(name: str) -> JobSpec | None:
    return _REGISTRY.get(name)


def all_jobs() -> list[JobSpec]:
    return sorted(_REGISTRY.values(), key=lambda s: s.name)


def unregister(name: str) -> None:
    """For tests that register throw-away jobs."""
    _REGISTRY.pop(name, None)


# --- starting a run -----------------------------------------------------------------------
# The jobs app installs the function that records and queues a run; core only forwards to it,
# so a domain app can start a job without importing the app above it.

_enqueuer: Callable[..., int] | None = None


def install_enqueuer(func: Callable[..., int]) -> None:
    global _enqueuer
    _enqueuer = func


def enqueue_job(
    name: str, /, *, run_key: str | None = None, rerun: bool = False, actor=None, **params
) -> int:
    """Record a run of job `name` with `params` (JSON values) and queue it for the worker;
    returns the run's id (see its page at /jobs/runs/<id>/).

    `run_key` makes the call idempotent: a second call with the same key returns the first
    run (re-queued only with `rerun=True` and once it has finished). Without a key a
    one-off job gets a fresh run each time and a periodic job the current period's run.
    `actor`: the user who asked for it (shown on the run's page and allowed to see it).
    The run is queued in the caller's transaction: it starts only if that commits.
    """
    if _enqueuer is None:
        raise RuntimeError("tuoyu.jobs is not installed: no job runner to queue the job")
    return _enqueuer(name, run_key=run_key, rerun=rerun, actor=actor, params=params)
