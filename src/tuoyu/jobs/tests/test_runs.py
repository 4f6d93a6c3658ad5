"""Recording, running and re-running jobs: counts, idempotency, failures, progress, and
the real path through django-tasks' database backend and its worker."""

import datetime as dt
import os
import socket
import zoneinfo

import pytest
from django_tasks_db.models import DBTaskResult

from tuoyu.core.errors import DomainError
from tuoyu.core.jobs import enqueue_job
from tuoyu.jobs import runner
from tuoyu.jobs.models import JobRun
from tuoyu.jobs.runner import execute_run
from tuoyu.jobs.services import job_enqueue, runs_fail_abandoned, scheduler_tick
from tuoyu.jobs.worker import Loop, worker_run_once

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2025, 3, 2, 8, 0, tzinfo=SH)


@pytest.fixture
def counter(temp_jobs):
    calls = []

    def count_things(run):
        calls.append(run.period_key)
        run.count("seen", 2)
        run.count("seen")
        run.set_count("flagged", 1)
        run.set_result("names", ["甲托育园"])
        run.log("完成")

    temp_jobs.periodic("tests.counter", count_things, labels={"seen": "检查数"})
    return calls


def runs_of(name):
    return JobRun.objects.filter(job_name=name)


@pytest.mark.django_db
def test_a_run_is_recorded_with_its_counts_and_result(counter):
    run_id = job_enqueue("tests.counter")
    run = JobRun.objects.get(pk=run_id)
    assert run.status == JobRun.Status.QUEUED and run.trigger == JobRun.Trigger.PROGRAM
    assert DBTaskResult.objects.filter(id=run.task_id, status="READY").exists()

    assert execute_run(run_id) == {"run": run_id, "outcome": "succeeded"}
    run.refresh_from_db()
    assert run.status == JobRun.Status.SUCCEEDED
    assert run.counts == {"seen": 3, "flagged": 1}
    assert run.result == {"names": ["甲托育园"]}
    assert run.started_at <= run.finished_at and run.attempts == 1
    assert "完成" in run.log and run.worker.endswith(f":{os.getpid()}")


@pytest.mark.django_db
def test_the_scheduler_records_a_period_once(counter):
    first = scheduler_tick(now=NOW)
    tasks = DBTaskResult.objects.count()
    second = scheduler_tick(now=NOW + dt.timedelta(minutes=5))
    assert [r.period_key for r in first if r.job_name == "tests.counter"] == ["2025-03-02"]
    assert not [r for r in second if r.job_name == "tests.counter"]
    assert runs_of("tests.counter").count() == 1
    run = runs_of("tests.counter").get()
    assert run.trigger == JobRun.Trigger.SCHEDULE and run.day == dt.date(2025, 3, 2)
    assert DBTaskResult.objects.count() == tasks  # no second task either
    # even after it ran, the same period is not started again; the next day is
    execute_run(run.pk)
    assert not [r for r in scheduler_tick(now=NOW) if r.job_name == "tests.counter"]
    later = scheduler_tick(now=NOW + dt.timedelta(days=1))
    assert [r.period_key for r in later if r.job_name == "tests.counter"] == ["2025-03-03"]


@pytest.mark.django_db
def test_running_the_same_period_twice_recomputes_one_record(counter):
    run_id = job_enqueue("tests.counter")
    execute_run(run_id)
    again = job_enqueue("tests.counter", rerun=True)
    assert again == run_id
    execute_run(run_id)
    run = JobRun.objects.get(pk=run_id)
    assert runs_of("tests.counter").count() == 1
    assert run.attempts == 2 and run.counts == {"seen": 3, "flagged": 1}  # not 6
    assert len(counter) == 2


@pytest.mark.django_db
def test_a_task_delivered_twice_runs_once(counter):
    run_id = job_enqueue("tests.counter")
    assert execute_run(run_id)["outcome"] == "succeeded"
    assert execute_run(run_id)["outcome"] == "skipped"
    assert len(counter) == 1


