"""Keys that must exist before settings finish loading.

The demo generates its keys into var/ on first run so that `make demo` needs no set-up;
production passes them through the environment. Neither is ever committed.
"""

import base64
import os
import secrets
from pathlib import Path


def load_or_create_key(path: Path, *, kind: str) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind in ("data", "audit"):  # base64 of 32 random bytes
        value = base64.b64encode(os.urandom(32)).decode()
    else:
        value = secrets.token_urlsafe(50)
    # O_EXCL: two processes starting at once must not write two different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    return value
