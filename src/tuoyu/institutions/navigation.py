"""Where institutions appears in the shell's navigation (registered in AppConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from tuoyu.web.navigation import HomeCard, NavEntry, memo, register, register_card

FOLLOW_UNFILED = "institutions.follow_unfiled"


def _unfiled(user) -> dict:
    from tuoyu.institutions.selectors.registration import unfiled_counts

    return memo(user, "institutions.unfiled", lambda: unfiled_counts(acting_user=user))


def _overdue_badge_registrations(user) -> int:
    """[accounts-ux] point 2: 区卫健局's registrations past the filing deadline."""
    if not user.has_perm(FOLLOW_UNFILED) or not _unfiled(user)["sees_registrations"]:
        return 0
    return _unfiled(user)["overdue"]


def _overdue_badge_directory(user) -> int:
    """A township (which sees no registration records) follows them in the directory."""
    if not user.has_perm(FOLLOW_UNFILED) or _unfiled(user)["sees_registrations"]:
        return 0
    return _unfiled(user)["overdue"]


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
            badge=_overdue_badge_directory,
            badge_label=_("已登记未备案且已逾期的机构"),
        ),
        NavEntry(
            _("登记信息"),
            "institutions:registrations",
            "institutions.view_registrations",
            "inbox",
            _("登记机关推送、录入或导入的登记、变更、注销信息；已登记未备案机构及逾期提醒"),
            order=20,
            badge=_overdue_badge_registrations,
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
