"""Backup and restore ([operations] point 1, MLPS level 3: backup and recovery).

`backup(dir)` writes, while the platform runs:

- `database.sqlite3` (SQLite's online backup API: a consistent copy even while others
  write) or `database.dump` (PostgreSQL: `pg_dump -Fc` of an exported snapshot);
- `media/`: the uploaded files, copied after the database (an upload is written before its
  row commits, so every file the copy names is there);
- `audit-digest.json`: the audit chains' heads in the copy (the format of
  `tuoyu audit_verify --write-digest`);
- `manifest.json`: format, time, database vendor, the applied migrations (the schema
  version), the row count of every table and the heads — all read from the same snapshot
  as the copy — the SHA-256 of every file, and the fingerprints (not the keys) of the
  data, index and audit keys the records need.

The keys are never written: they belong elsewhere (README "运维").

`restore(dir)` refuses a manifest that does not match its files, a schema this code does not
know, keys whose fingerprints differ, or a database or media folder that is not empty; then
loads the copy and proves it: the row counts and migrations equal the manifest's, the audit
chains verify against the manifest's heads, every encrypted field decrypts with the
configured keys, every file matches its hash.

Core imports no app: the audit tables are found through the app registry by label and the
audit verification runs as the `audit_verify` command.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from tuoyu.core import crypto
from tuoyu.core.personal import PersonalDataField
from tuoyu.core.private import private_dir

FORMAT = "tuoyu-backup/1"
DIGEST_FORMAT = "tuoyu-audit-digest/1"  # that of tuoyu.audit.chain.DIGEST_FORMAT
MANIFEST = "manifest.json"
DIGEST = "audit-digest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
MEDIA = "media"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot proceed; the message is for the operator (Chinese)."""


def media_root() -> Path:
    """Where the uploads are: the default storage's location (MEDIA_ROOT otherwise)."""
    options = settings.STORAGES.get("default", {}).get("OPTIONS", {})
    return Path(options.get("location") or settings.MEDIA_ROOT)


# ---- facts --------------------------------------------------------------------------------
def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def file_hashes(root: Path) -> dict[str, dict]:
    """{relative posix path: {sha256, size}} of every file under `root`."""
    out: dict[str, dict] = {}
    if not root.exists():
        return out
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        out[path.relative_to(root).as_posix()] = {
            "sha256": sha256_file(path),
            "size": path.stat().st_size,
        }
    return out


def _heads_table() -> str:
    return apps.get_model("audit", "AuditChainHead")._meta.db_table


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _facts(cursor, tables: list[str]) -> dict:
    """Migrations, row counts and audit heads read through a DB-API `cursor`."""
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    migrations = [[app, name] for app, name in cursor.fetchall()]
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
        counts[table] = cursor.fetchone()[0]
    heads = []
    if _heads_table() in tables:
        cursor.execute(
            f"SELECT chain, last_seq, last_hash FROM {_quote(_heads_table())} ORDER BY chain"
        )
        heads = [
            {"chain": c, "last_seq": int(s), "last_hash": h, "count": int(s)}
            for c, s, h in cursor.fetchall()
        ]
    return {"migrations": migrations, "tables": counts, "audit_heads": heads}


def _sqlite_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    return [row[0] for row in cursor.fetchall()]


def _pg_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
    )
    return [row[0] for row in cursor.fetchall()]


def key_fingerprints() -> dict[str, str]:
    """Which keys the records need, without the keys: a one-way hash of each."""
    out = {}
    for label, key in crypto.key_fingerprint_sources().items():
        out[label] = hashlib.sha256(b"tuoyu key fingerprint\x00" + key).hexdigest()[:16]
    audit = getattr(settings, "TUOYU_AUDIT_KEY", "") or ""
    out["audit"] = hashlib.sha256(b"tuoyu key fingerprint\x00" + audit.encode()).hexdigest()[:16]
    return out


# ---- backup -------------------------------------------------------------------------------
@dataclass
class BackupResult:
    directory: Path
    manifest: dict = field(default_factory=dict)


def _prepare_target(target: Path) -> Path:
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"备份目录 {target} 不是空目录，不会覆盖已有备份")
    private_dir(target)
    os.chmod(target, 0o700)
    return target


def _backup_sqlite(target: Path) -> dict:
    path = target / SQLITE_FILE
    connection.ensure_connection()
    dest = sqlite3.connect(path)
    try:
        connection.connection.backup(dest)
    finally:
        dest.close()
    os.chmod(path, 0o600)
    copy = sqlite3.connect(path)
    try:
        cursor = copy.cursor()
        return _facts(cursor, _sqlite_tables(cursor))
    finally:
        copy.close()


