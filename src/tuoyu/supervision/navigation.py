"""Where supervision appears in the shell's navigation (registered in AppConfig.ready()).
Each entry carries the permission of its page, so no role is offered a page it cannot use,
and the description names only actions the role can take (`descriptions` variants)."""

from django.utils.translation import gettext_lazy as _

from tuoyu.web.navigation import NavEntry, register


def register_navigation() -> None:
    register(
        NavEntry(
            _("投诉处理"),
            "supervision:complaints",
            "supervision.view",
            "megaphone",
            _("关于本辖区或本机构的投诉及答复"),
            order=60,
            descriptions=(
                (
                    "supervision.handle_complaints",
                    _("按类别转交本部门的投诉，按期答复；登记 12345 热线投诉"),
                ),
            ),
        ),
        NavEntry(
            _("监督检查"),
            "supervision:inspections",
            "supervision.view_inspections",
            "clipboard2-pulse",
            _("监督检查的记录和结果"),
            order=61,
            descriptions=(("supervision.inspect", _("按检查表现场检查，记录问题并下达整改通知")),),
        ),
        NavEntry(
            _("检查计划"),
            "supervision:plans",
            "supervision.inspect",
            "shuffle",
            _("制定检查计划，双随机抽取检查对象和检查人员并公示"),
            order=62,
        ),
        NavEntry(
            _("整改通知"),
            "supervision:orders",
            "supervision.view_inspections",
            "wrench-adjustable",
            _("整改通知的整改、验收与逾期情况"),
            order=63,
        ),
        NavEntry(
            _("风险排序"),
            "supervision:risk",
            "supervision.inspect",
            "graph-up-arrow",
            _("本部门检查范围内机构的风险评分排序"),
            order=64,
        ),
        NavEntry(
            _("黑名单"),
            "supervision:blacklist",
            "supervision.blacklist",
            "slash-circle",
            _("提议、双人审核并公开黑名单"),
            order=65,
        ),
        NavEntry(
            _("镇乡街道监管一览"),
            "supervision:township",
            "supervision.view_township",
            "geo-alt",
            _("辖区托育机构、未办结整改和投诉"),
            order=66,
        ),
        NavEntry(
            _("虐童事件零容忍"),
            "supervision:cases",
            "supervision.view_case",
            "shield-exclamation",
            _("立案、责令停业、终身禁入与通报（P-SUP-6）"),
            order=67,
        ),
    )
