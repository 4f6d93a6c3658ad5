"""Writes for chains (P-REG-13): agreements of a head company and the branches attached to
them. Only 区卫健局 manages them (`institutions.manage_chains`).

Within an agreement's scope (its townships, its validity, its maximum number of branches) a
new branch is filed through the simplified path (`selectors.chains.chain_agreement_covering`);
a branch located outside the agreement's townships may be attached, but it is flagged and
goes the full filing path.

Error codes: out_of_scope (403), required, date_order, unknown_region,
chain_head_not_registered, agreement_number_taken (409), chain_max_below_branches,
chain_agreement_ended (409), chain_agreement_not_in_force (409), chain_branch_is_head,
chain_branch_elsewhere (409), chain_branches_exceeded (409), chain_branch_not_attached,
institution_deregistered (409), file_empty, file_too_large, file_type_not_allowed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from tuoyu import policy
from tuoyu.audit.services import audit_record, diff, snapshot
from tuoyu.core.bounds import date_check, text_check, too_long_item
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError, OutOfScope
from tuoyu.core.uploads import check_upload
from tuoyu.institutions.catalogue import InstitutionsAction, InstitutionsError
from tuoyu.institutions.models import ChainAgreement, Institution
from tuoyu.regions.catalogue import RegionsError
from tuoyu.regions.models import Region

MANAGE = "institutions.manage_chains"
# Decision documents (agreements, 普惠 decisions) are scanned PDFs; a technical limit, not a
# policy number.
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# [hardening] point 7: reasons typed by 区卫健局, limited to fit a page and the audit log.
END_REASON_MAX = 500
DETACH_REASON_MAX = 500
# [hardening] point 6: far above any real chain (the column would take 32,767).
MAX_BRANCHES = 10_000


def document_check(file, *, field: str = "document") -> None:
    """A decision or agreement document must be a non-empty PDF of at most
    MAX_DOCUMENT_BYTES: `file_empty`, `file_too_large`, `file_type_not_allowed` (all 422)."""
    check_upload(file, max_bytes=MAX_DOCUMENT_BYTES, field=field)


def _require_manager(acting_user) -> None:
    if acting_user is None or not acting_user.has_perm(MANAGE):
        raise OutOfScope("只有区卫健局可以管理连锁经营协议")


def _district_townships(townships: Iterable) -> list[Region]:
    """The agreement's townships: township-level regions of the district (unknown_region)."""
    ids = []
    for t in townships or []:
        ids.append(t.pk if isinstance(t, Region) else t)
    if not ids:
        raise DomainError(CoreError.REQUIRED, "请至少选择一个适用镇乡街道", field="townships")
    found = list(
        Region.objects.filter(
            pk__in=ids,
            level=Region.Level.TOWNSHIP,
            code__startswith=settings.TUOYU_DISTRICT_CODE,
        )
    )
    if len(found) != len(set(ids)):
        raise DomainError(
            RegionsError.UNKNOWN_REGION, "适用范围中有不属于本区的镇乡街道", field="townships"
        )
    return sorted(found, key=lambda r: r.code)


def _check_fields(
    *, agreement_number: str, max_branches, valid_from: dt.date, valid_until: dt.date
) -> tuple[str, int]:
    number = (agreement_number or "").strip()
    if not number:
        raise DomainError(CoreError.REQUIRED, "请填写协议编号", field="agreement_number")
    limit = ChainAgreement._meta.get_field("agreement_number").max_length
    if len(number) > limit:
        raise DomainError(
            errors=[too_long_item(field="agreement_number", label="协议编号", limit=limit)]
        )
    try:
        max_branches = int(max_branches)
    except (TypeError, ValueError):
        max_branches = 0
    if max_branches < 1:
        raise DomainError(CoreError.REQUIRED, "分支机构上限应为正整数", field="max_branches")
    if max_branches > MAX_BRANCHES:
        raise DomainError(
            CoreError.OUT_OF_RANGE, f"分支机构上限不能超过 {MAX_BRANCHES}", field="max_branches"
        )
    if valid_from is None:
        raise DomainError(CoreError.REQUIRED, "请填写生效日期", field="valid_from")
    if valid_until is None:
        raise DomainError(CoreError.REQUIRED, "请填写截止日期", field="valid_until")
    date_check(valid_from, field="valid_from", label="生效日期")
    date_check(valid_until, field="valid_until", label="截止日期")
    if valid_until < valid_from:
        raise DomainError(CoreError.DATE_ORDER, "截止日期不能早于生效日期", field="valid_until")
    return number, max_branches


def _number_taken(number: str, exclude_pk: int | None = None) -> DomainError | None:
    qs = ChainAgreement.objects.filter(agreement_number=number)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        return _taken_error()
    return None


def _taken_error() -> DomainError:
    return DomainError(
        InstitutionsError.AGREEMENT_NUMBER_TAKEN,
        "协议编号已被使用",
        field="agreement_number",
        status=409,
    )


def _save(agreement: ChainAgreement) -> None:
    try:
        with transaction.atomic():
            agreement.save()
    except IntegrityError as exc:  # a concurrent save of the same number
        raise _taken_error() from exc


