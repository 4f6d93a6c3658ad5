"""Where policy appears in the shell's navigation (registered in AppConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from tuoyu.web.navigation import NavEntry, register


def register_navigation() -> None:
    register(
        NavEntry(
            _("政策参数"),
            "policy:show",
            "policy.view",
            "journal-text",
            _("查询任一日期生效的政策参数（班额、补助标准、目标值等）及其政策依据"),
            order=70,
        ),
    )
