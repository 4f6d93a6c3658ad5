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
