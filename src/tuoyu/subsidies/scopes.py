"""Who sees which claims (P-SUB-1..3, P-ORG-2).

- An institution: its own claims.
- 区卫健局 (reviews eligibility) and 区财政局 (approves and pays): every claim of the district.
- A township (镇乡街道): the claims of the institutions located in it, read only.
- Everyone else (other departments, operators): none — outside the scope is 404.
"""

from __future__ import annotations

from django.db.models import QuerySet

from tuoyu.core.scope import HEALTH_BUREAU, Scope

FINANCE_BUREAU = "finance"
CLAIM_DEPARTMENTS = frozenset({HEALTH_BUREAU, FINANCE_BUREAU})


def claims_visible(
    qs: QuerySet,
    scope: Scope,
    *,
    institution: str = "institution_id",
    township: str = "institution__township_id",
) -> QuerySet:
    if scope.is_district:
        return qs if scope.department_code in CLAIM_DEPARTMENTS else qs.none()
    return scope.filter(qs, institution=institution, township=township)


def may_see_materials(scope: Scope) -> bool:
    """The supporting files: the institution (its own), 区卫健局 and 区财政局; a township
    reads the claim, not the files."""
    return scope.is_institution or (
        scope.is_district and scope.department_code in CLAIM_DEPARTMENTS
    )
