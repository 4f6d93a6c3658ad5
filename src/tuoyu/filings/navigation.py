"""Where filings appears in the shell's navigation (registered in AppConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from tuoyu.web.navigation import HomeCard, NavEntry, memo, register, register_card

# --- [accounts-ux] point 2: what waits for the user, counted once per request ---------------


def _reviews(user) -> list[dict]:
    from tuoyu.filings import selectors

    return memo(user, "filings.reviews", lambda: selectors.review_counts(acting_user=user))


def _decisions(user) -> dict:
    from tuoyu.filings import selectors

    return memo(user, "filings.decisions", lambda: selectors.decision_counts(acting_user=user))


def _own(user):
    from tuoyu.filings import selectors

    return memo(user, "filings.own", lambda: selectors.own_work(acting_user=user))


def _queue_badge(user) -> list:
    """Reviews of the user's subjects plus decisions waiting for it (the queues themselves,
    counted with the other badges in one statement: [scale] #10)."""
    from tuoyu.core.scope import scope_of
    from tuoyu.filings import scopes, selectors

    queues = []
    if scopes.reviewer_subjects(scope_of(user)):
        queues.append(selectors.review_queue(acting_user=user))
    if user.has_perm("filings.decide"):
        queues.append(selectors.decision_queue(acting_user=user))
    return queues


def _mine_badge(user) -> int:
    return 1 if _own(user) is not None else 0


def register_navigation() -> None:
    register(
        NavEntry(
            _("我的备案"),
            "filings:mine",
            "filings.file_own",
            "file-earmark-text",
            _("在线填报备案信息、班级与材料，提交审核，查看进度与退回意见，下载备案回执"),
            order=30,
            badge=_mine_badge,
            badge_label=_("待修改或待提交的备案申请"),
        ),
        NavEntry(
            _("备案审核"),
            "filings:queue",
            "filings.review",
            "clipboard-check",
            _("按本部门负责的审核事项（消防、安全、食品、卫生保健）审核备案申请"),
            order=40,
            descriptions=(
                ("filings.decide", _("审核本部门负责的事项，对各事项均已通过的备案申请作出决定")),
            ),
            badge_queries=_queue_badge,
            badge_label=_("待审核事项与待决定的申请"),
        ),
    )


def _reviews_card(request) -> dict | None:
    from tuoyu.core.scope import scope_of
    from tuoyu.filings import scopes

    if not scopes.reviewer_subjects(scope_of(request.user)):
        return None
    rows = _reviews(request.user)
    return {"rows": rows, "total": sum(r["count"] for r in rows)}


def _decisions_card(request) -> dict:
    return _decisions(request.user)


def _own_card(request) -> dict | None:
    application = _own(request.user)
    return {"application": application} if application is not None else None


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
    register_card(
        HomeCard(
            name="filings.own_work",
            template="filings/_home_own_work.html",
            permission="filings.file_own",
            context=_own_card,
            order=2,
        )
    )
    register_card(
        HomeCard(
            name="filings.decisions",
            template="filings/_home_decisions.html",
            permission="filings.decide",
            context=_decisions_card,
            order=3,
        )
    )
    register_card(
        HomeCard(
            name="filings.reviews",
            template="filings/_home_reviews.html",
            permission="filings.review",
            context=_reviews_card,
            order=4,
        )
    )
