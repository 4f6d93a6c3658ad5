"""Key rotation ([operations] point 2): ciphertexts carry their key id, the newest key of
the ring encrypts, `tuoyu rotate_keys` re-encrypts in audited batches and resumes after a
kill -9; the blind-index key rotates by recomputing the indexes, and no lookup misses, not
even half-way. Run in fresh processes on another database, killed with SIGKILL."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from tests.integration.ops_support import env_for, other_database, tuoyu
from tuoyu.core import crypto

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 60
NEW_KEY = base64.b64encode(bytes(range(32))).decode()

SETUP = """
import django, json, sys
django.setup()
from tuoyu.core.tests.models_for_tests import person_model
from tuoyu.core.personal import personal_lookup
from tuoyu.core.identifiers import make_id_number
import datetime as dt
Person = person_model()
def ident(i):
    return make_id_number("330703", dt.date(1980, 1, 1) + dt.timedelta(days=i), i % 90 + 1)
"""


def _py(code: str, env: dict, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-c", SETUP + textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )
    assert done.returncode == 0, done.stderr
    return done


def _kill_midway(env: dict, *args: str) -> str:
    """Start rotate_keys with a pause between batches, SIGKILL it after three batches."""
    code = SETUP + (
        "from django.core.management import call_command\n"
        f"call_command('rotate_keys', *{list(args)!r}, batch_size=7, pause=0.4)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-u", "-c", code], env=env, stdout=subprocess.PIPE, text=True
    )
    seen = []
    try:
        for line in proc.stdout:
            seen.append(line)
            if sum("本批改写" in s for s in seen) >= 3:
                os.kill(proc.pid, signal.SIGKILL)
                break
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "".join(seen)
    return "".join(seen)


def _key_ids(connect) -> list[str]:
    db = connect()
    try:
        cur = db.cursor()
        cur.execute("SELECT id_number, phone FROM core_test_person")
        return [crypto.key_id_of(t) for row in cur.fetchall() for t in row]
    finally:
        db.close()


LOOKUPS = f"""
found = [
    Person.objects.filter(id_number_index=personal_lookup("id_number", ident(i))).count()
    for i in range({ROWS})
]
clear = sorted(p.id_number.reveal() for p in Person.objects.all())
assert clear == sorted(ident(i) for i in range({ROWS})), "a value does not decrypt"
print(json.dumps({{"found": found}}))
"""


def _rotate(env: dict, *args: str) -> str:
    """rotate_keys to the end, in a process that knows the test model."""
    code = (
        "from django.core.management import call_command\n"
        f"call_command('rotate_keys', *{list(args)!r})\n"
    )
    return _py(code, env).stdout


def _lookups(env) -> list[int]:
    return json.loads(_py(LOOKUPS, env).stdout.strip().splitlines()[-1])["found"]


def test_rotate_kill_resume_every_value_readable_every_lookup_working(tmp_path):
    with other_database(tmp_path) as (url, connect):
        old = env_for(url, tmp_path / "var")
        assert tuoyu("migrate", "--noinput", "-v", "0", env=old).returncode == 0
        _py(
            f"""
            for i in range({ROWS}):
                Person.objects.create(name=f"p{{i}}", id_number=ident(i), phone=f"139{{i:08d}}")
            """,
            old,
        )
        assert set(_key_ids(connect)) == {"0"}

        # A new key joins the ring: it encrypts from now on, key 0 still decrypts.
        new = {**old, "TUOYU_DATA_KEYS": f"k1:{NEW_KEY}"}
        out = _kill_midway(new)
        assert "目标密钥编号 k1" in out
        ids = _key_ids(connect)
        assert 0 < ids.count("k1") < len(ids), "killed half-way: some rotated, some not"
        assert _lookups(new) == [1] * ROWS  # half-way: every value reads, every lookup hits

        _rotate(new, "--batch-size", "7")
        assert set(_key_ids(connect)) == {"k1"}
        assert _lookups(new) == [1] * ROWS
        assert "待重新加密 0 个值，待重算索引 0 行" in _rotate(new, "--status")
        # Every committed batch left its audit event and the chains are intact.
        assert tuoyu("audit_verify", env=new).returncode == 0

        # Key 0 can now be retired: only TUOYU_DATA_KEYS, no TUOYU_DATA_KEY… but the blind
        # indexes are still under key 0's index key: rotate them first, mid-way killed too.
        moving = {**new, "TUOYU_INDEX_KEY_ID": "k1", "TUOYU_PREVIOUS_INDEX_KEY_ID": "0"}
        _kill_midway(moving, "--index")
        assert _lookups(moving) == [1] * ROWS  # old and new indexes both match
        assert "改写" in _rotate(moving, "--index")
        retired = {**new, "TUOYU_DATA_KEY": "", "TUOYU_INDEX_KEY_ID": "k1"}
        assert _lookups(retired) == [1] * ROWS
        assert tuoyu("audit_verify", env=retired).returncode == 0


def test_legacy_ciphertexts_without_key_id_still_read(settings):
    """Ciphertexts written before key ids (v1:…) were made with key 0."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key = crypto._derive(crypto._master("0"))[0]
    nonce = b"\x01" * 12
    legacy = (
        "v1:"
        + base64.b64encode(nonce + AESGCM(key).encrypt(nonce, b"13900000000", b"phone")).decode()
    )
    assert crypto.decrypt(legacy, context="phone") == "13900000000"
    assert crypto.key_id_of(legacy) == "0"
    assert crypto.reencrypt(legacy, context="phone").startswith(f"v2:{crypto.current_key_id()}:")


def test_newest_key_encrypts_and_every_key_decrypts(settings):
    before = crypto.encrypt("13900000000", context="phone")
    settings.TUOYU_DATA_KEYRING = [*crypto.keyring(), ("k9", NEW_KEY)]
    after = crypto.encrypt("13900000000", context="phone")
    assert crypto.key_id_of(after) == "k9"
    assert crypto.decrypt(before, context="phone") == crypto.decrypt(after, context="phone")
    settings.TUOYU_DATA_KEYRING = [("k9", NEW_KEY)]
    with pytest.raises(crypto.UnknownKey):
        crypto.decrypt(before, context="phone")


def test_a_malformed_key_ring_stops_the_start():
    from tuoyu.keys import data_keyring, parse_keyring

    assert parse_keyring("a:x, b:y\n# note\nc:z") == [("a", "x"), ("b", "y"), ("c", "z")]
    for bad in ("nocolon", "a:x,a:y", "bad id:x", ":x"):
        with pytest.raises(ValueError):
            parse_keyring(bad)
    with pytest.raises(ValueError, match="保留"):
        data_keyring(legacy="k", spec="0:x")
    assert data_keyring(legacy="", spec="k1:x") == [("k1", "x")]
