"""Where children appears in the shell's navigation (registered in AppConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from tuoyu.web.navigation import NavEntry, register


def _open_alerts_queries(user) -> list:
    # [scale] #10 point 4: counted with the other badges of the request in one statement.
    from tuoyu.children import selectors

    return [selectors.alerts_visible(acting_user=user).exclude(status="closed")]


def register_navigation() -> None:
    register(
        NavEntry(
            _("晨午检"),
            "children:classes",
            "children.record_checks",
            "clipboard2-pulse",
            _("按班级录入晨检、午检，查看需调班、缺入托体检和接种证待查验的儿童"),
            order=40,
        ),
        NavEntry(
            _("在托儿童"),
            "children:list",
            "children.view_children",
            "people",
            _("在托儿童名单、体检与生长发育评价（WHO 儿童生长标准）"),
            order=39,
        ),
        NavEntry(
            _("伙食费公示"),
            "children:meals",
            "children.view_children",
            "receipt",
            _("提供膳食的机构按月公示伙食费收支；逾期未公示的月份标出（P-HC-7）"),
            order=43,
        ),
        NavEntry(
            _("健康管理率与入托率"),
            "children:rates",
            "children.view_rates",
            "graph-up",
            _(
                "在托儿童健康管理率（年内至少 1 次体检、4-2-2 系统管理）与各镇乡街道入托率，附分子、分母和名单"
            ),
            order=42,
        ),
        NavEntry(
            _("传染病预警"),
            "children:alerts",
            "children.view_alerts",
            "exclamation-triangle",
            _("晨午检发现的聚集性症状预警：涉及的儿童和日期，确认并记录处置措施"),
            order=41,
            badge_queries=_open_alerts_queries,
            badge_label=_("未关闭的预警"),
        ),
    )
