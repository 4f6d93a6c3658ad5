"""Where institutions appears in the shell's navigation (registered in AppConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from tuoyu.web.navigation import HomeCard, NavEntry, memo, register, register_card

FOLLOW_UNFILED = "institutions.follow_unfiled"


def _unfiled(user) -> dict:
    from tuoyu.institutions.selectors.registration import unfiled_counts

    return memo(user, "institutions.unfiled", lambda: unfiled_counts(acting_user=user))


def _overdue(user, *, as_registrations: bool) -> list:
    """[accounts-ux] point 2, counted with the other badges in one statement ([scale] #10):
    区卫健局 sees its registrations past the filing deadline on 登记信息; a township (which
    sees no registration records) follows them in the directory."""
    from tuoyu.institutions.selectors.registration import unfiled_overdue

    if not user.has_perm(FOLLOW_UNFILED):
        return []
    qs, sees_registrations = unfiled_overdue(acting_user=user)
    return [qs] if sees_registrations == as_registrations else []


def _overdue_badge_registrations(user) -> list:
    return _overdue(user, as_registrations=True)


def _overdue_badge_directory(user) -> list:
    return _overdue(user, as_registrations=False)


def _unfiled_card(request) -> dict:
    return _unfiled(request.user)


def register_navigation() -> None:
    register(
        NavEntry(
            _("托育机构"),
            "institutions:list",
            "institutions.view_directory",
            "building",
            _("按镇街、状态、模式、普惠、连锁查询托育机构，导出名单，查看机构全部信息"),
            order=10,
            badge_queries=_overdue_badge_directory,
            badge_label=_("已登记未备案且已逾期的机构"),
        ),
        NavEntry(
            _("登记信息"),
            "institutions:registrations",
            "institutions.view_registrations",
            "inbox",
            _("登记机关推送、录入或导入的登记、变更、注销信息；已登记未备案机构及逾期提醒"),
            order=20,
            badge_queries=_overdue_badge_registrations,
            badge_label=_("已登记未备案且已逾期的机构"),
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


def register_home_cards() -> None:
    register_card(
        HomeCard(
            name="institutions.unfiled",
            template="institutions/registration/_home_unfiled.html",
            permission=FOLLOW_UNFILED,
            context=_unfiled_card,
            order=6,
        )
    )
