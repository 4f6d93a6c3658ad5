"""Who sees which staff, bans and attempts (P-SUP-6).

- Staff, certificates, trainings: district departments all; a township the institutions
  located in it; an institution its own (outside the scope: 404).
- Certificate scans (P-WF-1): the institution its own, 区卫健局 all, a township the
  institutions located in it; other departments read the roster, not the scans.
- Bans and the attempts to employ a banned person: 区卫健局 only. An institution learns of a
  ban only through the flag on its own employee and the refusal of an entry.
"""

from __future__ import annotations

from django.db.models import QuerySet

from tuoyu.core.scope import Scope
from tuoyu.institutions.scopes import institution_owned_visible


def staff_visible(qs: QuerySet, scope: Scope) -> QuerySet:
    return institution_owned_visible(qs, scope)


def bans_visible(qs: QuerySet, scope: Scope) -> QuerySet:
    return qs if scope.is_health_bureau else qs.none()


def may_manage_roster(scope: Scope, institution_id: int) -> bool:
    """Only the institution keeps its roster (the departments read it)."""
    return scope.is_institution and scope.institution_id == institution_id


def may_see_certificate_scans(scope: Scope) -> bool:
    """P-WF-1: who may open a certificate's scan at all (rows still narrowed by
    `staff_visible`)."""
    return scope.is_institution or scope.is_township or scope.is_health_bureau
