"""`tuoyu user_admin create|disable|enable|reset|activation-code <username>`: the account
lifecycle for platform operators ([accounts-ux] #9 point 1), through the same services as
the pages, with acting_user=None (the system, as every command)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tuoyu.accounts import services
from tuoyu.accounts.handover import activation_url
from tuoyu.accounts.models import Department, User
from tuoyu.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "账号管理：create 新建账号并输出激活码；disable 停用；enable 启用；"
        "reset 重置为临时密码（登录后须修改）；activation-code 重新签发激活码（原激活码作废）"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "action", choices=["create", "disable", "enable", "reset", "activation-code"]
        )
        parser.add_argument("username")
        unit = parser.add_argument_group("create：所属单位（四选一）")
        unit.add_argument("--department", help="部门代码，如 health")
        unit.add_argument("--township", help="镇乡街道区划代码，如 330703001")
        unit.add_argument("--institution", help="机构统一社会信用代码")
        unit.add_argument("--system", action="store_true", help="平台运维（系统范围）")
        parser.add_argument("--name", default="", help="姓名")
        parser.add_argument("--admin", action="store_true", help="设为本单位管理员")
        parser.add_argument(
            "--letter", type=Path, help="create / activation-code：把交接函 PDF 写入该文件"
        )

    def handle(self, *args, action, username, **options):
        try:
            if action == "create":
                user, code = self._create(username, options)
                self._code(user, code, options.get("letter"))
                return
            user = User.objects.filter(username__iexact=username).first()
            if user is None:
                raise CommandError(f"用户 {username} 不存在")
            if action == "disable":
                services.user_disable(acting_user=None, user=user)
                self.stdout.write(f"已停用 {user.username}")
            elif action == "enable":
                user = services.user_enable(acting_user=None, user=user)
                self.stdout.write(f"已启用 {user.username}（{user.lifecycle_label}）")
            elif action == "reset":
                self.stdout.write(services.user_password_reset(acting_user=None, user=user))
            else:
                _, code = services.user_activation_code_issue(acting_user=None, user=user)
                self._code(user, code, options.get("letter"))
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _create(self, username, options):
        unit: dict = {}
        if options.get("department"):
            unit["department"] = Department.objects.filter(code=options["department"]).first()
            if unit["department"] is None:
                raise CommandError(f"部门 {options['department']} 不存在")
        if options.get("township"):
            from tuoyu.regions.models import Region

            unit["township"] = Region.objects.filter(
                code=options["township"], level=Region.Level.TOWNSHIP
            ).first()
            if unit["township"] is None:
                raise CommandError(f"镇乡街道 {options['township']} 不存在")
        if options.get("institution"):
            model = User._meta.get_field("institution").related_model
            unit["institution"] = model.objects.filter(uscc=options["institution"]).first()
            if unit["institution"] is None:
                raise CommandError(f"机构 {options['institution']} 不存在")
        if options.get("system"):
            if unit:
                raise CommandError("--system 不能与其他所属单位同时使用")
            user = services.user_create(
                username=username,
                display_name=options.get("name", ""),
                is_staff=True,
                is_active=False,
                is_scope_admin=options.get("admin", False),
            )
            _, code = services.user_activation_code_issue(acting_user=None, user=user)
            return user, code
        if len(unit) != 1:
            raise CommandError(
                "请用 --department、--township、--institution 或 --system 指定一个所属单位"
            )
        return services.user_account_add(
            acting_user=None,
            username=username,
            display_name=options.get("name", ""),
            is_scope_admin=options.get("admin", False),
            **unit,
        )

    def _code(self, user, code, letter):
        self.stdout.write(code)
        if letter:
            pdf = services.user_handover_letter(
                acting_user=None, user=user, code=code, activation_url=activation_url(user.username)
            )
            letter.write_bytes(pdf)
            self.stderr.write(f"交接函已写入 {letter}", style_func=lambda text: text)
