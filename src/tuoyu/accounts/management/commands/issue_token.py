from django.core.management.base import BaseCommand, CommandError

from tuoyu.accounts.models import User
from tuoyu.accounts.services import api_token_issue
from tuoyu.core.errors import DomainError


class Command(BaseCommand):
    help = "为指定用户签发接口令牌并打印（API-CONTRACT §0）"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="命令行签发")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在")
        try:
            _, raw = api_token_issue(user=user, name=name)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(raw)
