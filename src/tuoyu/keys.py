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


# ---- the data key ring ([operations] point 2) -------------------------------------------
LEGACY_KEY_ID = "0"
KEYRING_FILE = "data.keys"
_KEY_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


def parse_keyring(spec: str) -> list[tuple[str, str]]:
    """`id:base64,id:base64` (or one `id:base64` a line) → [(id, base64)], oldest first.
    Refuses a malformed entry or a repeated id: a typo must stop the start, not lose data."""
    ring: list[tuple[str, str]] = []
    for raw in spec.replace("\n", ",").split(","):
        entry = raw.strip()
        if not entry or entry.startswith("#"):
            continue
        kid, sep, value = entry.partition(":")
        kid, value = kid.strip(), value.strip()
        if not sep or not kid or len(kid) > 16 or not set(kid) <= _KEY_ID_CHARS or not value:
            raise ValueError(
                f"TUOYU_DATA_KEYS 的条目应为 <密钥编号>:<base64 密钥>：{entry[:20]!r}…"
            )
        if kid in {k for k, _ in ring}:
            raise ValueError(f"TUOYU_DATA_KEYS 中密钥编号 {kid!r} 重复")
        ring.append((kid, value))
    return ring


def data_keyring(*, legacy: str, spec: str) -> list[tuple[str, str]]:
    """The ring: key "0" (`TUOYU_DATA_KEY`, when set) first, then the keys of `spec`."""
    ring = [(LEGACY_KEY_ID, legacy)] if legacy else []
    for kid, value in parse_keyring(spec):
        if kid == LEGACY_KEY_ID:
            raise ValueError("密钥编号 0 保留给 TUOYU_DATA_KEY")
        ring.append((kid, value))
    if not ring:
        raise ValueError("没有配置个人信息数据密钥（TUOYU_DATA_KEY 或 TUOYU_DATA_KEYS）")
    return ring


def add_key_to_file(path: Path, kid: str) -> str:
    """Append a new random key `kid` to the demo's key ring file (0600); its base64."""
    value = base64.b64encode(os.urandom(32)).decode()
    existing = path.read_text() if path.exists() else ""
    if kid in {k for k, _ in parse_keyring(existing)} or kid == LEGACY_KEY_ID:
        raise ValueError(f"密钥编号 {kid!r} 已存在")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a") as fh:
        fh.write(f"{kid}:{value}\n")
    return value
