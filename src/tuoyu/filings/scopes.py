"""Who sees which filing application ([house] point 4):
- an institution: its own applications;
- 区卫健局 (decides, P-REG-12): every application of the district — those of integrated
  kindergarten–nurseries too, read only (statistics);
- 区教体局 (P-REG-10): the applications of the institutions it registered (托幼一体化, managed
  as kindergartens), which it decides;
- a subject reviewer (区消防救援大队, 区住建局, 区公安分局, 区市场监管局, 区妇计中心): applications
  that have a review of one of its subjects, in any state;
- a township: applications of institutions in its township (read only, facts not scans);
- anyone else: none. Outside the scope is 404, as for what does not exist.
"""

from __future__ import annotations

import functools
import operator

from django.db.models import Exists, OuterRef, Q, QuerySet

from tuoyu.core.scope import KINDERGARTEN_AUTHORITY, Scope, ScopeKind
from tuoyu.filings.models import SubjectReview


def reviewer_subjects(scope: Scope) -> set[str]:
    """The filing subjects the scope's department reviews (P-REG-12)."""
    return set(scope.review_subjects) if scope.is_district else set()


def applications_visible(qs: QuerySet, scope: Scope) -> QuerySet:
    if scope.is_health_bureau:
        return qs
    if scope.is_district:
        seen = []
        subjects = reviewer_subjects(scope)
        if subjects:
            has_review = SubjectReview.objects.filter(
                application_id=OuterRef("pk"), subject__in=subjects
            )
            seen.append(Q(Exists(has_review)))
        if scope.is_kindergarten_authority:
            seen.append(_managed_as_kindergarten())
        if not seen:
            return qs.none()
        return qs.filter(functools.reduce(operator.or_, seen))
    return scope.filter(qs, institution="institution_id", township="institution__township_id")


# --- who decides (P-REG-10, P-REG-12) ------------------------------------------------------


def _managed_as_kindergarten(prefix: str = "institution__") -> Q:
    """P-REG-10: institutions registered by 区教体局 (托幼一体化) are managed as kindergartens."""
    return Q(**{f"{prefix}registration_authority": KINDERGARTEN_AUTHORITY})


def managed_as_kindergarten(institution) -> bool:
    """P-REG-10: the institution was registered by 区教体局 (托幼一体化)."""
    return institution.registration_authority == KINDERGARTEN_AUTHORITY


def decides_any(scope: Scope) -> bool:
    """Whether the scope decides filings at all: 区卫健局, and 区教体局 for 托幼一体化."""
    return scope.is_health_bureau or scope.is_kindergarten_authority


def may_decide(scope: Scope, institution) -> bool:
    """Who decides an institution's filing: 区教体局 when it registered the institution
    (托幼一体化, managed as a kindergarten, P-REG-10), 区卫健局 for every other (P-REG-12)."""
    if managed_as_kindergarten(institution):
        return scope.is_kindergarten_authority
    return scope.is_health_bureau


def applications_decided_by(qs: QuerySet, scope: Scope) -> QuerySet:
    """The applications the scope decides (the decision queue): 区教体局 those of the
    institutions it registered, 区卫健局 all others, anyone else none."""
    if scope.is_kindergarten_authority:
        return qs.filter(_managed_as_kindergarten())
    if scope.is_health_bureau:
        return qs.exclude(_managed_as_kindergarten())
    return qs.none()


def reviews_visible_for_waiting(qs: QuerySet, scope: Scope) -> QuerySet:
    """A subject reviewer's waiting report covers its own subjects only; 区教体局's every
    subject of the 托幼一体化 institutions it decides (P-REG-10)."""
    if scope.is_district and not scope.is_health_bureau:
        mine = Q(subject__in=reviewer_subjects(scope))
        if scope.is_kindergarten_authority:
            mine |= _managed_as_kindergarten("application__institution__")
        return qs.filter(mine)
    return qs


def may_see_materials(scope: Scope) -> bool:
    """Townships see an application's facts, not its scanned materials."""
    return not scope.is_township and scope.kind != ScopeKind.NONE
