"""Running a declared job's function in the test's own transaction, without the jobs app's
worker (domain apps' tests may not import tuoyu.jobs): an in-memory JobRunContext. Test
support, above every floor like tests/factories."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tuoyu.core import jobs


@dataclass
class InlineRun:
    """The part of a `core.jobs.JobRunContext` a job function uses, kept in memory."""

    day: dt.date
    job_name: str
    run_id: int = 0
    period_key: str = ""
    params: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)
    results: dict = field(default_factory=dict)

    def set_progress(self, done, total=None):
        pass

    def count(self, name, n=1):
        self.counts[name] = self.counts.get(name, 0) + n

    def set_count(self, name, value):
        self.counts[name] = value

    def set_result(self, key, value):
        self.results[key] = value

    def log(self, message):
        pass


def run_job(name: str, day: dt.date) -> InlineRun:
    run = InlineRun(day=day, job_name=name)
    jobs.get_job(name).func(run)
    return run
