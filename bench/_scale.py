"""Shared by `bench seed` and `bench institutions` ([scale] point 3): one throw-away
database per scale, seeded by the application's own seed (`tuoyu.core.seeding.run`, which
ends with the application's statistics refresh — no benchmark runs ANALYZE itself), each
scale in its own process (a fresh Django, its own peak RSS), results handed back as JSON.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCALES = ("district", "city", "province")
QUICK = ("district", "test")
RESULT_PREFIX = "BENCH-RESULT "


def parse_scales(text: str | None, quick: bool) -> list[str]:
    if quick:
        return list(QUICK)
    names = [s.strip() for s in (text or ",".join(SCALES)).split(",") if s.strip()]
    for name in names:
        if name not in (*SCALES, "test"):
            raise SystemExit(f"unknown scale {name!r}: district, city, province (or test)")
    return names


def setup_database(database_url: str | None, tag: str) -> tuple[str, Callable[[], None]]:
    """A fresh database; returns its URL and a cleanup function."""
    if database_url and database_url.startswith("postgres"):
        import psycopg

        base, _, _ = database_url.rpartition("/")
        name = f"tuoyu_bench_{tag}_{os.getpid()}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")

        def cleanup():
            from django.db import connections

            connections.close_all()
            with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

        return f"{base}/{name}", cleanup
    tmp = Path(tempfile.mkdtemp(prefix=f"tuoyu-bench-{tag}-"))
    path = tmp / "bench.sqlite3"

    def cleanup():
        from django.db import connections

        connections.close_all()
        for f in tmp.iterdir():
            f.unlink()
        tmp.rmdir()

    return f"sqlite:///{path}", cleanup


def django_setup(url: str, scale: str) -> None:
    """Django on `url`, the platform serving the scale's whole region (its directory and
    public search cover every district the seed makes)."""
    os.environ["DATABASE_URL"] = url
    os.environ["TUOYU_DISTRICT_CODE"] = region_of(scale)
    os.environ.setdefault(
        "TUOYU_STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuoyu.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def region_of(scale: str) -> str:
    sys.path.insert(0, str(ROOT / "src"))
    from tuoyu.core.seeding import SCALES as DECLARED

    return DECLARED[scale].region_root_code


def seed(scale: str, seed: int = 1) -> dict:
    """Migrate, then the application's seed at `scale`; its report (rows, seconds, rows/s,
    peak RSS, rows per table)."""
    from django.conf import settings
    from django.core.management import call_command

    from tuoyu.core import seeding

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    ctx = seeding.run(
        scale=scale, seed=seed, district_code=settings.TUOYU_DISTRICT_CODE, quiet=True
    )
    report = dict(ctx.shared["report"])
    report["wall_seconds"] = time.perf_counter() - started
    return report


def emit(result: dict) -> None:
    print(RESULT_PREFIX + json.dumps(result, ensure_ascii=False, default=str), flush=True)


def run_children(module: str, scales: list[str], argv: list[str]) -> list[dict]:
    """Run `python -m bench <module> --child <scale> argv…` per scale; their results."""
    results = []
    for scale in scales:
        started = time.perf_counter()
        print(f"… {module} at {scale} scale", file=sys.stderr, flush=True)
        proc = subprocess.run(
            [sys.executable, "-m", "bench", module, "--child", scale, *argv],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        found = [
            json.loads(line[len(RESULT_PREFIX) :])
            for line in proc.stdout.splitlines()
            if line.startswith(RESULT_PREFIX)
        ]
        if proc.returncode or not found:
            sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-8000:])
            raise SystemExit(f"{module} at {scale} scale failed (exit {proc.returncode})")
        result = found[-1]
        result["scale"] = scale
        result["process_seconds"] = time.perf_counter() - started
        results.append(result)
    return results


def machine() -> str:
    try:
        mem = subprocess.run(["free", "-h"], capture_output=True, text=True, check=False).stdout
        total = mem.splitlines()[1].split()[1]
    except (OSError, IndexError):
        total = "?"
    return (
        f"{platform.node()} · nproc {os.cpu_count()} · memory {total} · "
        f"Python {platform.python_version()} · {platform.platform(terse=True)}"
    )


def load_average() -> str:
    """The machine's load average (1, 5, 15 minutes), to print beside every figure."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def database_version() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SHOW server_version")
            return f"PostgreSQL {cur.fetchone()[0]}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def ratio(a: float, b: float) -> str:
    return f"{b / a:.1f}×" if a else "–"
