"""Where audit appears in the shell's navigation (registered in AppConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from tuoyu.web.navigation import NavEntry, register


def register_navigation() -> None:
    register(
        NavEntry(
            _("审计日志"),
            "audit:list",
            "audit.view_log",
            "shield-check",
            _("所有数据变更与个人信息查看记录，哈希链防篡改校验"),
            order=90,
        ),
    )
