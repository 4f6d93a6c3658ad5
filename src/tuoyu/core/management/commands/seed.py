import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tuoyu.core import seeding


class Command(BaseCommand):
    help = "生成确定性的演示/压测数据：--scale district|city|province --seed N"

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(seeding.SCALES), default="district")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--today", help="以该日期为“今天”生成历史数据（YYYY-MM-DD）")
        parser.add_argument(
            "--if-empty", action="store_true", help="数据库中已有数据时跳过（make demo 用）"
        )
        parser.add_argument("--quiet", action="store_true")
        parser.add_argument(
            "--history-weeks",
            type=int,
            default=4,
            help="逐日历史数据（晨午检）的周数，默认 4 周；make demo 生成 52 周（一年）",
        )

    def handle(self, *args, scale, seed, today, if_empty, quiet, history_weeks, **options):
        if not 1 <= history_weeks <= 104:
            raise CommandError("--history-weeks 应为 1 至 104 的整数")
        if if_empty and seeding.has_data():
            self.stdout.write("已有数据，跳过生成。")
            return
        try:
            day = dt.date.fromisoformat(today) if today else None
        except ValueError as exc:
            raise CommandError("--today 格式应为 YYYY-MM-DD") from exc
        ctx = seeding.run(
            scale=scale,
            seed=seed,
            district_code=settings.TUOYU_DISTRICT_CODE,
            today=day,
            stdout=self.stdout,
            quiet=quiet,
            history_weeks=history_weeks,
        )
        report = ctx.shared.get("report") or {}
        if report:
            self.stdout.write(
                f"写入 {report['rows']:,} 行，用时 {report['seconds']:.1f} 秒"
                f"（{report['rows_per_second']:,.0f} 行/秒），内存峰值 {report['peak_rss_mib']:.0f} MiB"
                "；统计信息已刷新"
            )
        self.stdout.write(self.style.SUCCESS(f"已生成 {ctx.scale.name} 规模数据（seed={seed}）"))
