"""Action permissions for filings (`rules`)."""

import rules

from tuoyu.accounts.rules import is_department, is_health_bureau, is_institution
from tuoyu.core.scope import scope_of
from tuoyu.filings import scopes


@rules.predicate
def reviews_a_subject(user):
    return is_department(user) and bool(user.department.review_subjects)


@rules.predicate
def is_kindergarten_authority(user):
    """区教体局: decides the filings of the 托幼一体化 institutions it registered (P-REG-10)."""
    return scope_of(user).is_kindergarten_authority


@rules.predicate
def decides_filing(user, application=None):
    """`filings.decide`, object-aware (P-REG-10, P-REG-12): with an application, whether the
    user decides that application's filing — 区教体局 those of the institutions it registered
    (托幼一体化), 区卫健局 every other; without one, whether the user decides any filing (the
    decision queue, the decide view before it loads the application)."""
    scope = scope_of(user)
    if application is None:
        return scopes.decides_any(scope)
    return scopes.may_decide(scope, application.institution)


rules.add_perm("filings.file_own", is_institution)
rules.add_perm("filings.review", reviews_a_subject | is_health_bureau | is_kindergarten_authority)
rules.add_perm("filings.decide", decides_filing)
