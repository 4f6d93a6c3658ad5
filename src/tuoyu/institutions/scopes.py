"""Who sees which institutions and registration records ([house] point 4). Every selector of
institutions (and of the apps above it that list institutions) filters through these."""

from __future__ import annotations

from django.db.models import QuerySet

from tuoyu.core.scope import Scope


def institutions_visible(qs: QuerySet, scope: Scope) -> QuerySet:
    """Institutions: district departments all; a township those located in it; an
    institution itself."""
    return scope.filter(qs, institution="pk", township="township_id")


def institution_owned_visible(
    qs: QuerySet,
    scope: Scope,
    *,
    institution: str = "institution_id",
    township: str = "institution__township_id",
) -> QuerySet:
    """Rows owned by an institution (classes, designations, …), by their institution."""
    return scope.filter(qs, institution=institution, township=township)


def registrations_visible(
    qs: QuerySet, scope: Scope, *, authority_field: str = "authority"
) -> QuerySet:
    """Registration records (P-REG-11): 区卫健局 receives them all; a registration
    authority sees what it registered; nobody else sees any."""
    if scope.is_health_bureau:
        return qs
    if scope.is_registration_authority:
        return qs.filter(**{authority_field: scope.registration_authority})
    return qs.none()


def may_view_registrations(scope: Scope) -> bool:
    return scope.is_health_bureau or scope.is_registration_authority
