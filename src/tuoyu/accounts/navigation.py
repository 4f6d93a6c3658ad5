"""Where accounts appears in the shell's navigation (registered in AppConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from tuoyu.web.navigation import HomeCard, NavEntry, register, register_card


def register_navigation() -> None:
    register(
        NavEntry(
            _("领导小组"),
            "accounts:leading_group",
            "accounts.view_leading_group",
            "people",
            _("领导小组职位、职责与任职人；人员变动时由继任者接替"),
            order=80,
        ),
        NavEntry(
            _("账号管理"),
            "accounts:users",
            "accounts.manage_users",
            "person-gear",
            _("本单位账号：新增、停用、启用、重置密码，签发激活码并打印交接函"),
            order=95,
        ),
        NavEntry(
            _("接口令牌"),
            "accounts:tokens",
            "accounts.manage_own_tokens",
            "key",
            _("为对接系统签发、吊销接口访问令牌，查看最近使用时间"),
            order=100,
        ),
        NavEntry(
            _("二次验证"),
            "accounts:second_factor_colleagues",
            "accounts.reset_second_factor",
            "shield-lock",
            _("同事手机丢失时重置其动态验证码，查看剩余恢复码"),
            order=110,
        ),
    )


def _identity_card(request) -> dict:
    user = request.user
    return {"department": user.department if user.scope_kind == "department" else None}


def register_home_cards() -> None:
    register_card(
        HomeCard(
            name="accounts.identity",
            template="accounts/_home_identity.html",
            permission=None,
            context=_identity_card,
            order=0,
        )
    )
