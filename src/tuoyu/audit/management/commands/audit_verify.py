from django.core.management.base import BaseCommand, CommandError

from tuoyu.audit.selectors import audit_chain_verify


class Command(BaseCommand):
    help = "重新计算审计日志哈希链，报告第一个断裂的位置"

    def handle(self, *args, **options):
        report = audit_chain_verify()
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"审计链完整：共校验 {report.checked} 条事件"))
            return
        raise CommandError(
            f"审计链在序号 {report.broken_seq} 处断裂：{report.reason}"
            f"（此前 {report.checked} 条完整）"
        )
