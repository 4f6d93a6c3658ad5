from django.core.management.base import BaseCommand

from tuoyu.accounts.selectors import demo_account_rows


class Command(BaseCommand):
    help = "列出演示账号：username<TAB>role<TAB>scope_name<TAB>scope_code（API-CONTRACT §7）"

    def handle(self, *args, **options):
        for row in demo_account_rows():
            self.stdout.write("\t".join(row))
