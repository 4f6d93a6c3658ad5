"""[hardening] point 13: failures leave a trace. A 500 is logged (Django's `django.request`)
with its traceback and the request id, to the console and the rotating file of the
settings (`TUOYU_LOG_FILE`); the page shows the same id, so that a person can quote it; the
API answers problem+json with it. The 500 page needs neither the database nor the request
having passed every middleware."""

from __future__ import annotations

import itertools
import json
import logging
import re
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from tuoyu.core.catalogue import CoreError
from tuoyu.core.logging import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db

RECORD_START = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", re.M)


def _log_records() -> list[str]:
    """The plain records of the settings' log file (a record runs to the next timestamp)."""
    path = Path(settings.TUOYU_LOG_FILE)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    starts = [m.start() for m in RECORD_START.finditer(text)] + [len(text)]
    return [text[a:b] for a, b in itertools.pairwise(starts)]


def _log_text_for(request_id: str) -> str:
    return "".join(r for r in _log_records() if f"[{request_id}]" in r)


def _record_with(*needles: str) -> str | None:
    for record in _log_records():
        if all(n in record for n in needles):
            return record
    return None


def _boom(token: str):
    def explode(*args, **kwargs):
        raise RuntimeError(f"测试用故障 {token}")

    return explode


def test_a_page_500_is_logged_with_traceback_and_request_id_shown_on_the_page(
    health_user, monkeypatch
):
    token = uuid.uuid4().hex
    monkeypatch.setattr("tuoyu.web.views.cards_for", _boom(token))
    client = Client(raise_request_exception=False)
    client.force_login(health_user)

    response = client.get("/")

    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    html = response.content.decode()
    assert request_id in html  # the person can quote it
    assert token not in html  # the cause stays in the log
    assert response["Cache-Control"] == "private, no-store"
    record = _record_with(f"ERROR django.request [{request_id}]", token)
    assert record is not None, "no log record with the request id and the exception"
    assert "tuoyu.errors" not in _log_text_for(request_id)  # the page rendered as it should
    assert "Traceback (most recent call last)" in record
    assert f"RuntimeError: 测试用故障 {token}" in record


def test_an_api_500_is_problem_json_with_the_request_id_and_logged(
    api_client, health_user, district, monkeypatch
):
    token = uuid.uuid4().hex
    monkeypatch.setattr("tuoyu.regions.selectors.regions_for_api", _boom(token))
    client = api_client(health_user)
    client.raise_request_exception = False

    response = client.get("/api/v1/regions", HTTP_X_REQUEST_ID="partner-req-42")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 500 and body["request_id"] == "partner-req-42"
    assert body["errors"][0]["code"] == CoreError.SERVER_ERROR
    assert token not in response.content.decode()
    assert response["X-Request-ID"] == "partner-req-42"
    record = _record_with("ERROR django.request [partner-req-42]", token)
    assert record is not None and "Traceback (most recent call last)" in record


def test_the_500_page_needs_no_database_and_no_middleware(monkeypatch):
    """A failure before the session and authentication middleware ran (the database is
    down): the page still renders, with the id, and asks the database nothing."""
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.db import OperationalError

    def database_down(self, request):
        raise OperationalError("数据库不可用（测试）")

    queries = []

    def refuse(execute, sql, params, many, context):
        queries.append(sql)
        raise OperationalError("no query may run while rendering the 500 page")

    monkeypatch.setattr(SessionMiddleware, "process_request", database_down)
    client = Client(raise_request_exception=False)
    with connection.execute_wrapper(refuse):
        response = client.get("/public/institutions/")

    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    assert request_id and request_id in response.content.decode()
    assert queries == []
    assert _record_with(f"[{request_id}]", "数据库不可用（测试）") is not None


def test_every_record_carries_the_request_id_of_its_request(client):
    """Not only 500s: Django's 4xx warnings name their request too."""
    response = client.get("/api/v1/regions")  # 401, logged as a warning by Django
    request_id = response["X-Request-ID"]
    assert _record_with(f"[{request_id}]", "Unauthorized: /api/v1/regions") is not None


def test_the_json_format_is_one_object_a_line_with_traceback_and_request_id():
    from tuoyu.audit import context

    token = context.bind(context.RequestContext(request_id="req-json-1"))
    try:
        try:
            raise ValueError("坏了")
        except ValueError:
            record = logging.getLogger("django.request").makeRecord(
                "django.request",
                logging.ERROR,
                __file__,
                1,
                "Internal Server Error: %s",
                ("/x/",),
                exc_info=sys.exc_info(),
                extra={"status_code": 500},
            )
        RequestIdFilter(context=context.current).filter(record)
    finally:
        context.reset(token)
    line = JsonFormatter().format(record)

    assert "\n" not in line
    data = json.loads(line)
    assert data["request_id"] == "req-json-1" and data["status"] == 500
    assert data["level"] == "ERROR" and data["message"] == "Internal Server Error: /x/"
    assert "Traceback (most recent call last)" in data["exc_info"] and "坏了" in data["exc_info"]


def test_the_log_file_is_private():
    path = Path(settings.TUOYU_LOG_FILE)
    logging.getLogger("tuoyu.errors").warning("检查日志文件权限")
    assert path.exists()
    assert path.stat().st_mode & 0o077 == 0
    assert path.parent.stat().st_mode & 0o077 == 0


def test_tuoyu_log_format_json_writes_json_lines(tmp_path):
    """The production setting, through the settings: every line of the file is one JSON
    object; a traceback stays inside its line."""
    import os
    import subprocess
    import textwrap

    log_file = tmp_path / "log" / "tuoyu.json.log"
    code = textwrap.dedent(
        """
        import logging, django
        django.setup()
        from tuoyu.audit import context
        context.bind(context.RequestContext(request_id="req-prod-7"))
        try:
            1 / 0
        except ZeroDivisionError:
            logging.getLogger("django.request").exception("Internal Server Error: /x/")
        logging.getLogger("tuoyu.test").warning("第二行")
        """
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tuoyu.settings",
        "TUOYU_VAR_DIR": str(tmp_path / "var"),
        "TUOYU_LOG_FORMAT": "json",
        "TUOYU_LOG_FILE": str(log_file),
        "DATABASE_URL": "",
        "PYTHONPATH": str(Path(settings.SRC_DIR).parent),
    }
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)

    lines = log_file.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["message"] for r in records] == ["Internal Server Error: /x/", "第二行"]
    assert {r["request_id"] for r in records} == {"req-prod-7"}
    assert "ZeroDivisionError" in records[0]["exc_info"]

    env["TUOYU_LOG_FORMAT"] = "xml"
    refused = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True)
    assert refused.returncode != 0 and b"TUOYU_LOG_FORMAT" in refused.stderr
