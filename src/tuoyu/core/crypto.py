"""Encryption of personal data at rest (AES-256-GCM) and blind indexes (HMAC-SHA256).

Keys ([operations] point 2): a key ring of master keys (base64, 32 bytes each), each with
an id — `TUOYU_DATA_KEY` is key "0", `TUOYU_DATA_KEYS` adds further ones (`id:base64,…`,
oldest first; see tuoyu.keys). The newest key encrypts; every key of the ring decrypts.
Two sub-keys are derived from each master with HKDF so that the index key cannot decrypt
and the encryption key cannot be used to guess index values.

Ciphertexts carry their key id: `v2:<key id>:<base64 nonce+ciphertext>`. Ciphertexts
written before key ids (`v1:<base64>`) were all made with key "0" and are still read.
`tuoyu rotate_keys` re-encrypts the older ones under the newest key.

Blind indexes are computed with the index sub-key of one key of the ring,
`TUOYU_INDEX_KEY_ID` (default: the oldest key), so that adding a data key does not change
any index; rotating the index key is a separate step (`rotate_keys --index`) that
recomputes every index. While it runs, `personal_lookup` matches both the new and the
previous index key (`TUOYU_PREVIOUS_INDEX_KEY_ID`), so no lookup misses.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

VERSION = "v2"
LEGACY_VERSION = "v1"
LEGACY_KEY_ID = "0"
KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
_BAD_KEY = "TUOYU_DATA_KEY / TUOYU_DATA_KEYS 的每个密钥都必须是 base64 编码的 32 字节密钥"


class UnknownKey(ValueError):
    """A ciphertext made with a key that is not in the configured ring."""


@lru_cache(maxsize=16)
def _derive(master_b64: str) -> tuple[bytes, bytes]:
    try:
        master = base64.b64decode(master_b64, validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured(_BAD_KEY) from exc
    if len(master) != 32:
        raise ImproperlyConfigured(_BAD_KEY)

    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)

    return derive(b"tuoyu personal data encryption"), derive(b"tuoyu personal data index")


def keyring() -> list[tuple[str, str]]:
    """[(key id, base64 master)], oldest first, from the settings."""
    ring = list(getattr(settings, "TUOYU_DATA_KEYRING", None) or [])
    if not ring and getattr(settings, "TUOYU_DATA_KEY", ""):
        ring = [(LEGACY_KEY_ID, settings.TUOYU_DATA_KEY)]
    if not ring:
        raise ImproperlyConfigured("没有配置个人信息数据密钥（TUOYU_DATA_KEY 或 TUOYU_DATA_KEYS）")
    return ring


def _master(key_id: str) -> str:
    for kid, master in keyring():
        if kid == key_id:
            return master
    raise UnknownKey(f"密钥 {key_id!r} 不在已配置的数据密钥中")


def current_key_id() -> str:
    """The id of the key that encrypts: the newest of the ring."""
    return keyring()[-1][0]


def index_key_id() -> str:
    return getattr(settings, "TUOYU_INDEX_KEY_ID", "") or keyring()[0][0]


def previous_index_key_id() -> str:
    """The index key being rotated away from, while `rotate_keys --index` runs; else ""."""
    previous = getattr(settings, "TUOYU_PREVIOUS_INDEX_KEY_ID", "") or ""
    return previous if previous and previous != index_key_id() else ""


def key_fingerprint_sources() -> dict[str, bytes]:
    """The raw material of tuoyu.core.backup's fingerprints: one entry per key id."""
    return {f"data:{kid}": master.encode() for kid, master in keyring()}


def key_id_of(token: str) -> str:
    """The id of the key `token` was encrypted with."""
    version, _, rest = token.partition(":")
    if version == LEGACY_VERSION:
        return LEGACY_KEY_ID
    if version == VERSION:
        return rest.partition(":")[0]
    raise ValueError(f"unknown ciphertext version {version!r}")


def encrypt(plaintext: str, *, context: str, key_id: str | None = None) -> str:
    """`context` (the kind of value) is bound as associated data: a ciphertext copied into
    a column of another kind does not decrypt."""
    kid = key_id or current_key_id()
    nonce = os.urandom(12)
    ct = AESGCM(_derive(_master(kid))[0]).encrypt(nonce, plaintext.encode(), context.encode())
    return f"{VERSION}:{kid}:{base64.b64encode(nonce + ct).decode()}"


def decrypt(token: str, *, context: str) -> str:
    version, _, rest = token.partition(":")
    if version == LEGACY_VERSION:
        kid, payload = LEGACY_KEY_ID, rest
    elif version == VERSION:
        kid, _, payload = rest.partition(":")
    else:
        raise ValueError(f"unknown ciphertext version {version!r}")
    raw = base64.b64decode(payload)
    key = _derive(_master(kid))[0]
    return AESGCM(key).decrypt(raw[:12], raw[12:], context.encode()).decode()


def reencrypt(token: str, *, context: str) -> str | None:
    """`token` under the newest key, or None when it already is."""
    if key_id_of(token) == current_key_id() and token.startswith(f"{VERSION}:"):
        return None
    return encrypt(decrypt(token, context=context), context=context)


def blind_index(value: str, *, context: str, key_id: str | None = None) -> str:
    """Keyed hash for equality lookups: equal clear values give equal indexes per kind."""
    msg = f"{context}\x00{value}".encode()
    key = _derive(_master(key_id or index_key_id()))[1]
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def blind_indexes(value: str, *, context: str) -> list[str]:
    """The index under the current index key and, during an index rotation, the previous."""
    out = [blind_index(value, context=context)]
    if previous := previous_index_key_id():
        out.append(blind_index(value, context=context, key_id=previous))
    return out
