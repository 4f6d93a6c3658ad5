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


rules.add_perm("regions.import_statistics", is_health_bureau | is_system)
rules.add_perm("regions.view_statistics", is_department | is_township)
rules.add_perm("audit.view_log", is_health_bureau | is_system)
rules.add_perm("accounts.manage_leading_group", is_health_bureau)
rules.add_perm("accounts.view_leading_group", is_department | is_township)
rules.add_perm("accounts.manage_own_tokens", rules.is_authenticated & ~is_system | is_system)
rules.add_perm("policy.view", rules.is_authenticated)
