"""Where regions appears in the shell's navigation (registered in AppConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from tuoyu.web.navigation import HomeCard, NavEntry, register, register_card


def register_navigation() -> None:
    register(
        NavEntry(
            _("行政区划与人口"),
            "regions:list",
            "regions.view_statistics",
            "geo-alt",
            _("查看区划树及各年度常住人口、出生、婴幼儿健康管理统计"),
            order=60,
            # [accounts-ux] point 2: the import is offered only to those who may import
            descriptions=(
                (
                    "regions.import_statistics",
                    _("查看区划树及各年度常住人口、出生、婴幼儿健康管理统计，导入年度统计数据"),
                ),
            ),
        ),
        NavEntry(
            _("节假日安排"),
            "regions:holidays",
            "regions.manage_holiday_notices",
            "calendar-event",
            _("录入国务院年度节假日安排通知（放假与调休上班），备案办理期限按工作日据此计算"),
            order=65,
        ),
    )


def _holiday_warning_card(request) -> dict | None:
    """P-FIL-2: in December, a loud warning while next year's holiday notice is missing
    (deadlines running into that year cannot be computed)."""
    from tuoyu import policy
    from tuoyu.regions import workdays

    year = workdays.missing_next_year_notice(policy.today())
    if year is None:
        return None
    return {"year": year, "can_enter": request.user.has_perm("regions.manage_holiday_notices")}


def register_home_cards() -> None:
    register_card(
        HomeCard(
            name="regions.holiday_notice_missing",
            template="regions/_home_holiday_warning.html",
            permission="regions.view_holiday_warning",
            context=_holiday_warning_card,
            order=5,
        )
    )
