"""Action permissions for filings (`rules`)."""

import rules

from tuoyu.accounts.rules import is_department, is_health_bureau, is_institution


@rules.predicate
def reviews_a_subject(user):
    return is_department(user) and bool(user.department.review_subjects)


rules.add_perm("filings.file_own", is_institution)
rules.add_perm("filings.review", reviews_a_subject | is_health_bureau)
rules.add_perm("filings.decide", is_health_bureau)
