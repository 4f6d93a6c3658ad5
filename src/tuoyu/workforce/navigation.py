"""Where workforce appears in the shell's navigation and on the home page."""

from django.utils.translation import gettext_lazy as _

from tuoyu.web.navigation import HomeCard, NavEntry, register, register_card


def _flagged_queries(user) -> list:
    # [scale] #10 point 4: counted with the other badges of the request in one statement.
    from tuoyu.workforce import selectors

    return [selectors.flagged_staff(acting_user=user)]


def _proposed_queries(user) -> list:
    from tuoyu.workforce import selectors

    return [selectors.bans(acting_user=user, status="proposed").exclude(proposed_by=user)]


def register_navigation() -> None:
    register(
        NavEntry(
            _("从业人员"),
            "workforce:my_roster",
            "workforce.keep_roster",
            "people",
            _("维护本机构从业人员名单、证书与培训，批量导入，查看配备达标情况与证书到期提醒"),
            order=35,
            badge_queries=_flagged_queries,
            badge_label=_("在岗的终身禁入人员"),
        ),
        NavEntry(
            _("人员配备达标"),
            "workforce:gaps",
            "workforce.view_gaps",
            "person-check",
            _("各机构各班级保育人员配比、负责人与保健人员、安保人员、健康合格证的缺口"),
            order=55,
        ),
        NavEntry(
            _("证书到期"),
            "workforce:expiry",
            "workforce.view_gaps",
            "calendar-x",
            _("在预警期内到期或已过期的证书与健康合格证"),
            order=56,
        ),
        NavEntry(
            _("从业人员持证率"),
            "workforce:certification",
            "workforce.view_gaps",
            "award",
            _("按机构、镇乡街道和全区统计的持证率（分子、分母与名单）"),
            order=57,
        ),
        NavEntry(
            _("终身禁入"),
            "workforce:bans",
            "workforce.manage_bans",
            "slash-circle",
            _("记录、双人审核和依决定解除终身禁入，查看录用尝试与在岗禁入人员"),
            order=58,
            badge_queries=_proposed_queries,
            badge_label=_("待您审核的终身禁入"),
        ),
        NavEntry(
            _("培训补贴名单"),
            "workforce:trainings",
            "workforce.export_trainings",
            "mortarboard",
            _("按年度导出从业人员培训与技能等级认定名单（Excel）"),
            order=59,
        ),
    )


def _flagged_card(request) -> dict | None:
    from tuoyu.workforce import selectors

    rows = list(selectors.flagged_staff(acting_user=request.user)[:20])
    return {"rows": rows} if rows else None


def _gaps_card(request) -> dict | None:
    """The institution's work queue: today's staffing gaps and expiring certificates."""
    from tuoyu.core.scope import scope_of
    from tuoyu.workforce import selectors

    scope = scope_of(request.user)
    if not scope.is_institution:
        return None
    institution = selectors.institution_for_staff(acting_user=request.user, pk=scope.institution_id)
    gaps = selectors.institution_gaps(acting_user=request.user, institution=institution)
    expiring = selectors.expiring(acting_user=request.user, institution=institution)
    if not gaps and not expiring:
        return None
    return {"gaps": gaps, "expiring": len(expiring), "institution": institution}


def register_home_cards() -> None:
    register_card(
        HomeCard(
            "workforce.gaps",
            "workforce/_home_gaps.html",
            "workforce.keep_roster",
            _gaps_card,
            order=16,
        )
    )
    register_card(
        HomeCard(
            "workforce.flagged",
            "workforce/_home_flagged.html",
            "workforce.view_rosters",
            _flagged_card,
            order=15,
        )
    )
