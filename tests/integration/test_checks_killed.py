"""[children] #12 "a kill -9 during a batch followed by a retry leaves every record exactly
once": a process storing a batch of daily checks (API-CONTRACT §3) is killed with SIGKILL
after its insert, before its commit; the batch left nothing behind, and the retry stores
every record once (a second retry: all duplicates). Run in fresh processes on another
database of the vendor under test, seeded by the application's own district seed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from tests.integration.ops_support import env_for, other_database, tuoyu

pytestmark = pytest.mark.django_db(transaction=True)

SETUP = """
import django, json, sys, time
django.setup()
from tuoyu.accounts.models import User
from tuoyu.children.models import Child, HealthCheck
from tuoyu.children.services import health_checks
from tuoyu.core import clock

def institution_and_records():
    # An institution with an account and children in care, and a morning check for each.
    day = clock.today()
    for user in User.objects.filter(institution__isnull=False, is_active=True).order_by("pk"):
        children = Child.objects.filter(
            institution=user.institution, status="active", enrolled_on__lte=day
        ).order_by("pk")
        if children:
            break
    records = [
        {"record_id": f"killed-{c.pk}", "child_id": c.pk, "date": day.isoformat(),
         "session": "morning", "attendance": "present", "temperature_c": 36.6,
         "symptoms": [], "action": "none"}
        for c in children
    ]
    return user.institution, records, user

def stored():
    return HealthCheck.objects.filter(record_id__startswith="killed-").count()
"""

KILLED = """
institution, records, user = institution_and_records()
original = health_checks._insert_ignoring_conflicts

def insert_then_wait(*args, **kwargs):
    inserted = original(*args, **kwargs)
    print(json.dumps({"inserted": len(inserted)}), flush=True)
    time.sleep(60)  # inside the batch's transaction: killed here
    return inserted

health_checks._insert_ignoring_conflicts = insert_then_wait
health_checks.health_checks_receive(acting_user=user, institution=institution, records=records)
"""

RETRY = """
institution, records, user = institution_and_records()
before = stored()
first = health_checks.health_checks_receive(
    acting_user=user, institution=institution, records=records
).as_response()
second = health_checks.health_checks_receive(
    acting_user=user, institution=institution, records=records
).as_response()
per_record = sorted(
    HealthCheck.objects.filter(record_id__startswith="killed-")
    .values_list("record_id", flat=True)
)
print(json.dumps({
    "records": len(records), "before": before, "first": first, "second": second,
    "stored": stored(), "distinct": len(set(per_record)),
}))
"""


def _code(body: str) -> list[str]:
    return [sys.executable, "-u", "-c", SETUP + textwrap.dedent(body)]


def test_a_batch_killed_before_its_commit_leaves_nothing_and_its_retry_stores_each_once(
    tmp_path,
):
    with other_database(tmp_path) as (url, _connect):
        env = env_for(url, tmp_path / "var")
        assert tuoyu("migrate", "--noinput", "-v", "0", env=env).returncode == 0
        seeded = tuoyu("seed", "--scale", "district", "--quiet", env=env)
        assert seeded.returncode == 0, seeded.stderr

        proc = subprocess.Popen(
            _code(KILLED), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            line = proc.stdout.readline()
            assert json.loads(line)["inserted"] > 0, proc.stderr.read()
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.wait(timeout=60)
        assert proc.returncode == -signal.SIGKILL

        done = subprocess.run(_code(RETRY), env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        out = json.loads(done.stdout.strip().splitlines()[-1])

    n = out["records"]
    assert n > 0
    assert out["before"] == 0  # the killed batch's insert died with its transaction
    assert out["first"]["accepted"] == n and out["first"]["duplicates"] == 0
    assert out["second"]["accepted"] == 0 and out["second"]["duplicates"] == n
    assert out["stored"] == out["distinct"] == n  # every record exactly once
