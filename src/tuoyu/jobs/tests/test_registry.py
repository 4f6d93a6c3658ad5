"""The registry in tuoyu.core.jobs and its discovery by the jobs app."""

import pytest

from tuoyu.core import jobs as registry
from tuoyu.jobs.discovery import autodiscover_jobs


def test_discovery_imports_every_tuoyu_apps_jobs_module():
    found = autodiscover_jobs()
    assert "tuoyu.institutions.jobs" in found
    assert not any(name.startswith(("tuoyu.core.", "tuoyu.jobs.")) for name in found)
    spec = registry.get_job("institutions.unfiled_reminders")
    assert spec is not None
    assert spec.is_periodic and spec.schedule == "daily" and spec.at == "02:00"
    assert str(spec.title) == "已登记未备案提醒"


def test_rediscovery_is_harmless():
    before = [s.name for s in registry.all_jobs()]
    autodiscover_jobs()
    assert [s.name for s in registry.all_jobs()] == before


def test_a_taken_name_with_another_function_is_refused(temp_jobs):
    temp_jobs.periodic("tests.taken", lambda run: None)
    with pytest.raises(ValueError, match="already registered"):
        registry.periodic_job("tests.taken", schedule="daily", title="x")(lambda run: 1)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("NoDot", {"schedule": "daily"}),
        ("tests.bad_schedule", {"schedule": "hourly"}),
        ("tests.bad_at", {"schedule": "daily", "at": "25:00"}),
        ("tests.bad_day", {"schedule": "monthly", "day": 31}),
    ],
)
def test_bad_declarations_are_refused(name, kwargs):
    with pytest.raises(ValueError):
        registry.periodic_job(name, title="x", **kwargs)(lambda run: None)
    assert registry.get_job(name) is None


def test_one_off_jobs_are_not_periodic(temp_jobs):
    spec = temp_jobs.once("tests.report", lambda run: None)
    assert not spec.is_periodic


def test_the_runner_context_satisfies_the_protocol(db):
    import datetime as dt

    from tuoyu.jobs.models import JobRun
    from tuoyu.jobs.runner import RunContext

    run = JobRun(pk=1, job_name="tests.x", period_key="k", day=dt.date(2025, 3, 1))
    assert isinstance(RunContext(run), registry.JobRunContext)
