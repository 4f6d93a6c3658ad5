"""accounts builds each user's scope value (`tuoyu.core.scope.Scope`); the rules that apply
it live in each app's own `scopes.py` ([house] point 4)."""

from __future__ import annotations

from tuoyu.core.scope import Scope, ScopeKind


def scope_build(user) -> Scope:
    """The scope value of an active, authenticated user, from its one scope (the check
    constraint `user_exactly_one_scope` guarantees there is exactly one)."""
    township = user.township if user.scope_kind == ScopeKind.TOWNSHIP else None
    department = user.department if user.department_id else None
    return Scope(
        kind=ScopeKind(user.scope_kind),
        user_id=user.pk,
        department_code=department.code if department else None,
        township_id=user.township_id,
        township_code=township.code if township else None,
        institution_id=user.institution_id,
        registration_authority=(department.registration_authority or None) if department else None,
        review_subjects=tuple(department.review_subjects or ()) if department else (),
    )


def users_manageable(qs, *, acting_user):
    """The accounts `acting_user` administers ([accounts-ux] #9 point 1, docs/accounts.md):
    platform operators every account; 区卫健局's administrator every account of the district
    (departments, townships, institutions; not the operators); any other administrator
    (`is_scope_admin`) the accounts of its own department, township or institution; anyone
    else none. Outside it is 404, like what does not exist."""
    from tuoyu.accounts.rules import is_district_admin, is_scope_admin, is_system

    if acting_user is None or not getattr(acting_user, "is_authenticated", False):
        return qs.none()
    if not acting_user.is_active:
        return qs.none()
    if is_system(acting_user):
        return qs
    if is_district_admin(acting_user):
        return qs.exclude(scope_kind=ScopeKind.SYSTEM)
    if not is_scope_admin(acting_user):
        return qs.none()
    kind = acting_user.scope_kind
    if kind == ScopeKind.DEPARTMENT:
        return qs.filter(scope_kind=kind, department_id=acting_user.department_id)
    if kind == ScopeKind.TOWNSHIP:
        return qs.filter(scope_kind=kind, township_id=acting_user.township_id)
    if kind == ScopeKind.INSTITUTION:
        return qs.filter(scope_kind=kind, institution_id=acting_user.institution_id)
    return qs.none()
