"""`tuoyu rotate_keys`: every encrypted personal value under the newest data key, or
(`--index`) every blind index under the current index key ([operations] point 2).

    tuoyu rotate_keys --new-key 2026a   # demo: append a new key to var/data.keys
    tuoyu rotate_keys                   # re-encrypt, in batches, audited, with progress
    tuoyu rotate_keys --index           # after changing TUOYU_INDEX_KEY_ID
    tuoyu rotate_keys --status          # what is left

Resumable: each batch commits with its audit event; after a kill -9, run it again.
The logic is tuoyu.core.keyrotation; this command lives in the jobs app because it audits
(core imports no app above it).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tuoyu.audit.services import audit_record
from tuoyu.core import crypto, keyrotation
from tuoyu.jobs.catalogue import JobsAction
from tuoyu.keys import add_key_to_file, data_keyring


class Command(BaseCommand):
    help = (
        "把加密的个人信息改用最新的数据密钥重新加密（--index：按当前索引密钥重算盲索引）；"
        "分批提交并逐批写入审计日志，中断后重新运行即可从断点继续"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--index", action="store_true", help="重算盲索引（更换 TUOYU_INDEX_KEY_ID 之后）"
        )
        parser.add_argument("--batch-size", type=int, default=500, help="每批行数（默认 500）")
        parser.add_argument(
            "--pause", type=float, default=0.0, help="每批之间暂停的秒数（减轻数据库负载）"
        )
        parser.add_argument("--status", action="store_true", help="只统计尚未轮换的数量，不做修改")
        parser.add_argument(
            "--new-key",
            metavar="ID",
            help="演示环境：生成新的数据密钥并追加到 var/data.keys（编号 ID）",
        )

    def handle(self, *args, index, batch_size, pause, status, new_key, **options):
        if new_key:
            return self._new_key(new_key)
        if batch_size < 1:
            raise CommandError("--batch-size 必须为正整数")
        models = keyrotation.personal_models()
        if status:
            return self._status(models)
        mode = "index" if index else "data"
        key = crypto.index_key_id() if index else crypto.current_key_id()
        what = "盲索引" if index else "加密值"
        self.stdout.write(f"开始轮换{what}：目标密钥编号 {key}，共 {len(models)} 类记录")
        for model in models:
            walked, changed = keyrotation.rotate_model(
                model, mode=mode, batch_size=batch_size, on_batch=self._batch, pause=pause
            )
            self.stdout.write(f"{model._meta.label}：检查 {walked} 行，改写 {changed} 行")
        self.stdout.write(self.style.SUCCESS(f"{what}轮换完成：均已使用密钥编号 {key}"))

    def _batch(self, report: keyrotation.BatchReport) -> None:
        # In the batch's transaction: the rows and their event commit together.
        audit_record(
            action=JobsAction.KEY_ROTATION_BATCH,
            object_type="key_rotation",
            object_id=report.model,
            object_label=report.model,
            detail={
                "mode": report.mode,
                "key_id": crypto.index_key_id()
                if report.mode == "index"
                else crypto.current_key_id(),
                "first_pk": report.first_pk,
                "last_pk": report.last_pk,
                "rows": report.rows,
                "changed": report.changed,
            },
            shard="district",
        )
        self.stdout.write(
            f"  {report.model} {report.done}/{report.total}（本批改写 {report.changed}）"
        )
        self.stdout.flush()

    def _status(self, models) -> None:
        for model in models:
            left = keyrotation.remaining(model)
            self.stdout.write(
                f"{model._meta.label}：待重新加密 {left['values']} 个值，待重算索引 {left['indexes']} 行"
            )

    def _new_key(self, kid: str) -> None:
        if os.environ.get("TUOYU_DATA_KEYS"):
            raise CommandError(
                "密钥由环境变量 TUOYU_DATA_KEYS 配置：请在那里追加新密钥（编号:base64）"
            )
        path = Path(settings.TUOYU_DATA_KEYS_FILE)
        try:
            add_key_to_file(path, kid)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        settings.TUOYU_DATA_KEYRING = data_keyring(
            legacy=settings.TUOYU_DATA_KEY, spec=path.read_text()
        )
        self.stdout.write(
            self.style.SUCCESS(f"已生成数据密钥 {kid} 并追加到 {path}：新写入的数据将用它加密。")
        )
        self.stdout.write("接着运行 tuoyu rotate_keys 重新加密已有数据；请把新密钥同样另行备份。")
