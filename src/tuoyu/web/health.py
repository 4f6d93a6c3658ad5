"""Health and readiness for a load balancer or service manager ([operations] point 4).

- `GET /healthz`: the process answers (no database, no disk): 200 `{"status": "ok"}`.
  A failing liveness probe means "restart this process".
- `GET /readyz`: 200 when every readiness check passes, else 503 with the failed ones; a
  failing readiness probe means "send no traffic here for now". Checks: the database
  answers, every migration is applied, a background worker beat recently, the var/ disk
  has at least TUOYU_READY_MIN_FREE_MB free. Apps above web add checks with
  `register_check(name, func)` in their AppConfig.ready() (the jobs app adds "worker").

No login, no session, nothing personal: only check names, "ok"/"fail" and a short
technical reason. Both answer `Cache-Control: no-store`.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("tuoyu.health")

# A check returns None when fine, else a short reason (no personal data).
Check = Callable[[], str | None]
_CHECKS: dict[str, Check] = {}
_migrated = False  # once every migration is applied, it stays so for this process


def register_check(name: str, func: Check) -> None:
    _CHECKS[name] = func


def unregister_check(name: str) -> None:
    _CHECKS.pop(name, None)


def check_database() -> str | None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return None


def check_migrations() -> str | None:
    global _migrated
    if _migrated:
        return None
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        return f"{len(plan)} migrations not applied"
    _migrated = True
    return None


def check_disk() -> str | None:
    free_mb = shutil.disk_usage(settings.VAR_DIR).free // (1024 * 1024)
    minimum = settings.TUOYU_READY_MIN_FREE_MB
    if free_mb < minimum:
        return f"{free_mb} MB free, below {minimum} MB"
    return None


def checks() -> dict[str, Check]:
    return {
        "database": check_database,
        "migrations": check_migrations,
        "disk": check_disk,
        **_CHECKS,
    }


def readiness() -> tuple[bool, dict[str, str]]:
    results: dict[str, str] = {}
    for name, func in checks().items():
        try:
            reason = func()
        except Exception as exc:  # a check that raises has failed; say how, not with what
            logger.warning("readyz: check %s raised %s", name, type(exc).__name__)
            reason = type(exc).__name__
        results[name] = "ok" if reason is None else f"fail: {reason}"
        if name == "database" and reason is not None:
            break  # the other checks need the database
    ok = all(value == "ok" for value in results.values())
    return ok, results


@login_not_required
@require_safe
@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@login_not_required
@require_safe
@never_cache
def readyz(request):
    ok, results = readiness()
    return JsonResponse(
        {"status": "ok" if ok else "fail", "checks": results}, status=200 if ok else 503
    )
