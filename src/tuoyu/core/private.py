"""Files only the service's own user may read ([hardening] point 16): the var/ directory,
the SQLite database (with its -wal and -shm files, which SQLite creates with the
database's mode), logs. Keys are created 0600 by tuoyu.keys; uploads by the storage
(`FILE_UPLOAD_PERMISSIONS`, `FILE_UPLOAD_DIRECTORY_PERMISSIONS`).

Called by the settings, before anything is written: no Django here."""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) 0700; an existing directory is left as the
    operator set it up."""
    path = Path(path)
    if not path.exists():
        old = os.umask(0o077)
        try:
            path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        finally:
            os.umask(old)
    return path


def private_file(path: Path) -> Path:
    """Create `path` empty with mode 0600 if it does not exist, and take group and other
    permissions off it (and off its SQLite companions) if it does."""
    path = Path(path)
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    os.close(fd)
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        try:
            mode = candidate.stat().st_mode
            if mode & 0o077:
                os.chmod(candidate, mode & 0o700)
        except OSError:  # absent, or not ours: nothing to tighten
            continue
    return path


def sqlite_database_file(name) -> Path | None:
    """The file of a SQLite database NAME, or None for in-memory and URI names."""
    text = str(name or "")
    if not text or text == ":memory:" or text.startswith("file:") or "mode=memory" in text:
        return None
    return Path(text)
