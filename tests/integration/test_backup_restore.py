"""The restore drill ([operations] point 1, MLPS level 3 backup and recovery): seed a small
data set, back it up while connected, restore it into another database and media folder in
a fresh process, and prove it: the audit chains verify against the manifest's heads, every
encrypted field decrypts with the operator's keys, every file matches its hash. And the
refusals: a non-empty target, a tampered file, a manifest that does not match."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tests.integration.ops_support import env_for, other_database, tuoyu
from tuoyu.core import crypto
from tuoyu.core.backup import MANIFEST, BackupError, backup, read_manifest
from tuoyu.core.identifiers import make_id_number
from tuoyu.core.tests.models_for_tests import person_model

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = [
    (f"测试{i}", make_id_number("330703", dt.date(1990, 1, 1 + i), 10 + i), f"1380000{i:04d}")
    for i in range(6)
]


def _seed(make_user, make_institution):
    Person = person_model()
    Person.objects.all().delete()
    for name, id_number, phone in PEOPLE:
        Person.objects.create(name=name, id_number=id_number, phone=phone)
    institution = make_institution(name="备份演练托育园")
    make_user("drill_health", department="health")
    make_user("drill_inst", institution=institution)
    default_storage.save("materials/drill.pdf", ContentFile(b"%PDF-1.4 drill\n" * 50))
    default_storage.save("materials/photo.jpg", ContentFile(bytes(range(256)) * 40))


def test_restore_drill(tmp_path, media_root, make_user, make_institution):
    _seed(make_user, make_institution)
    result = backup(tmp_path / "backup")
    manifest = read_manifest(tmp_path / "backup")
    assert manifest["tables"]["core_test_person"] == len(PEOPLE)
    assert manifest["audit_heads"], "the drill needs audit events"
    assert set(manifest["files"]) == {"materials/drill.pdf", "materials/photo.jpg"}
    text = (tmp_path / "backup" / MANIFEST).read_text()
    assert crypto.keyring()[0][1] not in text  # fingerprints, never the keys

    with other_database(tmp_path) as (url, connect):
        env = env_for(url, tmp_path / "var2")
        done = tuoyu("restore", str(result.directory), env=env)
        assert done.returncode == 0, done.stderr
        assert "核对一致" in done.stdout and "审计链完整" in done.stdout
        # The chains verify against the manifest's heads, in yet another process.
        verified = tuoyu(
            "audit_verify", "--against", str(result.directory / "audit-digest.json"), env=env
        )
        assert verified.returncode == 0, verified.stderr
        db = connect()
        try:
            cur = db.cursor()
            cur.execute("SELECT name, id_number, phone FROM core_test_person ORDER BY name")
            rows = cur.fetchall()
        finally:
            db.close()
        clear = [
            (n, crypto.decrypt(i, context="id_number"), crypto.decrypt(p, context="phone"))
            for n, i, p in rows
        ]
        assert clear == sorted(PEOPLE)
        for name, meta in manifest["files"].items():
            restored = (tmp_path / "var2" / "media" / name).read_bytes()
            assert hashlib.sha256(restored).hexdigest() == meta["sha256"]

        # A second restore into the now full database is refused.
        again = tuoyu("restore", str(result.directory), env=env)
        assert again.returncode != 0 and "不是空的" in again.stderr


def test_restore_refuses_a_tampered_backup(tmp_path, media_root, make_user, make_institution):
    _seed(make_user, make_institution)
    backup(tmp_path / "backup")
    (tmp_path / "backup" / "media" / "materials" / "drill.pdf").write_bytes(b"forged")
    with other_database(tmp_path) as (url, _):
        done = tuoyu("restore", str(tmp_path / "backup"), env=env_for(url, tmp_path / "var2"))
    assert done.returncode != 0
    assert "drill.pdf" in done.stderr and "哈希" in done.stderr


def test_restore_refuses_a_schema_newer_than_the_code(
    tmp_path, media_root, make_user, make_institution
):
    _seed(make_user, make_institution)
    backup(tmp_path / "backup")
    path = tmp_path / "backup" / MANIFEST
    manifest = json.loads(path.read_text())
    manifest["migrations"].append(["core", "9999_from_the_future"])
    path.write_text(json.dumps(manifest))
    with other_database(tmp_path) as (url, _):
        done = tuoyu("restore", str(tmp_path / "backup"), env=env_for(url, tmp_path / "var2"))
    assert done.returncode != 0 and "9999_from_the_future" in done.stderr


def test_restore_refuses_other_keys(tmp_path, media_root, make_user, make_institution):
    _seed(make_user, make_institution)
    backup(tmp_path / "backup")
    with other_database(tmp_path) as (url, _):
        env = env_for(url, tmp_path / "var2", TUOYU_DATA_KEY="A" * 43 + "=")
        done = tuoyu("restore", str(tmp_path / "backup"), env=env)
    assert done.returncode != 0 and "数据密钥" in done.stderr


def test_backup_refuses_a_non_empty_directory(tmp_path, media_root):
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "old.txt").write_text("x")
    with pytest.raises(BackupError, match="不是空目录"):
        backup(tmp_path / "backup")


def test_the_backup_command_is_on_the_audit_record(tmp_path, media_root):
    """Who made a copy of every child's data, and when, is on the record ([operations]):
    `tuoyu backup` appends an audit event naming the copy and its manifest's digest."""
    from django.core.management import call_command

    from tuoyu.audit.models import AuditEvent

    target = tmp_path / "nightly"
    call_command("backup", str(target), stdout=open(tmp_path / "out.txt", "w"))  # noqa: SIM115
    event = AuditEvent.objects.get(action="audit.backup.made")
    digest = hashlib.sha256((target / MANIFEST).read_bytes()).hexdigest()
    assert event.detail["manifest_sha256"] == digest
    assert event.detail["directory"] == str(target) and event.object_id == "nightly"
    assert event.detail["tables"] == len(read_manifest(target)["tables"])
