"""[hardening] point 14: writers side by side. A 2,000-row registration import held SQLite's
write lock for seconds (5–10 s measured), so concurrent pushes and a second import that
waited longer than the busy timeout failed with "database is locked" — a 500. Now the
import checks its rows without writing and writes them in one short bulk step, the busy
timeout is configurable (TUOYU_SQLITE_BUSY_TIMEOUT_MS, 30 s by default) and the push and
the import's write run again on a transient error (tuoyu.core.db.transient_retry).

The threads need their own connections to one database: a SQLite file or PostgreSQL. The
suite's SQLite test database is in memory (shared cache, table locks, no busy timeout), so
there `test_on_a_file_database` runs this module again with TUOYU_TEST_SQLITE_NAME pointing
at a file. To make the old fault show on any machine, every connection of the test waits
at most BUSY_TIMEOUT_MS (3 s) for the lock: less than the old import held it, far more
than the new one does."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.db.backends.signals import connection_created
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from tests.factories import DUOHU, ApiTokenFactory
from tuoyu.core.identifiers import make_uscc

ROOT = Path(__file__).resolve().parents[2]
IN_MEMORY = connection.vendor == "sqlite" and not (
    (connection.settings_dict.get("TEST") or {}).get("NAME")
)
BUSY_TIMEOUT_MS = 3000
PUSHES = 40


# --- the settings ---------------------------------------------------------------------------


def test_the_busy_timeout_is_configurable(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": "",
        "TUOYU_VAR_DIR": str(tmp_path),
        "TUOYU_SQLITE_BUSY_TIMEOUT_MS": "1234",
        "DJANGO_SETTINGS_MODULE": "tuoyu.settings",
    }
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "o = settings.DATABASES['default']['OPTIONS']; print(o['init_command']); print(o['timeout'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert "PRAGMA busy_timeout=1234;" in out.stdout
    assert out.stdout.split()[-1] == "1.234"
    env.pop("TUOYU_SQLITE_BUSY_TIMEOUT_MS")
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert "PRAGMA busy_timeout=30000;" in out.stdout  # the default: longer than any write


# --- on a file ------------------------------------------------------------------------------


@pytest.mark.skipif(not IN_MEMORY, reason="the database is a file or PostgreSQL: runs directly")
def test_on_a_file_database(tmp_path):
    env = {**os.environ, "TUOYU_TEST_SQLITE_NAME": str(tmp_path / "concurrency.sqlite3")}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-s",
            "-p",
            "no:cacheprovider",
            f"{Path(__file__).relative_to(ROOT)}::test_pushes_beside_two_imports_never_fail",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    print(out.stdout[-3000:])
    assert out.returncode == 0, out.stdout[-6000:] + out.stderr[-3000:]
    assert "1 passed" in out.stdout


# --- the race itself ------------------------------------------------------------------------


def upload(n: int, *, series: str) -> bytes:
    from tuoyu.institutions.excel_registration import IMPORT_HEADERS

    wb = Workbook()
    ws = wb.active
    ws.title = "登记信息"
    ws.append(list(IMPORT_HEADERS))
    for i in range(n):
        ws.append(
            [
                None,
                "登记",
                make_uscc("9", "1", "330703", f"{series}{i:06d}"),
                f"金华市金东区并发{series}{i}号托育有限公司",
                "企业",
                "营利性",
                "张三",
                "金东区多湖街道光明路 1 号",
                DUOHU,
                "2024-03-01 09:00",
            ]
        )
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


class LockProbe(threading.Thread):
    """How long, at most, the write lock of the SQLite file was held in one go: tries
    BEGIN IMMEDIATE without waiting every 2 ms from its own connection."""

    def __init__(self, path: str):
        super().__init__(daemon=True)
        self.path = path
        self.stop = threading.Event()
        self.longest = 0.0

    def run(self):
        probe = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        since = None
        while not self.stop.is_set():
            now = time.perf_counter()
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
                if since is not None:
                    self.longest = max(self.longest, now - since)
                    since = None
            except sqlite3.OperationalError:
                since = since if since is not None else now
            time.sleep(0.002)
        probe.close()


def _short_busy_timeout(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


@pytest.mark.skipif(IN_MEMORY, reason="threads need a database file or PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_pushes_beside_two_imports_never_fail(market_user):
    """Two imports (2,000 and 1,000 rows) and 40 pushes at once, each in its own thread
    with its own connection: every push 201, both imports succeed, nothing is lost."""
    token = ApiTokenFactory(user=market_user).raw
    files = [upload(2000, series="MC"), upload(1000, series="MD")]
    importers = []
    for _ in files:
        client = Client(raise_request_exception=False)
        client.force_login(market_user)
        importers.append(client)
    connections.close_all()
    connection_created.connect(_short_busy_timeout)
    probe = None
    if connection.vendor == "sqlite":
        probe = LockProbe(str(connection.settings_dict["NAME"]))
        probe.start()
    start = threading.Barrier(PUSHES + len(files))
    pushes: list = [None] * PUSHES
    imports: list = [None] * len(files)

    def push(i: int) -> None:
        try:
            client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", raise_request_exception=False)
            start.wait()
            time.sleep(i * 0.05)  # spread over the imports' two seconds
            body = {
                "event_id": f"SAMR-330703-2024-P{i:05d}",
                "authority": "market_regulation",
                "action": "registered",
                "uscc": make_uscc("9", "1", "330703", f"MP{i:06d}"),
                "name": f"金华市金东区推送{i}号托育有限公司",
                "legal_form": "company",
                "for_profit": True,
                "township_code": DUOHU,
                "occurred_at": "2024-03-01T09:00:00+08:00",
            }
            response = client.post(
                "/api/v1/registrations", json.dumps(body), content_type="application/json"
            )
            pushes[i] = response.status_code
        except Exception as exc:  # a failed thread must not look like a success
            pushes[i] = repr(exc)
        finally:
            connections.close_all()

    def run_import(i: int) -> None:
        try:
            start.wait()
            started = time.perf_counter()
            response = importers[i].post(
                reverse("institutions:registration_import"),
                {"file": SimpleUploadedFile(f"并发{i}.xlsx", files[i])},
            )
            imports[i] = (response.status_code, round(time.perf_counter() - started, 2))
        except Exception as exc:
            imports[i] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=push, args=(i,)) for i in range(PUSHES)]
    threads += [threading.Thread(target=run_import, args=(i,)) for i in range(len(files))]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    finally:
        connection_created.disconnect(_short_busy_timeout)
        if probe is not None:
            probe.stop.set()
            probe.join()

    from tuoyu.institutions.models import Institution, RegistrationEvent

    if probe is not None:
        print(f"\nlongest write lock: {probe.longest:.2f} s; imports (status, s): {imports}")
    assert pushes == [201] * PUSHES, pushes
    assert [i[0] if isinstance(i, tuple) else i for i in imports] == [302, 302], imports
    assert Institution.objects.count() == 3000 + PUSHES
    assert RegistrationEvent.objects.count() == 3000 + PUSHES
