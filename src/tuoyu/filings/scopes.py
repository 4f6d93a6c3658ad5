"""Who sees which filing application ([house] point 4):
- an institution: its own applications;
- 区卫健局 (decides, P-REG-12): every application of the district;
- a subject reviewer (区消防救援大队, 区住建局, 区公安分局, 区市场监管局, 区妇计中心): applications
  that have a review of one of its subjects, in any state;
- a township: applications of institutions in its township (read only, facts not scans);
- anyone else: none. Outside the scope is 404, as for what does not exist.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from tuoyu.core.scope import Scope, ScopeKind
from tuoyu.filings.models import SubjectReview


def reviewer_subjects(scope: Scope) -> set[str]:
    """The filing subjects the scope's department reviews (P-REG-12)."""
    return set(scope.review_subjects) if scope.is_district else set()


def applications_visible(qs: QuerySet, scope: Scope) -> QuerySet:
    if scope.is_health_bureau:
        return qs
    if scope.is_district:
        subjects = reviewer_subjects(scope)
        if not subjects:
            return qs.none()
        has_review = SubjectReview.objects.filter(
            application_id=OuterRef("pk"), subject__in=subjects
        )
        return qs.filter(Exists(has_review))
    return scope.filter(qs, institution="institution_id", township="institution__township_id")


def reviews_visible_for_waiting(qs: QuerySet, scope: Scope) -> QuerySet:
    """A subject reviewer's waiting report covers its own subjects only."""
    if scope.is_district and not scope.is_health_bureau:
        return qs.filter(subject__in=reviewer_subjects(scope))
    return qs


def may_see_materials(scope: Scope) -> bool:
    """Townships see an application's facts, not its scanned materials."""
    return not scope.is_township and scope.kind != ScopeKind.NONE
