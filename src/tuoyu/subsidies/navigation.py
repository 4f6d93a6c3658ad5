"""Where subsidies appears in the shell's navigation and on the home page."""

from django.utils.translation import gettext_lazy as _

from tuoyu.web.navigation import NavEntry, register


def _queue_queries(user) -> list:
    # [scale] #10 point 4: counted with the other badges of the request in one statement.
    from tuoyu.core.scope import scope_of
    from tuoyu.subsidies.models import Claim
    from tuoyu.subsidies.scopes import claims_visible
    from tuoyu.subsidies.selectors.claims import queue_statuses

    statuses = queue_statuses(user)
    if not statuses:
        return []
    return [claims_visible(Claim.objects.filter(status__in=statuses), scope_of(user))]


def register_navigation() -> None:
    register(
        NavEntry(
            _("补助申请"),
            "subsidies:claims",
            "subsidies.view_claims",
            "cash-coin",
            _("查看补助申请及办理进度"),
            order=70,
            descriptions=(
                ("subsidies.claim", _("查看本机构的应享补助，提交补助申请，跟踪审核、审批与支付")),
                ("subsidies.review", _("审核补助申请的资格与金额（P-SUB-1～3），核减须说明理由")),
                ("subsidies.approve", _("审批经区卫健局审核的补助申请，登记支付凭证")),
            ),
            badge_queries=_queue_queries,
            badge_label=_("待办补助申请"),
        ),
        NavEntry(
            _("补助资金台账"),
            "subsidies:funds",
            "subsidies.view_ledger",
            "journal-text",
            _("各项补助资金的年度预算、支付、追回与余额"),
            order=71,
            descriptions=(
                ("subsidies.manage_funds", _("设立补助资金、录入年度预算，查看台账并办理追回")),
            ),
        ),
        NavEntry(
            _("补助资金报表"),
            "subsidies:reports",
            "subsidies.view_reports",
            "bar-chart",
            _("按资金、镇乡街道和机构统计应享、申请、批准、支付与追回金额，导出报表和支付清单"),
            order=72,
        ),
        NavEntry(
            _("示范托育机构"),
            "subsidies:titles",
            "subsidies.record_titles",
            "trophy",
            _("登记示范托育机构称号和综合托育服务中心，据此计算示范奖励（P-SUB-3）"),
            order=73,
        ),
        NavEntry(
            _("税费优惠名单"),
            "subsidies:relief_lists",
            "subsidies.relief_lists",
            "receipt",
            _("享受税费减免和水电气居民价格的社区托育机构名单（P-TAX-1、P-TAX-2）"),
            order=74,
        ),
    )
