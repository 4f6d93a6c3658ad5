"""The readiness check of the background worker ([operations] point 4): /readyz fails when
no `tuoyu jobs_run` process beat within TUOYU_READY_WORKER_SECONDS."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from tuoyu.jobs.services import worker_last_beat


def check_worker() -> str | None:
    last = worker_last_beat()
    if last is None:
        return "no worker heartbeat"
    age = (timezone.now() - last).total_seconds()
    if age > settings.TUOYU_READY_WORKER_SECONDS:
        return f"last worker heartbeat {int(age)} s ago"
    return None
