"""`tuoyu holiday_notice_load <file.yaml>`: enter (or replace) a year's State Council
holiday notice from a YAML file, through the same service and checks as the page
(P-FIL-2 working days). The file:

    year: 2027
    title: 国务院办公厅关于2027年部分节假日安排的通知
    document_number: 国办发明电〔2026〕7号
    published_on: 2026-11-12
    holidays:            # days off: dates or ranges
      - 2027-01-01
      - 2027-10-01..2027-10-07
    makeup_workdays:     # weekend days that are working days (调休上班)
      - 2027-09-26
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError

from tuoyu.core.errors import DomainError
from tuoyu.regions.services import holiday_notice_save

MAX_FILE_BYTES = 1024 * 1024


def _text(value) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


class Command(BaseCommand):
    help = "从 YAML 文件录入（或替换）某年度国务院节假日安排通知（放假与调休上班日期）"

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            help="YAML 文件：year、title、document_number、published_on、holidays、makeup_workdays",
        )

    def handle(self, *args, file: str, **options):
        path = Path(file)
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise CommandError(f"文件过大（超过 {MAX_FILE_BYTES // 1024} KB）：{path}")
            data = yaml.safe_load(path.read_text("utf-8"))
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}：{exc}") from exc
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise CommandError(f"文件不是有效的 YAML：{exc}") from exc
        if not isinstance(data, dict):
            raise CommandError("文件内容应为一个映射（year、title、document_number …）")
        for key in ("holidays", "makeup_workdays"):
            value = data.get(key) or []
            if not isinstance(value, list):
                raise CommandError(f"{key} 应为日期列表")
            data[key] = [_text(v) for v in value]
        published = data.get("published_on")
        try:
            result = holiday_notice_save(
                acting_user=None,
                year=data.get("year"),
                title=str(data.get("title") or ""),
                document_number=str(data.get("document_number") or ""),
                published_on=_text(published) if published else "",
                holidays=data["holidays"],
                makeup_workdays=data["makeup_workdays"],
            )
        except DomainError as exc:
            lines = "\n".join(f"  {e.field or '—'}：{e.message}" for e in exc.errors)
            raise CommandError(f"{exc.title}\n{lines}") from exc
        notice = result.notice
        verb = "已录入" if result.created else "已替换"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {notice.year} 年节假日安排通知（{notice.document_number}）："
                f"放假 {len(notice.holidays)} 天，调休上班 {len(notice.makeup_workdays)} 天"
            )
        )
