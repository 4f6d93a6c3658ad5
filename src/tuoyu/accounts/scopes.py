"""Scope rules, in one place. Every selector asks the acting user's `Scope` to filter its
queryset; views never filter by hand.

- district department: the whole district
- township (镇乡街道): institutions and records located in that township
- institution: its own records only
- system (platform operators): no domain data at all
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

DISTRICT_WIDE_AUDIT_DEPARTMENTS = frozenset({"health"})


@dataclass(frozen=True)
class Scope:
    kind: str
    user_id: int | None = None
    department_code: str | None = None
    township_id: int | None = None
    township_code: str | None = None
    institution_id: int | None = None
    registration_authority: str | None = None

    @property
    def is_district(self) -> bool:
        return self.kind == "department"

    @property
    def is_health_bureau(self) -> bool:
        return self.kind == "department" and self.department_code == "health"

    def filter(self, qs: QuerySet, *, institution: str | None, township: str | None) -> QuerySet:
        """Narrow `qs` to this scope. `institution` and `township` are the lookups from the
        queryset's model to the owning institution's id and to the township region's id
        (None where the model has no such relation, which then yields nothing)."""
        if self.kind == "department":
            return qs
        if self.kind == "township":
            return qs.filter(**{township: self.township_id}) if township else qs.none()
        if self.kind == "institution":
            return qs.filter(**{institution: self.institution_id}) if institution else qs.none()
        return qs.none()

    def institutions(self, qs: QuerySet) -> QuerySet:
        return self.filter(qs, institution="pk", township="township_id")

    def region_codes(self, qs: QuerySet, *, code_field: str = "code") -> QuerySet:
        """Region statistics: district users see every region, a township its own subtree."""
        if self.kind == "department":
            return qs
        if self.kind == "township" and self.township_code:
            return qs.filter(**{f"{code_field}__startswith": self.township_code})
        return qs.none()

    def registrations(self, qs: QuerySet, *, authority_field: str = "authority") -> QuerySet:
        """Registration records (P-REG-11): 区卫健局 receives them all; a registration
        authority sees what it registered; nobody else sees any."""
        if self.is_health_bureau:
            return qs
        if self.kind == "department" and self.registration_authority:
            return qs.filter(**{authority_field: self.registration_authority})
        return qs.none()

    def audit_events(self, qs: QuerySet) -> QuerySet:
        if self.kind == "system" or (
            self.kind == "department" and self.department_code in DISTRICT_WIDE_AUDIT_DEPARTMENTS
        ):
            return qs
        return qs.filter(actor_id=self.user_id)


NO_SCOPE = Scope(kind="none")


def scope_for(user) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    if isinstance(user, Scope):
        return user
    township = user.township if user.scope_kind == "township" else None
    return Scope(
        kind=user.scope_kind,
        user_id=user.pk,
        department_code=user.department.code if user.department_id else None,
        township_id=user.township_id,
        township_code=township.code if township else None,
        institution_id=user.institution_id,
        registration_authority=(user.department.registration_authority or None)
        if user.department_id
        else None,
    )