def _townships_detail(townships: list[Region]) -> list[str]:
    return [t.code for t in townships]


@transaction.atomic
def chain_agreement_create(
    *,
    acting_user,
    head: Institution,
    agreement_number: str,
    townships: Iterable,
    max_branches: int,
    valid_from: dt.date,
    valid_until: dt.date,
    document=None,
) -> ChainAgreement:
    """A chain agreement of `head` (P-REG-13). The head must be registered and not
    deregistered (`chain_head_not_registered`); the number is unique (409
    `agreement_number_taken`); the townships are the district's (`unknown_region`)."""
    _require_manager(acting_user)
    number, max_branches = _check_fields(
        agreement_number=agreement_number,
        max_branches=max_branches,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    regions = _district_townships(townships)
    if head is None:
        raise DomainError(CoreError.REQUIRED, "请选择总部机构", field="head")
    head = Institution.objects.select_for_update().get(pk=head.pk)
    if head.registration_status != Institution.RegistrationStatus.REGISTERED:
        raise DomainError(
            InstitutionsError.CHAIN_HEAD_NOT_REGISTERED,
            "总部机构须为已登记且未注销的机构",
            field="head",
        )
    if document is not None:
        document_check(document, field="document")
    if err := _number_taken(number):
        raise err
    agreement = ChainAgreement(
        head=head,
        agreement_number=number,
        max_branches=max_branches,
        valid_from=valid_from,
        valid_until=valid_until,
        created_by=acting_user,
    )
    if document is not None:
        agreement.document = document
    _save(agreement)
    agreement.townships.set(regions)
    audit_record(
        action=InstitutionsAction.CHAIN_AGREEMENT_CREATED,
        actor=acting_user,
        obj=agreement,
        changes=diff({}, snapshot(agreement)),
        detail={"townships": _townships_detail(regions), "head_uscc": head.uscc},
    )
    return agreement


@transaction.atomic
def chain_agreement_update(
    *,
    acting_user,
    agreement: ChainAgreement,
    agreement_number: str,
    townships: Iterable,
    max_branches: int,
    valid_from: dt.date,
    valid_until: dt.date,
    document=None,
) -> ChainAgreement:
    """Edit an agreement's number, townships, maximum and validity (the head stays). The
    maximum cannot fall below the branches attached (`chain_max_below_branches`). A new
    `document` replaces the file; the previous one stays named in the audit log."""
    _require_manager(acting_user)
    agreement = ChainAgreement.objects.select_for_update().get(pk=agreement.pk)
    number, max_branches = _check_fields(
        agreement_number=agreement_number,
        max_branches=max_branches,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    regions = _district_townships(townships)
    live = agreement.branches.exclude(
        registration_status=Institution.RegistrationStatus.DEREGISTERED
    ).count()
    if max_branches < live:
        raise DomainError(
            InstitutionsError.CHAIN_MAX_BELOW_BRANCHES,
            f"分支机构上限不能低于已挂靠的分支机构数（{live} 家）",
            field="max_branches",
        )
    if agreement.ended_on is not None and agreement.ended_on < valid_from:
        raise DomainError(CoreError.DATE_ORDER, "生效日期不能晚于提前终止日期", field="valid_from")
    if document is not None:
        document_check(document, field="document")
    if err := _number_taken(number, exclude_pk=agreement.pk):
        raise err
    before = snapshot(agreement)
    townships_before = list(agreement.townships.order_by("code").values_list("code", flat=True))
    agreement.agreement_number = number
    agreement.max_branches = max_branches
    agreement.valid_from = valid_from
    agreement.valid_until = valid_until
    if document is not None:
        agreement.document = document
    _save(agreement)
    agreement.townships.set(regions)
    changes = diff(before, snapshot(agreement))
    townships_after = _townships_detail(regions)
    if townships_before != townships_after:
        changes["townships"] = [townships_before, townships_after]
    audit_record(
        action=InstitutionsAction.CHAIN_AGREEMENT_UPDATED,
        actor=acting_user,
        obj=agreement,
        changes=changes,
    )
    return agreement


@transaction.atomic
def chain_agreement_end(
    *, acting_user, agreement: ChainAgreement, ended_on: dt.date, reason: str
) -> ChainAgreement:
    """End an agreement early: `ended_on` is the last day it applies (between its start and
    its validity end, `date_order`). Its original validity is kept. Ending twice: 409
    `chain_agreement_ended`."""
    _require_manager(acting_user)
    agreement = ChainAgreement.objects.select_for_update().get(pk=agreement.pk)
    reason = text_check(reason, field="reason", label="终止原因", limit=END_REASON_MAX)
    if agreement.ended_on is not None:
        raise DomainError(
            InstitutionsError.CHAIN_AGREEMENT_ENDED,
            "该协议已提前终止",
            field="ended_on",
            status=409,
        )
    if ended_on is None:
        raise DomainError(CoreError.REQUIRED, "请填写终止日期", field="ended_on")
    date_check(ended_on, field="ended_on", label="终止日期")
    if not reason:
        raise DomainError(CoreError.REQUIRED, "请填写终止原因", field="reason")
    if ended_on < agreement.valid_from or ended_on > agreement.valid_until:
        raise DomainError(
            CoreError.DATE_ORDER, "终止日期应在协议生效日期与截止日期之间", field="ended_on"
        )
    before = snapshot(agreement)
    agreement.ended_on = ended_on
    agreement.end_reason = reason
    agreement.save(update_fields=["ended_on", "end_reason"])
    audit_record(
        action=InstitutionsAction.CHAIN_AGREEMENT_ENDED,
        actor=acting_user,
        obj=agreement,
        changes=diff(before, snapshot(agreement)),
    )
    return agreement


@dataclass(frozen=True)
class BranchAttachment:
    institution: Institution
    agreement: ChainAgreement
    in_scope: bool
    """False: the branch lies outside the agreement's townships ("outside scope: full
    filing path")."""


@transaction.atomic
def chain_branch_attach(
    *, acting_user, agreement: ChainAgreement, institution: Institution, on: dt.date | None = None
) -> BranchAttachment:
    """Attach `institution` as a branch of `agreement` (P-REG-13).

    The branch must not be the head (`chain_branch_is_head`), must be registered
    (`institution_deregistered`), must not belong to another agreement
    (`chain_branch_elsewhere`); the agreement must not have ended (`chain_agreement_ended`
    / `chain_agreement_not_in_force` once its validity is over) and must have room
    (`chain_branches_exceeded`). A branch outside the agreement's townships is attached but
    flagged (`in_scope=False`): it goes the full filing path."""
    _require_manager(acting_user)
    day = on or policy.today()
    # Lock the agreement: concurrent attaches count its branches one after the other.
    agreement = ChainAgreement.objects.select_for_update().get(pk=agreement.pk)
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    if institution.pk == agreement.head_id:
        raise DomainError(
            InstitutionsError.CHAIN_BRANCH_IS_HEAD,
            "总部机构不能作为本协议的分支机构",
            field="institution",
        )
    if institution.is_deregistered:
        raise DomainError(
            InstitutionsError.INSTITUTION_DEREGISTERED,
            "机构已注销登记",
            field="institution",
            status=409,
        )
    if institution.chain_agreement_id == agreement.pk:
        in_scope = agreement.townships.filter(pk=institution.township_id).exists()
        return BranchAttachment(institution, agreement, in_scope)  # already attached: no-op
    if institution.chain_agreement_id is not None:
        raise DomainError(
            InstitutionsError.CHAIN_BRANCH_ELSEWHERE,
            "该机构已挂靠其他连锁经营协议，请先解除",
            field="institution",
            status=409,
        )
    if agreement.ended_on is not None and agreement.ended_on < day:
        raise DomainError(InstitutionsError.CHAIN_AGREEMENT_ENDED, "该协议已提前终止", status=409)
    if agreement.valid_until < day:
        raise DomainError(
            InstitutionsError.CHAIN_AGREEMENT_NOT_IN_FORCE, "该协议已过有效期", status=409
        )
    live = agreement.branches.exclude(
        registration_status=Institution.RegistrationStatus.DEREGISTERED
    ).count()
    if live >= agreement.max_branches:
        raise DomainError(
            InstitutionsError.CHAIN_BRANCHES_EXCEEDED,
            f"分支机构已达协议上限（{agreement.max_branches} 家）",
            field="institution",
            status=409,
        )
    in_scope = agreement.townships.filter(pk=institution.township_id).exists()
    institution.chain_agreement = agreement
    institution.save(update_fields=["chain_agreement", "updated_at"])
    audit_record(
        action=InstitutionsAction.CHAIN_AGREEMENT_BRANCH_ATTACHED,
        actor=acting_user,
        obj=institution,
        changes={"chain_agreement": [None, agreement.pk]},
        detail={
            "agreement_number": agreement.agreement_number,
            "in_scope": in_scope,
            "township": institution.township.code,
        },
    )
    return BranchAttachment(institution, agreement, in_scope)


@transaction.atomic
def chain_branch_detach(
    *, acting_user, agreement: ChainAgreement, institution: Institution, reason: str = ""
) -> Institution:
    """Detach a branch from `agreement` (`chain_branch_not_attached` when it is not one).
    Its filing stays; later changes are filed through the full path."""
    _require_manager(acting_user)
    reason = text_check(reason, field="reason", label="解除原因", limit=DETACH_REASON_MAX)
    agreement = ChainAgreement.objects.select_for_update().get(pk=agreement.pk)
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    if institution.chain_agreement_id != agreement.pk:
        raise DomainError(
            InstitutionsError.CHAIN_BRANCH_NOT_ATTACHED,
            "该机构不是本协议的分支机构",
            field="institution",
        )
    institution.chain_agreement = None
    institution.save(update_fields=["chain_agreement", "updated_at"])
    audit_record(
        action=InstitutionsAction.CHAIN_AGREEMENT_BRANCH_DETACHED,
        actor=acting_user,
        obj=institution,
        changes={"chain_agreement": [agreement.pk, None]},
        detail={"agreement_number": agreement.agreement_number, "reason": reason},
    )
    return institution