def pg_url(settings_dict: dict) -> str:
    """A libpq connection string of a Django PostgreSQL settings dict (password excluded:
    it goes through PGPASSWORD)."""
    from psycopg.conninfo import make_conninfo

    parts = {
        "dbname": settings_dict.get("NAME") or "",
        "user": settings_dict.get("USER") or "",
        "host": settings_dict.get("HOST") or "",
        "port": str(settings_dict.get("PORT") or ""),
    }
    return make_conninfo(**{k: v for k, v in parts.items() if v})


def pg_env(settings_dict: dict) -> dict:
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return env


def _tool(name: str) -> str:
    path = shutil.which(name) or f"/usr/bin/{name}"
    if not Path(path).exists():
        raise BackupError(
            f"找不到 {name}：请安装 PostgreSQL 客户端（Debian 软件包 postgresql-client）"
        )
    return path


def _backup_postgres(target: Path) -> dict:
    """pg_dump of a snapshot exported by this transaction, and the facts read in it: the
    counts and heads are those of the dump, whatever commits meanwhile."""
    path = target / PG_FILE
    sd = connection.settings_dict
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        facts = _facts(cursor, _pg_tables(cursor))
        done = subprocess.run(
            [_tool("pg_dump"), "-Fc", "--no-owner", "--no-privileges",
             f"--snapshot={snapshot}", "-f", str(path), "--dbname", pg_url(sd)],
            env=pg_env(sd),
            capture_output=True,
            text=True,
        )  # fmt: skip
    if done.returncode != 0:
        raise BackupError(f"pg_dump 失败：{done.stderr.strip()}")
    os.chmod(path, 0o600)
    return facts


def _copy_media(source: Path, target: Path) -> None:
    dest = target / MEDIA
    private_dir(dest)
    if source.exists():
        shutil.copytree(source, dest, dirs_exist_ok=True)


def backup(target: Path | str) -> BackupResult:
    """Write a consistent backup of the database and the uploads into the empty `target`."""
    target = _prepare_target(Path(target))
    vendor = connection.vendor
    if vendor == "sqlite":
        facts, db_file = _backup_sqlite(target), SQLITE_FILE
    elif vendor == "postgresql":
        facts, db_file = _backup_postgres(target), PG_FILE
    else:
        raise BackupError(f"不支持的数据库类型：{vendor}")
    _copy_media(media_root(), target)
    digest = {
        "format": DIGEST_FORMAT,
        "generated_at": timezone.now().isoformat(),
        "chains": facts["audit_heads"],
    }
    (target / DIGEST).write_text(json.dumps(digest, ensure_ascii=False, indent=2) + "\n")
    os.chmod(target / DIGEST, 0o600)
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "vendor": vendor,
        "database_file": db_file,
        "database_sha256": sha256_file(target / db_file),
        "migrations": facts["migrations"],
        "tables": facts["tables"],
        "audit_heads": facts["audit_heads"],
        "files": file_hashes(target / MEDIA),
        "keys": key_fingerprints(),
    }
    path = target / MANIFEST
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    os.chmod(path, 0o600)
    return BackupResult(directory=target, manifest=manifest)


# ---- restore ------------------------------------------------------------------------------
def read_manifest(source: Path) -> dict:
    path = Path(source) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BackupError(f"无法读取备份清单 {path}：{exc}") from exc
    except ValueError as exc:
        raise BackupError(f"备份清单 {path} 不是有效的 JSON：{exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} 不是本平台的备份清单（format 不符）")
    return manifest


def check_backup(source: Path, manifest: dict) -> list[str]:
    """Problems between the manifest and the backup's own files, the running code and the
    configured keys; empty when the backup can be restored here."""
    problems = []
    db_file = source / manifest["database_file"]
    if manifest["vendor"] != connection.vendor:
        problems.append(f"备份来自 {manifest['vendor']} 数据库，当前配置的是 {connection.vendor}")
    if not db_file.exists():
        problems.append(f"缺少数据库备份文件 {db_file.name}")
    elif sha256_file(db_file) != manifest["database_sha256"]:
        problems.append(f"数据库备份文件 {db_file.name} 的哈希与清单不符（文件已损坏或被替换）")
    problems.extend(_file_problems(source / MEDIA, manifest["files"], what="备份"))
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [f"{a}.{n}" for a, n in manifest["migrations"] if (a, n) not in known]
    if unknown:
        problems.append(
            "备份的数据库结构比当前程序新（程序不认识迁移 "
            + "、".join(unknown[:5])
            + "）：请先部署备份时的版本或更新版本"
        )
    mine = key_fingerprints()
    for label, fingerprint in manifest.get("keys", {}).items():
        if mine.get(label) != fingerprint:
            problems.append(
                f"当前配置的{_key_name(label)}与备份时不同（或未配置）：加密数据将无法读取"
            )
    return problems


