from django.core.management.base import BaseCommand

from tuoyu.core.db import refresh_statistics


class Command(BaseCommand):
    help = (
        "刷新查询规划器的统计信息：PostgreSQL 执行 ANALYZE，SQLite 执行 PRAGMA optimize"
        "（从未分析过的表先 ANALYZE）。生成数据、大批量导入后及每日定时任务中自动运行。"
    )

    def handle(self, *args, **options):
        done = refresh_statistics()
        if done["vendor"] == "postgresql":
            what = "ANALYZE"
        else:
            what = f"PRAGMA optimize（新分析 {len(done['analysed'])} 张表）"
        self.stdout.write(f"统计信息已刷新：{what}，用时 {done['seconds']:.2f} 秒")
