"""Reads of claims, scoped by `tuoyu.subsidies.scopes.claims_visible` (an institution its
own, 区卫健局 and 区财政局 all, a township its area's; everyone else none — 404)."""

from __future__ import annotations

from django.db.models import QuerySet, Sum

from tuoyu.audit.models import AuditEvent
from tuoyu.core.catalogue import audit_action_label
from tuoyu.core.errors import NotFound
from tuoyu.core.scope import scope_of
from tuoyu.subsidies.models import Claim, ClaimMaterial
from tuoyu.subsidies.scopes import claims_visible, may_see_materials

# what each role's queue shows by default (the list filters can show every status)
QUEUE = {
    "health": [Claim.Status.SUBMITTED],
    "finance": [Claim.Status.REVIEWED, Claim.Status.APPROVED],
}


def claims_list(*, acting_user, status: str = "", year: int | None = None) -> QuerySet:
    qs = claims_visible(Claim.objects.all(), scope_of(acting_user)).select_related(
        "institution", "institution__township"
    )
    if status in Claim.Status.values:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(year=year)
    return qs.annotate(claimed_total=Sum("items__claimed_yuan")).order_by("-submitted_at", "-pk")


def queue_statuses(acting_user) -> list[str]:
    """The statuses a department's queue shows when no status filter is chosen."""
    scope = scope_of(acting_user)
    return list(QUEUE.get(scope.department_code or "", [])) if scope.is_district else []


def claim_get(*, acting_user, pk: int) -> Claim:
    claim = (
        claims_visible(Claim.objects.all(), scope_of(acting_user))
        .select_related("institution", "submitted_by", "reviewed_by", "approved_by")
        .filter(pk=pk)
        .first()
    )
    if claim is None:
        raise NotFound()
    return claim


def claim_material_get(*, acting_user, pk: int) -> ClaimMaterial:
    scope = scope_of(acting_user)
    material = (
        ClaimMaterial.objects.filter(pk=pk, claim__in=claims_visible(Claim.objects.all(), scope))
        .select_related("claim")
        .first()
    )
    if material is None or not may_see_materials(scope):
        raise NotFound()
    return material


def claim_history(claim: Claim) -> list[dict]:
    """The decisions on the claim, oldest first, from the audit log (who, when, what)."""
    events = AuditEvent.objects.filter(
        object_type="subsidies.claim", object_id=str(claim.pk), action__startswith="subsidies."
    ).order_by("occurred_at", "pk")
    return [
        {
            "at": e.occurred_at,
            "action": audit_action_label(e.action),
            "who": e.actor_username,
            "note": (e.detail or {}).get("note", ""),
        }
        for e in events
    ]
