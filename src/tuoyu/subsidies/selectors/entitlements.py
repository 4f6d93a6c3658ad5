"""Reads of the entitlements part: demonstration titles (区卫健局's list) and the
institution whose entitlement a user may see (P-SUB-1..3), scope applied."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tuoyu.core.errors import NotFound
from tuoyu.core.scope import scope_of
from tuoyu.institutions.models import Institution
from tuoyu.institutions.scopes import institution_owned_visible, institutions_visible
from tuoyu.subsidies.models import DemonstrationTitle


def titles(*, acting_user, level: str = "", year: int | None = None) -> QuerySet:
    """Demonstration titles the user may see, newest first; filtered by level and by the
    year of `conferred_on`."""
    qs = institution_owned_visible(DemonstrationTitle.objects.all(), scope_of(acting_user))
    if level:
        qs = qs.filter(level=level)
    if year:
        qs = qs.filter(conferred_on__year=year)
    return qs.select_related("institution", "recorded_by").order_by(
        "-conferred_on", "institution__name", "pk"
    )


def title_years(*, acting_user) -> list[int]:
    qs = institution_owned_visible(DemonstrationTitle.objects.all(), scope_of(acting_user))
    return sorted({d.year for d in qs.dates("conferred_on", "year")}, reverse=True)


def filed_institution_find(*, acting_user, text: str) -> list[Institution]:
    """Filed institutions the user may see whose USCC is `text` or whose name is (or, when
    none is, contains) `text` — at most ten."""
    text = (text or "").strip()
    if not text:
        return []
    qs = institutions_visible(Institution.objects.all(), scope_of(acting_user)).filter(
        filed_on__isnull=False
    )
    exact = list(qs.filter(Q(uscc=text.upper()) | Q(name=text))[:10])
    return exact or list(qs.filter(name__icontains=text).order_by("name")[:10])


def filed_institution_choices(*, acting_user, limit: int = 500) -> list[tuple[str, str]]:
    """(name, uscc) of filed institutions for the form's suggestions."""
    qs = institutions_visible(Institution.objects.all(), scope_of(acting_user)).filter(
        filed_on__isnull=False
    )
    return list(qs.order_by("name").values_list("name", "uscc")[:limit])


def institution_for_entitlement(*, acting_user, uscc: str) -> Institution:
    """The institution whose entitlement the user may see: an institution its own,
    区卫健局/区财政局 any of the district; anything else is 404 (no existence leak)."""
    institution = (
        institutions_visible(Institution.objects.all(), scope_of(acting_user))
        .filter(uscc=(uscc or "").strip().upper())
        .select_related("township")
        .first()
    )
    if institution is None:
        raise NotFound()
    return institution
