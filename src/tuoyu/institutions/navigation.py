"""Where institutions appears in the shell's navigation (registered in AppConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from tuoyu.web.navigation import NavEntry, register


def register_navigation() -> None:
    register(
        NavEntry(
            _("托育机构"),
            "institutions:list",
            "institutions.view_directory",
            "building",
            _("按镇街、状态、模式、普惠、连锁查询托育机构，导出名单，查看机构全部信息"),
            order=10,
        ),
        NavEntry(
            _("登记信息"),
            "institutions:registrations",
            "institutions.view_registrations",
            "inbox",
            _("登记机关推送、录入或导入的登记、变更、注销信息；已登记未备案机构及逾期提醒"),
            order=20,
        ),
        NavEntry(
            _("连锁与普惠"),
            "institutions:chains",
            "institutions.manage_chains",
            "diagram-3",
            _("连锁经营协议（范围、上限、有效期）与普惠性托育机构认定、撤销"),
            order=50,
        ),
    )
