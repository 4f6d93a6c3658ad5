"""Structured logs ([operations] point 6): one JSON record per request with request id,
user id, scope, route, duration, status and query count, never a personal value; slow
requests and slow jobs logged as WARNING with their query counts."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest

from tuoyu.core.identifiers import make_id_number
from tuoyu.core.logging import JsonFormatter

pytestmark = pytest.mark.django_db


def _json(record) -> dict:
    return json.loads(JsonFormatter().format(record))


def _request_records(caplog):
    return [r for r in caplog.records if r.name == "tuoyu.request"]


def test_a_request_is_one_json_record_without_personal_values(
    client, health_user, caplog, settings
):
    settings.TUOYU_SLOW_REQUEST_MS = 600_000  # a loaded machine must not make it "slow"
    client.force_login(health_user)
    id_number = make_id_number("330703", dt.date(1990, 5, 6), 12)
    with caplog.at_level(logging.INFO, logger="tuoyu.request"):
        response = client.get(f"/institutions/?q={id_number}", HTTP_X_REQUEST_ID="req-obs-1")
    records = _request_records(caplog)
    assert len(records) == 1
    out = _json(records[0])
    assert out["request_id"] == "req-obs-1" == response["X-Request-ID"]
    assert out["user_id"] == health_user.pk
    assert out["scope"] == "department"
    assert out["status"] == response.status_code
    assert out["method"] == "GET" and out["route"] == "institutions/"
    assert out["duration_ms"] >= 0 and out["queries"] >= 1
    line = JsonFormatter().format(records[0])
    assert id_number not in line and health_user.username not in line
    assert out["level"] == "INFO" and out["slow"] is False


def test_anonymous_request_is_logged_without_a_user(client, caplog):
    with caplog.at_level(logging.INFO, logger="tuoyu.request"):
        client.get("/healthz")
    out = _json(_request_records(caplog)[0])
    assert out["user_id"] is None and out["queries"] == 0 and out["status"] == 200


def test_a_slow_request_is_a_warning_with_its_query_count(client, health_user, caplog, settings):
    settings.TUOYU_SLOW_REQUEST_MS = 0
    client.force_login(health_user)
    with caplog.at_level(logging.INFO, logger="tuoyu.request"):
        client.get("/")
    record = _request_records(caplog)[0]
    assert record.levelno == logging.WARNING
    assert "slow request" in record.getMessage()
    assert _json(record)["queries"] >= 1


def test_a_slow_job_is_a_warning_with_its_query_count(caplog, settings):
    from tuoyu.core import jobs as registry
    from tuoyu.jobs.runner import execute_run
    from tuoyu.jobs.services import job_enqueue

    def work(run):
        from tuoyu.jobs.models import JobRun

        JobRun.objects.count()
        JobRun.objects.count()

    registry.register(registry.JobSpec(name="tests.slow_job", func=work, title="慢任务"))
    settings.TUOYU_SLOW_JOB_SECONDS = 0
    try:
        run_id = job_enqueue("tests.slow_job")
        with caplog.at_level(logging.INFO, logger="tuoyu.jobs"):
            execute_run(run_id)
    finally:
        registry.unregister("tests.slow_job")
    record = next(r for r in caplog.records if "slow job" in r.getMessage())
    assert record.levelno == logging.WARNING
    out = _json(record)
    assert out["job"] == "tests.slow_job" and out["run_id"] == run_id
    assert out["outcome"] == "succeeded" and out["queries"] >= 2
