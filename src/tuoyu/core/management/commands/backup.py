"""`tuoyu backup <dir>`: a consistent copy of the database and the uploaded files, with a
manifest, while the platform runs ([operations] point 1; tuoyu.core.backup)."""

from __future__ import annotations

import hashlib

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tuoyu.core import events
from tuoyu.core.backup import MANIFEST, BackupError, backup


class Command(BaseCommand):
    help = (
        "把数据库与上传文件备份到一个空目录（平台运行中也可执行），并写出清单 manifest.json："
        "数据库结构版本、各表行数、审计链链头、文件哈希。密钥不在备份中，请另行保管"
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="备份目录（不存在或为空）")

    def handle(self, *args, directory, **options):
        try:
            result = backup(directory)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        m = result.manifest
        rows = sum(m["tables"].values())
        # Every backup is on the record (who holds a copy of every child's data matters):
        # the audit app appends a system event naming the copy and its manifest's digest.
        # Core imports no app, so it says so by a domain event.
        digest = hashlib.sha256((result.directory / MANIFEST).read_bytes()).hexdigest()
        with transaction.atomic():
            events.emit(
                events.BACKUP_MADE,
                directory=str(result.directory),
                tables=len(m["tables"]),
                rows=rows,
                files=len(m["files"]),
                manifest_sha256=digest,
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"已备份到 {result.directory}：{len(m['tables'])} 张表共 {rows} 行，"
                f"{len(m['files'])} 个上传文件，{len(m['audit_heads'])} 条审计链"
            )
        )
        self.stdout.write("密钥（数据密钥、审计密钥、SECRET_KEY）不在备份中：请与备份分开保管。")
