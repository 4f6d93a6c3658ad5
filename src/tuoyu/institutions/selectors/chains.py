"""Reads for chains (P-REG-13), scope applied.

A chain's head company holds an agreement (`ChainAgreement`): the townships it covers, the
most branches it may have and its validity. A branch is attached to the agreement
(`Institution.chain_agreement`); a branch located in one of the agreement's townships, on a
day the agreement applies and within its branch limit, is filed through the simplified path
(filed, not separately approved: reviewed on the four subjects, no separate decision). A
branch outside those townships may be attached but goes the full filing path. The township
judged is that of the premises filed (the application's township), not the registered one.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from tuoyu.core.errors import NotFound
from tuoyu.core.pinyin import Pinyin
from tuoyu.core.scope import scope_of
from tuoyu.institutions.models import ChainAgreement, Institution
from tuoyu.institutions.scopes import (
    institutions_visible,
)
from tuoyu.policy import as_date

LIVE_BRANCH = ~Q(branches__registration_status=Institution.RegistrationStatus.DEREGISTERED)


def _applies_on(day: dt.date) -> Q:
    """Agreements whose validity (and early end, if any) includes `day`."""
    return Q(valid_from__lte=day, valid_until__gte=day) & (
        Q(ended_on__isnull=True) | Q(ended_on__gte=day)
    )


def chain_agreement_covering(
    institution: Institution, on_date: dt.date, *, township_code: str | None = None
) -> ChainAgreement | None:
    """P-REG-13: the agreement under which `institution` is filed as a chain branch through
    the simplified path on `on_date`, or None (then it goes the full filing path).

    It covers when the institution is attached to it as a branch, the township of the
    premises is one of the agreement's townships, `on_date` lies within its validity (and
    before any early end), the head company is still registered, and the agreement's live
    (not deregistered) branches do not exceed its maximum.

    The scope is judged on the premises filed: `township_code` is the township the filing
    application names (what approval files); without it, the institution's own township
    (registered, or filed once filed).

    `institution` has been obtained through a scoped selector by the caller; this is a pure
    rule over it.
    """
    if institution is None or not institution.chain_agreement_id:
        return None
    day = as_date(on_date)
    premises = (
        Q(townships__code=township_code) if township_code else Q(townships=institution.township_id)
    )
    agreement = (
        ChainAgreement.objects.filter(pk=institution.chain_agreement_id)
        .filter(_applies_on(day))
        .filter(premises)
        .exclude(head__registration_status=Institution.RegistrationStatus.DEREGISTERED)
        .exclude(head_id=institution.pk)
        .annotate(live_branches=Count("branches", filter=LIVE_BRANCH, distinct=True))
        .select_related("head")
        .first()
    )
    if agreement is None or agreement.live_branches > agreement.max_branches:
        return None
    return agreement


def _agreements(acting_user) -> QuerySet[ChainAgreement]:
    # An agreement belongs to its head company: township users see those of heads in their
    # township, institutions their own (as head), departments all.
    return scope_of(acting_user).filter(
        ChainAgreement.objects.all(), institution="head_id", township="head__township_id"
    )


def _with_counts(qs: QuerySet[ChainAgreement], day: dt.date) -> QuerySet[ChainAgreement]:
    return qs.annotate(
        branch_count=Count("branches", distinct=True),
        live_branch_count=Count("branches", filter=LIVE_BRANCH, distinct=True),
        in_force=Exists(ChainAgreement.objects.filter(pk=OuterRef("pk")).filter(_applies_on(day))),
    )


def chain_agreements_list(
    *, acting_user, status: str | None = None, q: str | None = None, on_date=None
) -> QuerySet[ChainAgreement]:
    """Agreements with `branch_count`, `live_branch_count` and `in_force` (on `on_date`,
    default today). `status`: "in_force" | "not_in_force" | None; `q` searches the agreement
    number and the head's name or USCC."""
    day = as_date(on_date)
    qs = _with_counts(_agreements(acting_user), day).select_related("head", "head__township")
    if q:
        q = q.strip()
        qs = qs.filter(
            Q(agreement_number__icontains=q) | Q(head__name__icontains=q) | Q(head__uscc=q.upper())
        )
    if status == "in_force":
        qs = qs.filter(in_force=True)
    elif status == "not_in_force":
        qs = qs.filter(in_force=False)
    return qs.prefetch_related("townships").order_by("-valid_from", "agreement_number")


def chain_agreement_get(*, acting_user, pk: int, on_date=None) -> ChainAgreement:
    """One visible agreement with its counts; NotFound for unknown or out-of-scope ids."""
    agreement = (
        _with_counts(_agreements(acting_user), as_date(on_date))
        .select_related("head", "head__township")
        .prefetch_related("townships")
        .filter(pk=pk)
        .first()
    )
    if agreement is None:
        raise NotFound("连锁经营协议不存在或无权访问")
    return agreement


def _branch_in_scope(agreement_field: str = "chain_agreement") -> Exists:
    """True when the branch's township is one of its agreement's townships."""
    through = ChainAgreement.townships.through
    return Exists(
        through.objects.filter(
            chainagreement_id=OuterRef(f"{agreement_field}_id"),
            region_id=OuterRef("township_id"),
        )
    )


def chain_branches(*, acting_user, agreement: ChainAgreement) -> QuerySet[Institution]:
    """The branches attached to `agreement` (those the user may see), each annotated with
    `in_scope`: located in one of the agreement's townships (simplified filing path) or not
    ("outside scope: full filing path")."""
    qs = institutions_visible(
        scope=scope_of(acting_user), qs=Institution.objects.filter(chain_agreement=agreement)
    )
    return (
        qs.annotate(in_scope=_branch_in_scope())
        .select_related("township")
        .order_by(Pinyin("name"), "pk")
    )


def chain_info_for_institution(*, acting_user, institution: Institution, on_date=None) -> dict:
    """The 连锁 tab of an institution: the agreement it is a branch of (with `in_scope` and
    whether it currently covers the simplified path) and the agreements it heads."""
    day = as_date(on_date)
    as_branch = None
    if institution.chain_agreement_id:
        as_branch = (
            _with_counts(ChainAgreement.objects.filter(pk=institution.chain_agreement_id), day)
            .select_related("head")
            .prefetch_related("townships")
            .first()
        )
    as_head = list(
        _with_counts(_agreements(acting_user).filter(head=institution), day)
        .prefetch_related("townships")
        .order_by("-valid_from")
    )
    branch_rows = {
        a.pk: list(chain_branches(acting_user=acting_user, agreement=a)) for a in as_head
    }
    in_scope = None
    if as_branch is not None:
        in_scope = as_branch.townships.filter(pk=institution.township_id).exists()
    return {
        "as_branch": as_branch,
        "branch_in_scope": in_scope,
        "covering": chain_agreement_covering(institution, day),
        "as_head": [(a, branch_rows[a.pk]) for a in as_head],
    }


def chain_head_candidates(*, acting_user) -> QuerySet[Institution]:
    """Institutions that may head an agreement: registered, not deregistered."""
    return institutions_visible(
        scope=scope_of(acting_user),
        qs=Institution.objects.filter(
            registration_status=Institution.RegistrationStatus.REGISTERED
        ),
    )
