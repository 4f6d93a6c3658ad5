"""`tuoyu audit_verify`: every audit chain against its head ([house] point 6).

    tuoyu audit_verify                              # recompute every chain, compare with heads
    tuoyu audit_verify --write-digest /mnt/offsite  # …then write the heads to a dated file
    tuoyu audit_verify --against audit-digest-2026-12-01T083000.json

The digest holds each chain's last seq and hash. Keep it outside the database (another
machine, write-once storage): `--against` then proves that nothing up to those events was
rewritten or removed since, even by someone who can also rewrite the head rows.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tuoyu.audit import chain
from tuoyu.audit.selectors import audit_chain_verify


def _digest_path(target: str) -> Path:
    path = Path(target)
    if path.is_dir() or target.endswith(("/", os.sep)):
        stamp = timezone.localtime().strftime("%Y-%m-%dT%H%M%S")
        return path / f"audit-digest-{stamp}.json"
    return path


class Command(BaseCommand):
    help = "重新计算每条审计链并与链头核对；可写出链头摘要，或与此前的摘要核对"

    def add_arguments(self, parser):
        parser.add_argument(
            "--write-digest",
            metavar="PATH",
            help="校验通过后把各链链头写入 JSON 摘要文件（给目录时自动命名 audit-digest-<时间>.json），"
            "请保存在数据库之外",
        )
        parser.add_argument(
            "--against",
            metavar="DIGEST",
            help="与此前写出的摘要核对：摘要中每条链的该序号事件必须仍在且哈希一致",
        )

    def handle(self, *args, **options):
        report = audit_chain_verify()
        against = options.get("against")
        if against:
            saved = self._read_digest(against)
            try:
                chain.verify_against(saved, report=report)
            except (KeyError, TypeError, ValueError) as exc:
                raise CommandError(f"摘要文件 {against} 格式不正确：{exc}") from exc
        if not report.ok:
            lines = [str(p) for p in report.problems]
            lines.append(f"共 {len(report.problems)} 处问题；其余 {report.checked} 条事件校验完整")
            raise CommandError("\n".join(lines))
        self.stdout.write(
            self.style.SUCCESS(
                f"审计链完整：共 {len(report.chains)} 条链，共校验 {report.checked} 条事件"
            )
        )
        if against:
            self.stdout.write(self.style.SUCCESS(f"与摘要 {against} 核对一致：此前的历史未被改写"))
        if options.get("write_digest"):
            path = self._write_digest(options["write_digest"], chain.digest(report))
            self.stdout.write(self.style.SUCCESS(f"已写出审计链摘要：{path}（请保存在数据库之外）"))

    def _read_digest(self, target: str) -> dict:
        try:
            return json.loads(Path(target).read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"无法读取摘要文件 {target}：{exc}") from exc
        except ValueError as exc:
            raise CommandError(f"摘要文件 {target} 不是有效的 JSON：{exc}") from exc

    def _write_digest(self, target: str, data: dict) -> Path:
        path = _digest_path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        try:
            # Never overwrite an earlier digest: that is the evidence.
            with path.open("x", encoding="utf-8") as fh:
                fh.write(text)
        except FileExistsError as exc:
            raise CommandError(f"摘要文件 {path} 已存在，不会覆盖") from exc
        except OSError as exc:
            raise CommandError(f"无法写出摘要文件 {path}：{exc}") from exc
        return path
