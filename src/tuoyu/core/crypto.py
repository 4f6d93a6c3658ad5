"""Encryption of personal data at rest (AES-256-GCM) and blind indexes (HMAC-SHA256).

One master key comes from TUOYU_DATA_KEY (base64, 32 bytes). Two sub-keys are derived from
it with HKDF so that the index key cannot decrypt and the encryption key cannot be used to
guess index values. The ciphertext carries a version prefix so keys can be rotated later.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

VERSION = "v1"


@lru_cache(maxsize=4)
def _keys(master_b64: str) -> tuple[bytes, bytes]:
    try:
        master = base64.b64decode(master_b64, validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured("TUOYU_DATA_KEY 必须是 base64 编码的 32 字节密钥") from exc
    if len(master) != 32:
        raise ImproperlyConfigured("TUOYU_DATA_KEY 必须是 base64 编码的 32 字节密钥")

    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)

    return derive(b"tuoyu personal data encryption"), derive(b"tuoyu personal data index")


def _enc_key() -> bytes:
    return _keys(settings.TUOYU_DATA_KEY)[0]


def _index_key() -> bytes:
    return _keys(settings.TUOYU_DATA_KEY)[1]


def encrypt(plaintext: str, *, context: str) -> str:
    """`context` (the kind of value) is bound as associated data: a ciphertext copied into
    a column of another kind does not decrypt."""
    nonce = os.urandom(12)
    ct = AESGCM(_enc_key()).encrypt(nonce, plaintext.encode(), context.encode())
    return f"{VERSION}:{base64.b64encode(nonce + ct).decode()}"


def decrypt(token: str, *, context: str) -> str:
    version, _, payload = token.partition(":")
    if version != VERSION:
        raise ValueError(f"unknown ciphertext version {version!r}")
    raw = base64.b64decode(payload)
    return AESGCM(_enc_key()).decrypt(raw[:12], raw[12:], context.encode()).decode()


def blind_index(value: str, *, context: str) -> str:
    """Keyed hash for equality lookups: equal clear values give equal indexes per kind."""
    msg = f"{context}\x00{value}".encode()
    return hmac.new(_index_key(), msg, hashlib.sha256).hexdigest()
