"""Action permissions as `rules` predicates (data visibility is in scopes.py)."""

import rules


@rules.predicate
def is_department(user):
    return getattr(user, "scope_kind", None) == "department"


@rules.predicate
def is_health_bureau(user):
    return is_department(user) and user.department.code == "health"


@rules.predicate
def is_registration_authority(user):
    return is_department(user) and bool(user.department.registration_authority)


@rules.predicate
def is_township(user):
    return getattr(user, "scope_kind", None) == "township"


@rules.predicate
def is_institution(user):
    return getattr(user, "scope_kind", None) == "institution"


@rules.predicate
def is_system(user):
    return getattr(user, "scope_kind", None) == "system" and user.is_staff


@rules.predicate
def is_scope_admin(user):
    """[accounts-ux] #9 point 1: the administrator of a department, township or institution
    (the `is_scope_admin` flag), who manages the accounts of its own unit."""
    return bool(getattr(user, "is_active", False) and getattr(user, "is_scope_admin", False))


@rules.predicate
def is_district_admin(user):
    """区卫健局's administrator manages the accounts of the whole district."""
    return is_scope_admin(user) and is_health_bureau(user)


# [hardening] point 5 (MLPS level 3: two factors for administrators). The departments whose
# accounts can decide, ban, blacklist or pay; an app that gives a department such a power
# adds its code here.
SECOND_FACTOR_DEPARTMENTS = frozenset({"health"})


@rules.predicate
def requires_second_factor(user):
    """The one rule naming the accounts that log in with a second factor (TOTP): the
    departments of SECOND_FACTOR_DEPARTMENTS (区卫健局 decides filings) and platform
    operators (system scope, staff: the admin site). Enforced by accounts' login flow and
    `SecondFactorMiddleware` while `settings.TUOYU_REQUIRE_SECOND_FACTOR` is on."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_system(user):
        return True
    return is_department(user) and user.department.code in SECOND_FACTOR_DEPARTMENTS


rules.add_perm("regions.import_statistics", is_health_bureau | is_system)
rules.add_perm("regions.view_statistics", is_department | is_township)
# P-FIL-2: the State Council's yearly holiday notice is entered by platform operators; the
# "no notice for next year" warning is shown to them and to 区卫健局 (who answers for the
# deadlines).
rules.add_perm("regions.manage_holiday_notices", is_system)
rules.add_perm("regions.view_holiday_warning", is_health_bureau | is_system)
rules.add_perm("audit.view_log", is_health_bureau | is_system)
rules.add_perm("accounts.manage_leading_group", is_health_bureau)
rules.add_perm("accounts.view_leading_group", is_department | is_township)
rules.add_perm("accounts.manage_own_tokens", rules.is_authenticated & ~is_system | is_system)
rules.add_perm("policy.view", rules.is_authenticated)
# Reset a colleague's second factor (never one's own): 区卫健局 for its department,
# operators for operators (accounts.selectors.second_factor_colleagues).
rules.add_perm("accounts.reset_second_factor", is_health_bureau | is_system)
# [accounts-ux] #9 point 1: add, disable, enable and reset accounts — each administrator
# within its own unit, 区卫健局's district-wide, operators all (accounts.scopes.users_manageable).
rules.add_perm("accounts.manage_users", is_scope_admin | is_system)
# Everyone signed in changes their own password.
rules.add_perm("accounts.change_own_password", rules.is_authenticated)
