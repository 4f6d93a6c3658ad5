"""Error codes and audit actions of accounts ([house] point 5, see `tuoyu.core.catalogue`)."""

from django.utils.translation import gettext_lazy as _

from tuoyu.core.catalogue import AuditAction, ErrorCode, legacy_audit_actions


class AccountsError(ErrorCode):
    LOGIN_INVALID = "login_invalid", _("用户名或密码错误")
    LOGIN_LOCKED = "login_locked", _("连续登录失败次数过多，已被暂时锁定，请稍后再试")
    USERNAME_TAKEN = "username_taken", _("用户名已被使用")
    USER_INACTIVE = "user_inactive", _("该账号已停用")
    OTP_INVALID = "otp_invalid", _("动态验证码或恢复码错误")
    SECOND_FACTOR_SELF_RESET = "second_factor_self_reset", _("不能重置自己的二次验证")
    SECOND_FACTOR_ENROLLED = "second_factor_enrolled", _("该账号已绑定动态验证码")
    # [accounts-ux] #9 point 1: the account lifecycle
    ACTIVATION_INVALID = "activation_invalid", _("用户名或激活码错误，或激活码已过期、已作废")
    PASSWORD_INVALID = "password_invalid", _("密码不符合要求")
    PASSWORD_MISMATCH = "password_mismatch", _("两次输入的新密码不一致")
    PASSWORD_CURRENT_WRONG = "password_current_wrong", _("当前密码错误")
    USER_SELF_MANAGE = "user_self_manage", _("不能停用或重置自己的账号")
    USER_DISABLED = "user_disabled", _("该账号已停用，请先启用")


class AccountsAction(AuditAction):
    SESSION_LOGIN = "accounts.session.login", _("登录成功")
    SESSION_LOGIN_FAILED = "accounts.session.login_failed", _("登录失败")
    SESSION_LOGIN_REFUSED_LOCKED = "accounts.session.login_refused_locked", _("锁定期间拒绝登录")
    SESSION_LOGOUT = "accounts.session.logout", _("退出登录")
    SESSION_PASSWORD_VERIFIED = "accounts.session.password_verified", _("密码正确，待二次验证")
    SESSION_SECOND_FACTOR_FAILED = "accounts.session.second_factor_failed", _("动态验证码错误")
    SESSION_LOCK_REFUSALS = "accounts.session.lock_refusals", _("锁定期间拒绝登录次数汇总")
    SECOND_FACTOR_ENROLMENT_STARTED = (
        "accounts.second_factor.enrolment_started",
        _("开始绑定动态验证码"),
    )
    SECOND_FACTOR_ENROLLED = "accounts.second_factor.enrolled", _("绑定动态验证码")
    SECOND_FACTOR_RESET = "accounts.second_factor.reset", _("重置二次验证")
    USER_CREATED = "accounts.user.created", _("新建账号")
    USER_ACTIVATION_CODE_ISSUED = "accounts.user.activation_code_issued", _("签发激活码")
    USER_ACTIVATED = "accounts.user.activated", _("以激活码激活账号")
    USER_ACTIVATION_FAILED = "accounts.user.activation_failed", _("激活码错误")
    USER_DISABLED = "accounts.user.disabled", _("停用账号")
    USER_ENABLED = "accounts.user.enabled", _("启用账号")
    USER_SCOPE_ADMIN_CHANGED = "accounts.user.scope_admin_changed", _("更改管理员权限")
    USER_PASSWORD_RESET = "accounts.user.password_reset", _("重置密码")
    USER_PASSWORD_CHANGED = "accounts.user.password_changed", _("修改密码")
    USER_HANDOVER_LETTER_DOWNLOADED = (
        "accounts.user.handover_letter_downloaded",
        _("下载账号交接函"),
    )
    TOKEN_ISSUED = "accounts.token.issued", _("签发接口令牌")
    TOKEN_REVOKED = "accounts.token.revoked", _("吊销接口令牌")
    DEPARTMENT_CREATED = "accounts.department.created", _("新增部门")
    DEPARTMENT_UPDATED = "accounts.department.updated", _("更新部门信息")
    POSITION_CREATED = "accounts.position.created", _("新增领导小组职务")
    POSITION_UPDATED = "accounts.position.updated", _("更新领导小组职务")
    POSITION_HOLDER_CHANGED = "accounts.position.holder_changed", _("更换领导小组职务任职人")


legacy_audit_actions(
    {
        "auth.login": AccountsAction.SESSION_LOGIN,
        "auth.login_failed": AccountsAction.SESSION_LOGIN_FAILED,
        "auth.login_refused_locked": AccountsAction.SESSION_LOGIN_REFUSED_LOCKED,
        "auth.logout": AccountsAction.SESSION_LOGOUT,
        "accounts.user_created": AccountsAction.USER_CREATED,
        "accounts.token_issued": AccountsAction.TOKEN_ISSUED,
        "accounts.token_revoked": AccountsAction.TOKEN_REVOKED,
        "accounts.department_created": AccountsAction.DEPARTMENT_CREATED,
        "accounts.department_updated": AccountsAction.DEPARTMENT_UPDATED,
        "accounts.position_created": AccountsAction.POSITION_CREATED,
        "accounts.position_holder_changed": AccountsAction.POSITION_HOLDER_CHANGED,
    }
)
