from django.core.management.base import BaseCommand

from tuoyu.accounts.seeding import DEMO_TOTP_KEY_HEX, DEMO_TOTP_SECRET
from tuoyu.accounts.selectors import demo_account_rows, demo_second_factor_rows


class Command(BaseCommand):
    help = (
        "列出演示账号：username<TAB>role<TAB>scope_name<TAB>scope_code（API-CONTRACT §7）；"
        "需二次验证的演示账号的 TOTP 密钥另行输出到标准错误"
    )

    def handle(self, *args, **options):
        for row in demo_account_rows():
            self.stdout.write("\t".join(row))
        # The contract's rows stay four columns on stdout; the hint goes to stderr, and
        # only for devices holding the published demo secret — never a real one.
        usernames = demo_second_factor_rows(DEMO_TOTP_KEY_HEX)
        if usernames:
            self.stderr.write(
                f"需二次验证的演示账号（{'、'.join(usernames)}）：TOTP 密钥 {DEMO_TOTP_SECRET}，"
                f"当前验证码：oathtool --totp -b {DEMO_TOTP_SECRET}（或用验证器应用手动添加该密钥）",
                style_func=lambda text: text,
            )
