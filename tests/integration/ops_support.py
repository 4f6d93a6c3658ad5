"""Helpers of the [operations] tests: a `tuoyu` command in a fresh process on another
database and var/ directory, with the keys of the test settings, and a throw-away
PostgreSQL database beside the test database."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connection

from tuoyu.core.backup import pg_env, pg_url


def env_for(database_url: str, var_dir: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUOYU_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tuoyu.settings",
            "DATABASE_URL": database_url,
            "TUOYU_VAR_DIR": str(var_dir),
            "TUOYU_LOG_FILE": "",
            "TUOYU_SECRET_KEY": settings.SECRET_KEY,
            "TUOYU_DATA_KEY": settings.TUOYU_DATA_KEY,
            "TUOYU_AUDIT_KEY": settings.TUOYU_AUDIT_KEY,
            "TUOYU_STRICT_CATALOGUES": "1",
            "TUOYU_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "PYTHONPATH": str(Path(settings.SRC_DIR).parent),
        }
    )
    env.update(extra)
    return env


def tuoyu(*args: str, env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tuoyu", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@contextlib.contextmanager
def other_database(tmp_path: Path):
    """(DATABASE_URL, raw DB-API connect()) of a new, empty database of the vendor under
    test; a PostgreSQL one is dropped afterwards."""
    if connection.vendor == "sqlite":
        path = tmp_path / f"other-{uuid.uuid4().hex[:8]}.sqlite3"
        yield f"sqlite:///{path}", lambda: sqlite3.connect(path)
        return
    import psycopg

    sd = dict(connection.settings_dict)
    name = f"tuoyu_ops_{uuid.uuid4().hex[:10]}"
    admin = {**sd, "NAME": "postgres"}
    os.environ.setdefault("PGCONNECT_TIMEOUT", "5")
    with psycopg.connect(pg_url(admin), autocommit=True, **_pw(sd)) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    target = {**sd, "NAME": name}
    user = f"{sd['USER']}@" if sd.get("USER") else ""
    url = f"postgresql://{user}{sd.get('HOST') or '127.0.0.1'}:{sd.get('PORT') or 5432}/{name}"
    try:
        yield url, lambda: psycopg.connect(pg_url(target), **_pw(sd))
    finally:
        with psycopg.connect(pg_url(admin), autocommit=True, **_pw(sd)) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pw(sd: dict) -> dict:
    return {"password": sd["PASSWORD"]} if sd.get("PASSWORD") else {}


__all__ = ["env_for", "other_database", "pg_env", "tuoyu"]
