"""Where regions appears in the shell's navigation (registered in AppConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from tuoyu.web.navigation import NavEntry, register


def register_navigation() -> None:
    register(
        NavEntry(
            _("行政区划与人口"),
            "regions:list",
            "regions.view_statistics",
            "geo-alt",
            _("查看区划树及各年度常住人口、出生、婴幼儿健康管理统计，导入年度统计数据"),
            order=60,
        ),
    )
