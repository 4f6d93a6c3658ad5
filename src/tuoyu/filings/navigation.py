"""Where filings appears in the shell's navigation (registered in AppConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from tuoyu.web.navigation import HomeCard, NavEntry, register, register_card


def register_navigation() -> None:
    register(
        NavEntry(
            _("我的备案"),
            "filings:mine",
            "filings.file_own",
            "file-earmark-text",
            _("在线填报备案信息、班级与材料，提交审核，查看进度与退回意见，下载备案回执"),
            order=30,
        ),
        NavEntry(
            _("备案审核"),
            "filings:queue",
            "filings.review",
            "clipboard-check",
            _("按本部门负责的审核事项（消防、安全、食品、卫生保健）审核备案申请"),
            order=40,
        ),
    )


def _deadlines_card(request) -> dict:
    """P-FIL-2: how many applications are past their receipt deadline (working days), and
    how many wait for a missing year's holiday notice."""
    from tuoyu import policy
    from tuoyu.filings import selectors

    rules = policy.at(policy.today()).filing
    return {
        **selectors.deadline_summary(acting_user=request.user),
        "receipt_days": rules.receipt_working_days,
        "notice_days": rules.rejection_notice_working_days,
    }


def register_home_cards() -> None:
    register_card(
        HomeCard(
            name="filings.deadlines",
            template="filings/_home_deadlines.html",
            permission="filings.decide",
            context=_deadlines_card,
            order=10,
        )
    )
