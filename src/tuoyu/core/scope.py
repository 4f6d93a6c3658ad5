"""The scope value: which slice of the district a user acts in ([house] point 4).

accounts builds it from the user (`User.scope`); every app's `scopes.py` applies its own
visibility rules with the primitives here, so no app needs to import accounts to filter:

- district department: the whole district (what it may *do* is in `rules` predicates)
- township (镇乡街道): records located in that township
- institution: its own records only
- system (platform operators): no domain data at all
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import QuerySet

# The lead department of P-ORG-2 (区卫健局): receives every registration (P-REG-11), decides
# filings, reads the whole audit log. Its code is data (accounts/data/departments.yaml).
HEALTH_BUREAU = "health"
# P-REG-10: integrated kindergarten–nurseries (托幼一体化) are managed as kindergartens: the
# registration authority that registers them (区教体局, authority code "education" in
# departments.yaml) decides their filing and supervises them.
KINDERGARTEN_AUTHORITY = "education"


class ScopeKind(StrEnum):
    """The kinds of scope (accounts' User.ScopeKind gives them their Chinese names)."""

    DEPARTMENT = "department"
    TOWNSHIP = "township"
    INSTITUTION = "institution"
    SYSTEM = "system"
    NONE = "none"


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    user_id: int | None = None
    department_code: str | None = None
    township_id: int | None = None
    township_code: str | None = None
    institution_id: int | None = None
    registration_authority: str | None = None
    # The filing subjects (P-REG-12) the user's department reviews.
    review_subjects: tuple[str, ...] = ()

    @property
    def is_district(self) -> bool:
        return self.kind == ScopeKind.DEPARTMENT

    @property
    def is_health_bureau(self) -> bool:
        return self.kind == ScopeKind.DEPARTMENT and self.department_code == HEALTH_BUREAU

    @property
    def is_kindergarten_authority(self) -> bool:
        """区教体局: registers, decides the filing of and supervises 托幼一体化 (P-REG-10)."""
        return (
            self.kind == ScopeKind.DEPARTMENT
            and self.registration_authority == KINDERGARTEN_AUTHORITY
        )

    @property
    def is_township(self) -> bool:
        return self.kind == ScopeKind.TOWNSHIP

    @property
    def is_institution(self) -> bool:
        return self.kind == ScopeKind.INSTITUTION

    @property
    def is_system(self) -> bool:
        return self.kind == ScopeKind.SYSTEM

    @property
    def is_registration_authority(self) -> bool:
        return self.kind == ScopeKind.DEPARTMENT and bool(self.registration_authority)

    def filter(self, qs: QuerySet, *, institution: str | None, township: str | None) -> QuerySet:
        """Narrow `qs` to this scope. `institution` and `township` are the lookups from the
        queryset's model to the owning institution's id and to the township region's id
        (None where the model has no such relation, which then yields nothing)."""
        if self.kind == ScopeKind.DEPARTMENT:
            return qs
        if self.kind == ScopeKind.TOWNSHIP:
            return qs.filter(**{township: self.township_id}) if township else qs.none()
        if self.kind == ScopeKind.INSTITUTION:
            return qs.filter(**{institution: self.institution_id}) if institution else qs.none()
        return qs.none()


NO_SCOPE = Scope(kind=ScopeKind.NONE)


def scope_of(user) -> Scope:
    """The scope `user` acts in: what accounts built (`user.scope`), or NO_SCOPE for the
    anonymous and the inactive. A Scope passes through, so selectors take either."""
    if isinstance(user, Scope):
        return user
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    return getattr(user, "scope", NO_SCOPE)
