"""/healthz and /readyz for the load balancer ([operations] point 4): no login, nothing
personal; ready only with the database answering, every migration applied, a worker that
beat recently and enough free disk."""

from __future__ import annotations

import datetime as dt
from collections import namedtuple

import pytest
from django.utils import timezone

from tuoyu.jobs.services import worker_heartbeat
from tuoyu.jobs.worker import Loop
from tuoyu.web import health

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_login_or_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_readyz_ready_with_a_recent_worker_heartbeat(client):
    worker_heartbeat("w1")
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) >= {"database", "migrations", "disk", "worker"}
    assert "no-store" in response["Cache-Control"]


def test_readyz_not_ready_without_a_worker(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "fail: no worker heartbeat"


def test_readyz_not_ready_when_the_worker_is_silent(client, settings):
    worker_heartbeat("w1", now=timezone.now() - dt.timedelta(seconds=600))
    settings.TUOYU_READY_WORKER_SECONDS = 120
    body = client.get("/readyz").json()
    assert body["checks"]["worker"].startswith("fail: last worker heartbeat")


def test_readyz_not_ready_on_a_full_disk(client, settings, monkeypatch):
    worker_heartbeat("w1")
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(health.shutil, "disk_usage", lambda path: usage(10, 10, 100 * 1024 * 1024))
    settings.TUOYU_READY_MIN_FREE_MB = 500
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["disk"] == "fail: 100 MB free, below 500 MB"


def test_readyz_not_ready_with_pending_migrations(client, monkeypatch):
    worker_heartbeat("w1")
    monkeypatch.setattr(health, "_migrated", False)
    monkeypatch.setattr(
        health.MigrationExecutor, "migration_plan", lambda self, targets: [("x", False)]
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "fail: 1 migrations not applied"


def test_readyz_reports_a_broken_database_without_details(client, monkeypatch):
    def broken():
        raise RuntimeError("password=secret host=db")

    monkeypatch.setattr(health, "check_database", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "fail: RuntimeError"}
    assert b"secret" not in response.content


def test_readyz_reveals_nothing_personal_to_a_signed_in_user_either(client, health_user):
    worker_heartbeat("w1")
    client.force_login(health_user)
    response = client.get("/readyz")
    assert health_user.username.encode() not in response.content
    assert response.status_code == 200


@pytest.mark.django_db(transaction=True)  # the loop closes connections between turns
def test_the_worker_loop_beats():
    from tuoyu.jobs.models import WorkerHeartbeat

    loop = Loop(interval=0, schedule_every=30, scheduler=False, worker_id="loop-test")
    loop.turn()
    beat = WorkerHeartbeat.objects.get(worker_id="loop-test")
    assert (timezone.now() - beat.beat_at).total_seconds() < 30