def _key_name(label: str) -> str:
    if label.startswith("data:"):
        return f"数据密钥（编号 {label[5:]}）"
    return "审计密钥" if label == "audit" else label


def _file_problems(root: Path, expected: dict, *, what: str) -> list[str]:
    actual = file_hashes(root)
    problems = []
    for name, meta in sorted(expected.items()):
        got = actual.get(name)
        if got is None:
            problems.append(f"{what}中缺少文件 {name}")
        elif got["sha256"] != meta["sha256"]:
            problems.append(f"{what}中的文件 {name} 与清单记录的哈希不符")
    for name in sorted(set(actual) - set(expected)):
        problems.append(f"{what}中多出清单未记录的文件 {name}")
    return problems


def database_is_empty() -> bool:
    with connection.cursor() as cursor:
        tables = _sqlite_tables(cursor) if connection.vendor == "sqlite" else _pg_tables(cursor)
    return not tables


def _restore_sqlite(source: Path) -> None:
    target = Path(settings.DATABASES["default"]["NAME"])
    connection.close()
    src = sqlite3.connect(source / SQLITE_FILE)
    dest = sqlite3.connect(target)
    try:
        src.backup(dest)
    finally:
        src.close()
        dest.close()
    os.chmod(target, 0o600)


def _restore_postgres(source: Path) -> None:
    sd = connection.settings_dict
    connection.close()
    done = subprocess.run(
        [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
         "--single-transaction", "--dbname", pg_url(sd), str(source / PG_FILE)],
        env=pg_env(sd),
        capture_output=True,
        text=True,
    )  # fmt: skip
    if done.returncode != 0:
        raise BackupError(f"pg_restore 失败：{done.stderr.strip()}")


def restore(source: Path | str) -> dict:
    """Load the backup in `source` into the configured (empty) database and media folder,
    then verify it (`verify_restored`); returns the manifest."""
    source = Path(source)
    manifest = read_manifest(source)
    problems = check_backup(source, manifest)
    if problems:
        raise BackupError("备份不能恢复：\n" + "\n".join(f"- {p}" for p in problems))
    if not database_is_empty():
        raise BackupError("目标数据库不是空的：恢复只写入空数据库（请新建数据库后再恢复）")
    media = media_root()
    if media.exists() and any(media.iterdir()):
        raise BackupError(f"上传文件目录 {media} 不是空的：恢复只写入空目录")
    if manifest["vendor"] == "sqlite":
        _restore_sqlite(source)
    else:
        _restore_postgres(source)
    private_dir(media)
    if (source / MEDIA).exists():
        shutil.copytree(source / MEDIA, media, dirs_exist_ok=True)
    return manifest


# ---- proving a restore -------------------------------------------------------------------
def verify_restored(manifest: dict) -> list[str]:
    """Problems of the restored database and media against `manifest` (the audit chains are
    checked by the caller, through `audit_verify --against`)."""
    problems = []
    with connection.cursor() as cursor:
        tables = _sqlite_tables(cursor) if connection.vendor == "sqlite" else _pg_tables(cursor)
        facts = _facts(cursor, tables)
    for table, count in sorted(manifest["tables"].items()):
        got = facts["tables"].get(table)
        if got != count:
            problems.append(f"表 {table}：清单 {count} 行，恢复后 {got} 行")
    if facts["migrations"] != manifest["migrations"]:
        problems.append("已应用的迁移与清单不符")
    if facts["audit_heads"] != manifest["audit_heads"]:
        problems.append("审计链链头与清单不符")
    problems.extend(_file_problems(media_root(), manifest["files"], what="上传目录"))
    problems.extend(undecryptable_fields())
    return problems


def personal_columns() -> list[tuple[type, PersonalDataField]]:
    """Every (model, field) of the installed models holding encrypted personal data."""
    out = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, PersonalDataField):
                out.append((model, f))
    return out


def undecryptable_fields(*, batch_size: int = 2000) -> list[str]:
    """Every encrypted value of every model must decrypt with the configured keys."""
    problems = []
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
    for model, f in personal_columns():
        if model._meta.db_table not in present:
            continue
        bad = 0
        # Encrypted columns allow no lookup but isnull (tuoyu.core.personal).
        values = model._base_manager.filter(**{f"{f.attname}__isnull": False})
        for sealed in values.values_list(f.attname, flat=True).iterator(chunk_size=batch_size):
            token = getattr(sealed, "ciphertext", sealed)
            if not token:
                continue
            try:
                crypto.decrypt(token, context=f.kind)
            except Exception:  # any failure is the finding
                bad += 1
        if bad:
            problems.append(f"{model._meta.label}.{f.name}：{bad} 个加密值无法用当前密钥解密")
    return problems