@pytest.mark.django_db
def test_same_run_key_same_run(temp_jobs):
    temp_jobs.once("tests.import", lambda run: None)
    first = enqueue_job("tests.import", run_key="upload-7", rows=3)
    assert enqueue_job("tests.import", run_key="upload-7", rows=3) == first
    assert enqueue_job("tests.import") != enqueue_job("tests.import")
    assert JobRun.objects.get(pk=first).params == {"rows": 3}


@pytest.mark.django_db
def test_a_failure_is_recorded_with_its_message(temp_jobs):
    def broken(run):
        run.count("seen")
        raise DomainError("policy_not_in_force", "当日无生效的政策参数")

    temp_jobs.periodic("tests.broken", broken)
    run_id = job_enqueue("tests.broken")
    assert execute_run(run_id)["outcome"] == "failed"
    run = JobRun.objects.get(pk=run_id)
    assert run.status == JobRun.Status.FAILED
    assert run.error == "当日无生效的政策参数"
    assert "DomainError" in run.traceback and run.counts == {"seen": 1}


@pytest.mark.django_db
def test_a_long_job_reports_its_progress_while_it_runs(temp_jobs, monkeypatch):
    monkeypatch.setattr(runner, "FLUSH_SECONDS", 0)
    seen = []

    def long_job(run):
        total = run.params["rows"]
        for done in range(1, total + 1):
            run.set_progress(done, total)
            row = JobRun.objects.get(pk=run.run_id)
            seen.append((row.status, row.progress_done, row.progress_total))

    temp_jobs.once("tests.long", long_job)
    run_id = enqueue_job("tests.long", rows=4)
    execute_run(run_id)
    assert seen == [("running", n, 4) for n in range(1, 5)]
    run = JobRun.objects.get(pk=run_id)
    assert (run.progress_done, run.progress_total, run.progress_percent) == (4, 4, 100)


@pytest.mark.django_db
def test_database_backend_enqueue_then_the_worker_runs_one_task(counter):
    run_id = enqueue_job("tests.counter")
    task = DBTaskResult.objects.get(id=JobRun.objects.get(pk=run_id).task_id)
    assert task.task_path == "tuoyu.jobs.tasks.run_job" and task.status == "READY"

    assert worker_run_once(worker_id="test-worker") is True
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL" and task.worker_ids == ["test-worker"]
    assert task.return_value == {"run": run_id, "outcome": "succeeded"}
    assert JobRun.objects.get(pk=run_id).status == JobRun.Status.SUCCEEDED
    assert worker_run_once() is False  # the queue is empty


@pytest.mark.django_db
def test_runs_of_a_dead_worker_are_marked_failed(counter):
    run_id = job_enqueue("tests.counter")
    mine = job_enqueue("tests.counter", run_key="other")
    host = socket.gethostname()
    JobRun.objects.filter(pk=run_id).update(status="running", worker=f"{host}:999999999")
    JobRun.objects.filter(pk=mine).update(status="running", worker=f"{host}:{os.getpid()}")
    assert runs_fail_abandoned() == 1
    run = JobRun.objects.get(pk=run_id)
    assert run.status == JobRun.Status.FAILED and "中断" in run.error
    assert JobRun.objects.get(pk=mine).status == JobRun.Status.RUNNING
    # its period can be rerun
    assert job_enqueue("tests.counter", rerun=True) == run_id
    assert JobRun.objects.get(pk=run_id).status == JobRun.Status.QUEUED


@pytest.mark.django_db(transaction=True)
def test_the_jobs_run_loop_schedules_and_works_off_the_queue(counter):
    Loop(interval=0).run(once=True)
    run = runs_of("tests.counter").get()
    assert run.status == JobRun.Status.SUCCEEDED and run.trigger == JobRun.Trigger.SCHEDULE
    assert not DBTaskResult.objects.ready().exists()
