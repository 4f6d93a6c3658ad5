"""`tuoyu restore <dir>`: a backup of `tuoyu backup` into an empty database and media
folder, then proved: counts, migrations, audit chains against the manifest's heads, every
encrypted value, every file ([operations] point 1; tuoyu.core.backup)."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tuoyu.core.backup import DIGEST, BackupError, restore, verify_restored


class Command(BaseCommand):
    help = (
        "把 tuoyu backup 的备份恢复到空数据库与空上传目录，并核对：各表行数、数据库结构版本、"
        "审计链与清单链头一致、所有加密字段可用当前密钥解密、所有文件哈希一致。"
        "清单与备份文件、程序版本或密钥不符时拒绝恢复"
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="tuoyu backup 写出的备份目录")

    def handle(self, *args, directory, **options):
        try:
            manifest = restore(directory)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(f"已载入 {len(manifest['tables'])} 张表共 {rows} 行，正在核对…")
        problems = verify_restored(manifest)
        if problems:
            raise CommandError("恢复后核对不一致：\n" + "\n".join(f"- {p}" for p in problems))
        # The audit app proves the chains: every event rehashed, heads as in the manifest.
        call_command("audit_verify", against=str(Path(directory) / DIGEST), stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"恢复完成并核对一致：{len(manifest['files'])} 个文件哈希一致，加密字段均可解密"
            )
        )
        self.stdout.write("如程序版本比备份新，请接着运行 tuoyu migrate。")
