"""[hardening] point 16: what the platform writes to disk is its own. var/ and its
directories are 0700, the SQLite database (and its -wal/-shm), the keys, the logs and the
uploaded documents 0600; uploads are stored under random names (the original name is
neither on disk nor guessable), and every FileField says so."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models

from tests.factories import ChainAgreementFactory
from tuoyu.core.filenames import RandomName
from tuoyu.institutions.tests.conftest import pdf_upload

RANDOM_STORED = re.compile(r"^chains/\d{4}/[0-9a-f]{32}\.pdf$")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_every_file_field_stores_under_a_random_name():
    fields = [
        f"{m._meta.label}.{f.name}"
        for m in apps.get_models()
        for f in m._meta.get_fields()
        if isinstance(f, models.FileField) and not isinstance(f.upload_to, RandomName)
    ]
    assert fields == []


def test_a_random_name_keeps_only_a_plain_extension():
    name = RandomName("chains/%Y/")
    first, second = name(None, "协议.PDF"), name(None, "协议.PDF")
    assert RANDOM_STORED.match(first) and first != second
    assert name(None, "../../etc/passwd").rsplit("/", 1)[1].isalnum()
    assert not name(None, "x.p<d>f").endswith(">f")
    assert name(None, "").count(".") == 0


@pytest.mark.django_db
def test_an_upload_is_stored_private_under_a_random_name(media_root):
    agreement = ChainAgreementFactory(document=pdf_upload("金东区某某托育协议.pdf"))
    stored = agreement.document.name
    assert RANDOM_STORED.match(stored), stored
    assert "协议" not in stored
    path = media_root / stored
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700 and mode(path.parent.parent) == 0o700


@pytest.mark.django_db
def test_the_models_and_the_migrations_agree():
    """A model change without its migration (an upload_to among them) fails here."""
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def _fresh_start(var_dir: Path, *, extra: str = "") -> None:
    """A new process on an empty var/: settings, a database connection, a log line."""
    code = textwrap.dedent(
        f"""
        import logging, django
        django.setup()
        from django.db import connection
        with connection.cursor() as c:
            c.execute("CREATE TABLE IF NOT EXISTS t (x int)")
            c.execute("INSERT INTO t VALUES (1)")
        logging.getLogger("tuoyu.test").warning("权限检查")
        {extra}
        """
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TUOYU_")},
        "DJANGO_SETTINGS_MODULE": "tuoyu.settings",
        "TUOYU_VAR_DIR": str(var_dir),
        "DATABASE_URL": "",
        "PYTHONPATH": str(Path(settings.SRC_DIR).parent),  # the tree under test
    }
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)


def test_a_fresh_var_directory_is_private(tmp_path):
    var = tmp_path / "var"
    old = os.umask(0o022)  # what a shell usually has
    try:
        _fresh_start(var)
    finally:
        os.umask(old)
    assert mode(var) == 0o700
    for key in ("secret.key", "data.key", "audit.key"):
        assert mode(var / key) == 0o600, key
    db = var / "tuoyu.sqlite3"
    assert mode(db) == 0o600
    for companion in (Path(f"{db}-wal"), Path(f"{db}-shm")):
        if companion.exists():
            assert mode(companion) == 0o600, companion
    assert mode(var / "log") == 0o700
    assert mode(var / "log" / "tuoyu.log") == 0o600


def test_an_existing_world_readable_database_is_made_private(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    (var / "tuoyu.sqlite3").touch()
    os.chmod(var / "tuoyu.sqlite3", 0o644)
    _fresh_start(var)
    assert mode(var / "tuoyu.sqlite3") == 0o600
