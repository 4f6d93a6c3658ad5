"""Writes of the filing (备案) workflow: P-REG-12, P-REG-13, P-FIL-1..3.

Every function here is one transaction that appends its audit event(s).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import replace

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from tuoyu import policy
from tuoyu.audit.services import audit_record, audit_record_bulk, diff
from tuoyu.core import events
from tuoyu.core.bounds import date_check, text_check, too_long_item
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError, NotFound, OutOfScope
from tuoyu.core.excel import file_size
from tuoyu.core.scope import scope_of
from tuoyu.core.uploads import FILE_SIGNATURES, check_upload
from tuoyu.filings import checks, deadlines, scopes, selectors, staff_source
from tuoyu.filings.catalogue import FilingsAction, FilingsError
from tuoyu.filings.models import (
    FilingApplication,
    FilingMaterial,
    FilingNumberSequence,
    SubjectReview,
)
from tuoyu.institutions.catalogue import InstitutionsError
from tuoyu.institutions.models import CareClass, Institution
from tuoyu.institutions.services.classes import (
    care_class_create,
    care_class_withdraw,
    care_classes_close,
    care_classes_file,
)
from tuoyu.institutions.services.filed_facts import filed_facts_apply
from tuoyu.institutions.services.filing_state import (
    institution_filing_cancel,
    institution_filing_filed,
    institution_filing_review_ended,
    institution_filing_review_started,
)
from tuoyu.regions import workdays

OPEN_STATUSES = (
    FilingApplication.Status.DRAFT,
    FilingApplication.Status.IN_REVIEW,
    FilingApplication.Status.RETURNED,
    FilingApplication.Status.AWAITING_DECISION,
)


@transaction.atomic
def filing_cancel(
    *, institution: Institution, acting_user, reason: str, cancelled_on: dt.date, source: str
) -> None:
    """P-FIL-3: the filing of `institution` is cancelled (注销) — on a deregistration push
    (`source="deregistration"`) or on the institution's request (`source="request"`).

    Filing status → cancelled with the date; every open or filed class is closed; an open
    application is withdrawn (its pending subject reviews superseded). Idempotent: calling it
    again for a cancelled institution changes nothing and records nothing.
    """
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    if institution.filing_status == Institution.FilingStatus.CANCELLED:
        return
    now = timezone.now()
    withdrawn = []
    for application in FilingApplication.objects.select_for_update().filter(
        institution=institution, status__in=OPEN_STATUSES
    ):
        SubjectReview.objects.filter(
            application=application, status=SubjectReview.Status.PENDING
        ).update(status=SubjectReview.Status.SUPERSEDED, decided_at=now)
        application.status = FilingApplication.Status.WITHDRAWN
        application.decided_at = now
        application.decision_note = reason
        application.save(update_fields=["status", "decided_at", "decision_note"])
        withdrawn.append(application.pk)
        audit_record(
            action=FilingsAction.APPLICATION_WITHDRAWN,
            actor=acting_user,
            obj=application,
            changes={"status": ["open", FilingApplication.Status.WITHDRAWN]},
            detail={"reason": reason, "source": source},
        )
    # Classes close and 普惠 status ends with the filing (P-MODE-2): institutions owns both.
    outcome = institution_filing_cancel(
        acting_user=acting_user,
        institution=institution,
        cancelled_on=cancelled_on,
        reference=reason,
    )
    audit_record(
        action=FilingsAction.FILING_CANCELLED,
        actor=acting_user,
        obj=institution,
        changes={
            "filing_status": [
                outcome["before"]["filing_status"],
                Institution.FilingStatus.CANCELLED,
            ],
            "filing_cancelled_on": [None, cancelled_on],
        },
        detail={
            "reason": reason,
            "source": source,
            "classes_closed": outcome["classes_closed"],
            "applications_withdrawn": withdrawn,
            "affordable_designations_closed": outcome["affordable_designations_closed"],
            "filing_number": outcome["filing_number"],
        },
    )
    events.emit(
        events.FILING_CANCELLED,
        institution_id=institution.pk,
        acting_user=acting_user,
        cancelled_on=cancelled_on,
        source=source,
    )


# =========================================================================================
# The workflow. Transitions of an application, in one table (P-REG-12): any other move is
# `invalid_transition` (409).
# =========================================================================================

S = FilingApplication.Status
TRANSITIONS: dict[str, dict[str, str]] = {
    # institution edits its draft or a returned application (status unchanged)
    "edit": {S.DRAFT: S.DRAFT, S.RETURNED: S.RETURNED},
    # first submission: reviewed on its subjects …
    "submit": {S.DRAFT: S.IN_REVIEW},
    # … or, touching no subject (a fee change, a cancellation request), straight to 区卫健局
    "submit_for_decision": {S.DRAFT: S.AWAITING_DECISION},
    # resubmission after a return re-opens the returned subjects only
    "resubmit": {S.RETURNED: S.IN_REVIEW},
    # a subject reviewer returns: the application goes back to the institution
    "return": {S.IN_REVIEW: S.RETURNED, S.RETURNED: S.RETURNED},
    # a subject reviewer approves (the application moves on when all subjects passed)
    "review": {S.IN_REVIEW: S.IN_REVIEW, S.RETURNED: S.RETURNED},
    "all_subjects_passed": {S.IN_REVIEW: S.AWAITING_DECISION},
    # P-REG-13: a chain branch within its agreement (judged on the premises filed) is reviewed
    # on its subjects like any filing (审核性备案, P-REG-12); when all passed it is filed
    # without the separate decision (不再单独报批)
    "chain_filed": {S.IN_REVIEW: S.APPROVED},
    # 区卫健局 decides
    "approve": {S.AWAITING_DECISION: S.APPROVED},
    "reject": {S.AWAITING_DECISION: S.REJECTED},
    # the institution withdraws (or the filing is cancelled while an application is open)
    "withdraw": {
        S.DRAFT: S.WITHDRAWN,
        S.IN_REVIEW: S.WITHDRAWN,
        S.RETURNED: S.WITHDRAWN,
        S.AWAITING_DECISION: S.WITHDRAWN,
    },
}


def transition_target(application: FilingApplication, action: str) -> str:
    """The status `action` leads to from the application's status, or `invalid_transition`."""
    target = TRANSITIONS[action].get(application.status)
    if target is None:
        raise DomainError(
            CoreError.INVALID_TRANSITION,
            gettext("申请当前状态为“%(status)s”，不能执行此操作")
            % {"status": application.get_status_display()},
            field="status",
            status=409,
        )
    return target


def _audit_transition(application, *, actor, action: FilingsAction, before, detail=None):
    audit_record(
        action=action,
        actor=actor,
        obj=application,
        changes={"status": [before, application.status]} if before != application.status else {},
        detail={"kind": application.kind, "round": application.round, **(detail or {})},
    )


def _local_date(moment) -> dt.date:
    return policy.as_date(moment)


def _own_application(acting_user, application: FilingApplication) -> FilingApplication:
    """Lock the application; only the institution's own account edits or submits it (any
    other caller: 404, no existence leak)."""
    if getattr(acting_user, "institution_id", None) != application.institution_id:
        raise NotFound()
    return FilingApplication.objects.select_for_update().get(pk=application.pk)


# --- starting applications ---------------------------------------------------------------


@transaction.atomic
def filing_start(*, acting_user, institution: Institution, kind: str) -> FilingApplication:
    """Open a draft: an initial filing (P-REG-12) for a registered, not yet filed institution,
    or a change filing (P-FIL-3) for a filed one. The draft is prefilled with the
    registration facts (initial) or the filed facts (change).

    Errors (409): institution_deregistered, filing_cancelled, already_filed, not_filed,
    application_open.
    """
    if getattr(acting_user, "institution_id", None) != institution.pk:
        raise NotFound()
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    if institution.is_deregistered:
        raise DomainError(
            InstitutionsError.INSTITUTION_DEREGISTERED,
            gettext("机构已注销登记，不能办理备案"),
            field="uscc",
            status=409,
        )
    if institution.filing_status == Institution.FilingStatus.CANCELLED:
        raise DomainError(
            InstitutionsError.FILING_CANCELLED,
            gettext("机构备案已注销，不能再办理备案或变更"),
            status=409,
        )
    if kind == FilingApplication.Kind.INITIAL and institution.filing_status not in (
        Institution.FilingStatus.NOT_FILED,
    ):
        if institution.filing_status == Institution.FilingStatus.FILED:
            raise DomainError(
                FilingsError.ALREADY_FILED, gettext("机构已备案，请办理备案变更"), status=409
            )
        raise DomainError(
            FilingsError.APPLICATION_OPEN, gettext("已有正在办理的备案申请"), status=409
        )
    if kind == FilingApplication.Kind.CHANGE and (
        institution.filing_status != Institution.FilingStatus.FILED
    ):
        raise DomainError(
            InstitutionsError.INSTITUTION_NOT_FILED,
            gettext("机构尚未备案，不能办理备案变更"),
            status=409,
        )
    if kind not in (FilingApplication.Kind.INITIAL, FilingApplication.Kind.CHANGE):
        raise DomainError(CoreError.INVALID_CHOICE, gettext("申请类型无效"), field="kind")
    if FilingApplication.objects.filter(institution=institution, status__in=OPEN_STATUSES).exists():
        raise DomainError(
            FilingsError.APPLICATION_OPEN, gettext("已有正在办理的备案申请"), status=409
        )
    facts = checks.institution_facts(institution)
    pushed = (
        checks.pushed_premises_pending(institution)
        if kind == FilingApplication.Kind.CHANGE
        else None
    )
    if pushed:  # P-FIL-3: the premises the registration authority pushed meanwhile
        facts_basic = checks.pushed_premises_apply(facts["basic"], pushed)
    draft_facts = {
        "basic": facts["basic"],
        "staff": facts["staff"],
        "standards": facts["standards"],  # the filed standards (P-STD-2/3) of a change
        "classes_close": [],
    }
    if pushed:
        draft_facts["basic"] = facts_basic
        draft_facts["pushed_premises"] = pushed
    try:
        with transaction.atomic():
            application = FilingApplication.objects.create(
                institution=institution,
                kind=kind,
                status=S.DRAFT,
                facts=draft_facts,
                facts_before=facts if kind == FilingApplication.Kind.CHANGE else {},
                created_by=acting_user,
            )
    except IntegrityError as exc:  # filing_one_open_application
        raise DomainError(
            FilingsError.APPLICATION_OPEN, gettext("已有正在办理的备案申请"), status=409
        ) from exc
    _audit_transition(
        application, actor=acting_user, action=FilingsAction.APPLICATION_STARTED, before=None
    )
    return application


@transaction.atomic
def filing_premises_pushed(
    *,
    acting_user,
    institution: Institution,
    address: str | None,
    township_code: str | None,
    event_id: str,
    occurred_at: dt.datetime,
) -> FilingApplication | None:
    """P-FIL-3: the registration authority pushed new premises (address, township) for a
    filed or in-review institution; the push did not overwrite the filed ones. Runs in the
    push's transaction (receiver of `registration_premises_changed`).

    - No application open and the institution filed: a draft change filing is opened,
      prefilled with the filed facts and the pushed premises (a new township clears the
      community), reason "登记机关推送地址变更"; the institution completes and submits it,
      and it is reviewed on the subjects premises touch (消防, 安全保卫, 卫生保健).
    - An application open: the pushed premises are recorded on it (`pushed_premises`); a
      draft (not yet reviewed) also takes them into its basic facts. One under review or
      returned keeps the facts its reviewers judge: the institution's page says a change
      filing is required, and the next change filing starts from the pushed premises
      (`filing_start`), until they are filed.

    Returns the application opened or updated (None when there is nothing to do)."""
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    pushed = {
        "address": address,
        "township": township_code,
        "event_id": event_id,
        "occurred_at": occurred_at.isoformat(),
    }
    current = (
        FilingApplication.objects.select_for_update()
        .filter(institution=institution, status__in=OPEN_STATUSES)
        .first()
    )
    if current is not None:
        facts = {**current.facts, "pushed_premises": pushed}
        into_draft = current.status == S.DRAFT and current.kind in (
            FilingApplication.Kind.INITIAL,
            FilingApplication.Kind.CHANGE,
        )
        if into_draft:
            facts["basic"] = checks.pushed_premises_apply(facts.get("basic") or {}, pushed)
        before = current.facts.get("basic") or {}
        current.facts = facts
        current.save(update_fields=["facts"])
        audit_record(
            action=FilingsAction.APPLICATION_PREMISES_PUSHED,
            actor=acting_user,
            obj=current,
            changes=diff(before, facts.get("basic") or {}) if into_draft else {},
            detail={"pushed_premises": pushed, "into_draft": into_draft},
        )
        return current
    if institution.filing_status != Institution.FilingStatus.FILED:
        return None
    filed = checks.institution_facts(institution)
    application = FilingApplication.objects.create(
        institution=institution,
        kind=FilingApplication.Kind.CHANGE,
        status=S.DRAFT,
        facts={
            "basic": checks.pushed_premises_apply(filed["basic"], pushed),
            "staff": filed["staff"],
            "standards": filed["standards"],
            "classes_close": [],
            "pushed_premises": pushed,
        },
        facts_before=filed,
        reason=gettext("登记机关推送地址变更"),
        created_by=acting_user,
    )
    _audit_transition(
        application,
        actor=acting_user,
        action=FilingsAction.APPLICATION_STARTED_BY_PUSH,
        before=None,
        detail={"pushed_premises": pushed},
    )
    return application


# --- editing a draft ----------------------------------------------------------------------


@transaction.atomic
def filing_update_basic(*, acting_user, application: FilingApplication, data: dict):
    """Save the basic-facts section (validated for format; completeness is checked at
    submission)."""
    application = _own_application(acting_user, application)
    transition_target(application, "edit")
    cleaned = checks.clean_basic(data, institution=application.institution)
    return _facts_section_save(acting_user, application, "basic", cleaned)


def _facts_section_save(acting_user, application, section: str, cleaned: dict):
    """Replace one section of the proposed facts, with its before/after in the audit log."""
    before = application.facts.get(section) or {}
    application.facts = {**application.facts, section: cleaned}
    application.save(update_fields=["facts"])
    audit_record(
        action=FilingsAction.APPLICATION_FACTS_SAVED,
        actor=acting_user,
        obj=application,
        changes=diff(before, cleaned),
        detail={"section": section},
    )
    return application


@transaction.atomic
def filing_update_staff(*, acting_user, application: FilingApplication, staff: dict):
    """Save the staff summary: counts by role and how many hold certificates (P-STD-2).
    Refused (409 staff_from_roster) for an institution keeping a roster: its counts come from
    the roster (P-WF-1), set at submission (`_staff_from_roster`)."""
    application = _own_application(acting_user, application)
    transition_target(application, "edit")
    if staff_source.roster_staff(application.institution_id, policy.today()) is not None:
        raise DomainError(
            FilingsError.STAFF_FROM_ROSTER,
            gettext("人员配备取自本机构的从业人员名册，不能手工填写，请更新名册"),
            field="staff",
            status=409,
        )
    return _facts_section_save(acting_user, application, "staff", checks.clean_staff(staff))


@transaction.atomic
def filing_update_standards(*, acting_user, application: FilingApplication, standards: dict):
    """Save the standards section (P-STD-2 / P-STD-3): the head's qualifications, health
    workers, security guard, premises tenure, living floors, windows and observation room.
    Validated for format here; the standards themselves refuse at submission."""
    application = _own_application(acting_user, application)
    transition_target(application, "edit")
    return _facts_section_save(
        acting_user, application, "standards", checks.clean_standards(standards)
    )


@transaction.atomic
def filing_class_add(
    *, acting_user, application: FilingApplication, name: str, class_type: str, capacity
) -> CareClass:
    """Add a class to the draft: a proposed class (P-STD-1 size check), filed on approval."""
    application = _own_application(acting_user, application)
    transition_target(application, "edit")
    return care_class_create(
        acting_user=acting_user,
        institution=application.institution,
        name=name,
        class_type=class_type,
        capacity=capacity,
    )


@transaction.atomic
def filing_class_remove(*, acting_user, application: FilingApplication, class_id: int) -> None:
    """Remove a class from the draft: a proposed class is withdrawn; a filed class (change
    filings only) is marked to be closed when the change is approved."""
    application = _own_application(acting_user, application)
    transition_target(application, "edit")
    care_class = CareClass.objects.filter(
        institution_id=application.institution_id, pk=class_id
    ).first()
    if care_class is None or care_class.status == CareClass.Status.CLOSED:
        raise NotFound(field="class_id")
    if care_class.status == CareClass.Status.PROPOSED:
        care_class_withdraw(acting_user=acting_user, care_class=care_class)
        return
    if application.kind != FilingApplication.Kind.CHANGE:
        raise DomainError(
            InstitutionsError.CLASS_FILED, gettext("已备案班级须通过备案变更撤销"), status=409
        )
    close = set(application.facts.get("classes_close") or [])
    close.add(care_class.pk)
    application.facts = {**application.facts, "classes_close": sorted(close)}
    application.save(update_fields=["facts"])
    audit_record(
        action=FilingsAction.APPLICATION_CLASS_MARKED_FOR_CLOSING,
        actor=acting_user,
        obj=application,
        detail={"class_id": care_class.pk, "name": care_class.name},
    )


@transaction.atomic
def filing_class_keep(*, acting_user, application: FilingApplication, class_id: int) -> None:
    """Undo `filing_class_remove` for a filed class in a change draft."""
    application = _own_application(acting_user, application)
    transition_target(application, "edit")
    close = set(application.facts.get("classes_close") or [])
    if class_id not in close:
        raise NotFound(field="class_id")
    close.discard(class_id)
    application.facts = {**application.facts, "classes_close": sorted(close)}
    application.save(update_fields=["facts"])
    audit_record(
        action=FilingsAction.APPLICATION_CLASS_KEPT,
        actor=acting_user,
        obj=application,
        detail={"class_id": class_id},
    )


@transaction.atomic
def filing_material_upload(
    *, acting_user, application: FilingApplication, kind: str, file, supersede: bool = True
) -> FilingMaterial:
    """Attach a scanned document (P-FIL-1). PDF, JPEG or PNG by content (magic bytes) and
    matching extension; not empty; not above the size limit. A new upload of the same kind
    supersedes the previous one (kept for the history) — unless `supersede` is False (the
    further files of one `filing_materials_upload`).

    Errors (422): material_kind_invalid, file_empty, file_too_large, file_type_not_allowed.
    """
    application = _own_application(acting_user, application)
    transition_target(application, "edit")
    if kind not in FilingMaterial.Kind.values:
        raise DomainError(CoreError.INVALID_CHOICE, gettext("材料类型无效"), field="kind")
    name = os.path.basename(getattr(file, "name", "") or "")[:200]
    content_type = check_upload(
        file, max_bytes=checks.material_max_bytes(), allowed=tuple(FILE_SIGNATURES)
    )
    size = file_size(file)
    file.seek(0)
    digest = hashlib.sha256()
    for chunk in file.chunks() if hasattr(file, "chunks") else [file.read()]:
        digest.update(chunk)
    file.seek(0)
    superseded = (
        list(
            FilingMaterial.objects.filter(
                application=application, kind=kind, superseded=False
            ).values_list("pk", flat=True)
        )
        if supersede
        else []
    )
    FilingMaterial.objects.filter(pk__in=superseded).update(superseded=True)
    stored_name = (
        f"{application.institution_id}-{application.pk}-{kind}{os.path.splitext(name)[1].lower()}"
    )
    material = FilingMaterial(
        application=application,
        institution_id=application.institution_id,
        kind=kind,
        original_name=name or stored_name,
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=acting_user,
    )
    material.file.save(stored_name, file, save=False)
    material.save()
    audit_record(
        action=FilingsAction.MATERIAL_UPLOADED,
        actor=acting_user,
        obj=material,
        detail={
            "application_id": application.pk,
            "kind": kind,
            "size": size,
            "sha256": material.sha256,
            "superseded": superseded,
        },
    )
    return material


@transaction.atomic
def filing_materials_upload(
    *, acting_user, application: FilingApplication, kind: str, files: list
) -> list[FilingMaterial]:
    """Several files of one kind at once ([accounts-ux] #9 point 4), each its own
    `FilingMaterial` through `filing_material_upload`: together they replace the kind's
    current files. All or nothing: every file is checked before any is stored, and a refused
    one names its file (`“名称”：…`, field `file`), none being stored."""
    application = _own_application(acting_user, application)
    transition_target(application, "edit")
    if not files:
        raise DomainError(CoreError.FILE_MISSING, gettext("请选择要上传的文件"), field="file")
    if kind not in FilingMaterial.Kind.values:
        raise DomainError(CoreError.INVALID_CHOICE, gettext("材料类型无效"), field="kind")
    problems = []
    for file in files:
        try:
            check_upload(
                file, max_bytes=checks.material_max_bytes(), allowed=tuple(FILE_SIGNATURES)
            )
        except DomainError as exc:
            name = os.path.basename(getattr(file, "name", "") or "")[:200]
            problems += [
                replace(
                    e,
                    message=gettext("“%(name)s”：%(message)s")
                    % {"name": name, "message": e.message},
                )
                for e in exc.errors
            ]
    if problems:
        raise DomainError(errors=problems)
    return [
        filing_material_upload(
            acting_user=acting_user,
            application=application,
            kind=kind,
            file=file,
            supersede=index == 0,
        )
        for index, file in enumerate(files)
    ]


@transaction.atomic
def filing_material_remove(
    *, acting_user, application: FilingApplication, material_id: int
) -> FilingMaterial:
    """Take a material off the institution's own draft or returned application before it is
    (re)submitted ([accounts-ux] #9 point 4). The row and its file are kept, marked
    superseded like a replaced upload, so the history and the audit trail stay whole.

    Errors: another institution's application or an unknown / already replaced material
    404; an application no longer editable (submitted, decided …) 409 invalid_transition.
    """
    application = _own_application(acting_user, application)
    transition_target(application, "edit")
    material = (
        FilingMaterial.objects.select_for_update()
        .filter(application=application, pk=material_id, superseded=False)
        .first()
    )
    if material is None:
        raise NotFound(field="material_id")
    material.superseded = True
    material.save(update_fields=["superseded"])
    audit_record(
        action=FilingsAction.MATERIAL_REMOVED,
        actor=acting_user,
        obj=material,
        changes={"superseded": [False, True]},
        detail={
            "application_id": application.pk,
            "kind": material.kind,
            "name": material.original_name,
        },
    )
    return material


@transaction.atomic
def filing_material_download_record(
    *, acting_user, material: FilingMaterial, inline: bool = False
) -> None:
    """Audit a download of a filing material, or (`inline`) its preview in the browser (the
    caller has fetched it through `selectors.material_get`, which applies the access
    rule)."""
    audit_record(
        action=FilingsAction.MATERIAL_VIEWED if inline else FilingsAction.MATERIAL_DOWNLOADED,
        actor=acting_user,
        obj=material,
        detail={"application_id": material.application_id, "kind": material.kind},
    )


@transaction.atomic
def filing_receipt_download_record(*, acting_user, institution: Institution) -> None:
    """Audit a download of a filing receipt ([accounts-ux] #9 point 6; the caller fetched the
    institution through `selectors.receipt_institution`, which applies the access rule)."""
    audit_record(
        action=FilingsAction.RECEIPT_DOWNLOADED,
        actor=acting_user,
        obj=institution,
        detail={"filing_number": institution.filing_number},
    )


# --- submission -----------------------------------------------------------------------------


@transaction.atomic
def filing_submit(
    *,
    acting_user,
    application: FilingApplication,
    commitment_accepted: bool,
    at: dt.datetime | None = None,
) -> FilingApplication:
    """Submit a draft, or resubmit a returned application (P-REG-12).

    Completeness is checked first (every missing fact, class, material and the commitment
    letter is its own error). Then:
    - each subject the application touches gets a pending review (round 1); an application
      touching none waits for the decision (区卫健局, or 区教体局 for 托幼一体化, P-REG-10);
    - an initial filing of a chain branch whose agreement covers the premises filed (the
      application's township, P-REG-13) takes path `chain_simplified`: reviewed on the four
      subjects all the same, then filed without the separate decision (`_chain_file`);
    - a resubmission opens a new review round only for the subjects that returned it;
      approved subjects stay approved, subjects still pending keep their review.
    """
    application = _own_application(acting_user, application)
    now = at or timezone.now()
    on = _local_date(now)
    resubmitting = application.status == S.RETURNED
    if application.status not in (S.DRAFT, S.RETURNED):
        transition_target(application, "submit")  # raises invalid_transition
    source = _staff_from_roster(application, on)
    errors = checks.submission_errors(application, on=on, commitment_accepted=commitment_accepted)
    if errors:
        raise DomainError(errors=errors, title=gettext("备案申请不完整，未提交"))
    institution = Institution.objects.select_for_update().get(pk=application.institution_id)
    before_status = application.status
    filed = _submission_snapshot(application, institution, now=now)
    # P-FIL-2: the materials are complete today (this submission passed the completeness
    # check); a resubmission after a return restarts the clock. Receipt within 5, a
    # not-accepted notice within 15 working days (filings.deadlines).
    deadlines.apply(application, on, workdays.calendar())

    if resubmitting:
        return _resubmit(
            application,
            institution,
            actor=acting_user,
            before_status=before_status,
            now=now,
            staff_from=source,
        )
    agreement = _chain_agreement(application, institution, on)
    application.path = (
        FilingApplication.Path.CHAIN_SIMPLIFIED if agreement else FilingApplication.Path.FULL
    )
    subjects = _subjects_to_review(application, filed)
    _open_reviews(application, institution, subjects, now=now)
    application.save()
    if application.kind == FilingApplication.Kind.INITIAL:
        institution_filing_review_started(institution=institution)
    _audit_transition(
        application,
        actor=acting_user,
        action=FilingsAction.APPLICATION_SUBMITTED,
        before=before_status,
        detail={
            "subjects": subjects,
            "warnings": [w.code for w in checks.filing_warnings(application, on=on)],
            "path": application.path,
            "staff_source": source,
            **_deadline_detail(application),
            **_agreement_detail(agreement),
        },
    )
    return application


def _staff_from_roster(application: FilingApplication, on: dt.date) -> str:
    """P-STD-2 / P-WF-1: an institution keeping a roster files the roster's counts on the
    submission day, whatever the draft held (set before the completeness checks, saved with
    the submission). Returns where the staff section came from: "roster" or "typed"."""
    counts = staff_source.roster_staff(application.institution_id, on)
    if counts is None:
        return "typed"
    application.facts = {**application.facts, "staff": counts}
    return "roster"


def _submission_snapshot(
    application: FilingApplication, institution: Institution, *, now: dt.datetime
) -> dict:
    """What a submission fixes on the application (not yet saved): its classes as they will
    be, for a change the filed facts it changes (`facts_before`), the accepted commitment,
    the next round and the submission times. Returns the institution's filed facts."""
    classes = checks.open_classes(application)
    filed = checks.institution_facts(institution)
    application.facts = {**application.facts, "classes": classes}
    application.facts_before = filed if application.kind == FilingApplication.Kind.CHANGE else {}
    application.commitment_accepted = True
    application.round += 1
    application.submitted_at = now
    application.first_submitted_at = application.first_submitted_at or now
    return filed


def _resubmit(
    application: FilingApplication,
    institution: Institution,
    *,
    actor,
    before_status: str,
    now: dt.datetime,
    staff_from: str,
) -> FilingApplication:
    """A returned application resubmitted (P-REG-12): a new review round only for the
    subjects that returned it; approved subjects stay approved, pending ones keep theirs.
    P-FIL-2: the materials count as complete on the resubmission's date, so the receipt and
    notice deadlines restart from it (set by `filing_submit` before this runs)."""
    application.status = transition_target(application, "resubmit")
    returned = _latest_reviews(application, status=SubjectReview.Status.RETURNED)
    for review in returned:
        SubjectReview.objects.create(
            application=application,
            institution=institution,
            subject=review.subject,
            round=application.round,
            opened_at=now,
        )
    application.save()
    _audit_transition(
        application,
        actor=actor,
        action=FilingsAction.APPLICATION_RESUBMITTED,
        before=before_status,
        detail={
            "reopened": [r.subject for r in returned],
            "staff_source": staff_from,
            **_deadline_detail(application),
        },
    )
    return application


def _deadline_detail(application: FilingApplication) -> dict:
    """P-FIL-2 deadlines as the audit event records them."""
    return {
        "materials_complete_on": application.materials_complete_on,
        "receipt_due_on": application.receipt_due_on,
        "notice_due_on": application.notice_due_on,
        "deadline_unknown_year": application.deadline_unknown_year,
    }


def _subjects_to_review(application: FilingApplication, filed: dict) -> list[str]:
    """The subjects a submission is reviewed on (P-REG-12): all of them for an initial
    filing; for a change those its changed facts, classes and staff concern."""
    if application.kind == FilingApplication.Kind.INITIAL:
        return list(checks.ALL_SUBJECTS)
    return checks.touched_subjects(
        application,
        application.facts.get("basic") or {},
        filed["basic"],
        application.facts["classes"],
        application.facts.get("staff") or {},
        filed["staff"],
        standards=application.facts.get("standards") or {},
        old_standards=filed.get("standards") or {},
    )


def _open_reviews(
    application: FilingApplication,
    institution: Institution,
    subjects: list[str],
    *,
    now: dt.datetime,
) -> None:
    """A pending round-1 review for each subject; with no subject to review the application
    goes straight to 区卫健局's decision (not yet saved)."""
    application.subjects = subjects
    if subjects:
        application.status = transition_target(application, "submit")
        SubjectReview.objects.bulk_create(
            SubjectReview(
                application=application,
                institution=institution,
                subject=subject,
                round=application.round,
                opened_at=now,
            )
            for subject in subjects
        )
    else:
        application.status = transition_target(application, "submit_for_decision")
        application.awaiting_decision_since = now


def _latest_reviews(application: FilingApplication, *, status: str | None = None):
    """The latest review row of each subject of the application."""
    latest: dict[str, SubjectReview] = {}
    for review in SubjectReview.objects.filter(application=application).order_by(
        "subject", "round", "pk"
    ):
        latest[review.subject] = review
    rows = [latest[s] for s in checks.ALL_SUBJECTS if s in latest]
    if status is not None:
        rows = [r for r in rows if r.status == status]
    return rows


def _chain_agreement(application: FilingApplication, institution: Institution, on: dt.date):
    """P-REG-13: the agreement that covers an initial filing of a chain branch on `on`, judged
    on the premises the application files (its township: what approval files), or None."""
    if application.kind != FilingApplication.Kind.INITIAL:
        return None
    township = (application.facts.get("basic") or {}).get("township")
    return selectors.chain_agreement_covering(institution, on, township_code=township or None)


def _agreement_detail(agreement) -> dict:
    if agreement is None:
        return {}
    return {"agreement": agreement.agreement_number, "agreement_id": agreement.pk}


def _chain_file(application, institution, agreement, *, actor, now):
    """P-REG-13 simplified path, once every subject passed (the filing is reviewed all the
    same, 审核性备案 P-REG-12): the branch is filed without the separate decision
    (不再单独报批) — no one decides it by hand (`decided_by` stays empty). The effects are
    those of an approval: filing number, filed facts and classes, the receipt. The audit
    event names the agreement."""
    before_status = application.status
    application.status = transition_target(application, "chain_filed")
    application.decided_at = now
    application.decided_by = None
    application.decision_note = (
        f"连锁经营协议 {agreement.agreement_number} 范围内的分支机构，"
        "四个事项审核通过，依协议予以备案，不再单独报批（P-REG-13）"
    )
    application.save()
    _approve_effects(application, institution, actor=actor, now=now)
    _audit_transition(
        application,
        actor=actor,
        action=FilingsAction.APPLICATION_CHAIN_SIMPLIFIED_FILED,
        before=before_status,
        detail={**_agreement_detail(agreement), "filing_number": application.filing_number},
    )
    return application


# --- review by subject ----------------------------------------------------------------------


def _check_reasons(reasons: list[str]) -> None:
    """[hardening] point 7: at most RETURN_REASONS_MAX reasons of RETURN_REASON_MAX
    characters each (`too_long`)."""
    if len(reasons) > checks.RETURN_REASONS_MAX:
        raise DomainError(
            CoreError.TOO_LONG,
            gettext("退回理由最多 %(max)s 条") % {"max": checks.RETURN_REASONS_MAX},
            field="reasons",
        )
    if any(len(r) > checks.RETURN_REASON_MAX for r in reasons):
        raise DomainError(
            errors=[
                too_long_item(
                    field="reasons", label=gettext("每条退回理由"), limit=checks.RETURN_REASON_MAX
                )
            ]
        )


def reviewer_subjects(user) -> set[str]:
    """The filing subjects the user's department reviews (P-REG-12)."""
    return scopes.reviewer_subjects(scope_of(user))


@transaction.atomic
def subject_review_decide(
    *,
    acting_user,
    review: SubjectReview,
    approve: bool,
    reasons: list[str] | None = None,
    comment: str = "",
    at: dt.datetime | None = None,
) -> SubjectReview:
    """A subject reviewer approves, or returns with one or more reasons (P-REG-12).

    Only a department that reviews the subject may act (any other: 404). A return sends the
    application back to the institution; when every subject has passed, the application
    waits for the decision (区卫健局; 区教体局 for 托幼一体化, P-REG-10) — or, a chain branch
    still covered by its agreement on the premises filed (P-REG-13), is filed at once
    without it (`_chain_file`); a branch no longer covered (the agreement lapsed or is full,
    the premises moved on resubmission) falls back to the full path and waits for it.

    Errors: not_found (404), invalid_transition (409), reasons_required (422).
    """
    if review.subject not in reviewer_subjects(acting_user):
        raise NotFound()
    review = SubjectReview.objects.select_for_update().get(pk=review.pk)
    application = FilingApplication.objects.select_for_update().get(pk=review.application_id)
    if review.status != SubjectReview.Status.PENDING:
        raise DomainError(
            CoreError.INVALID_TRANSITION,
            gettext("该事项已审核，不能重复审核"),
            field="status",
            status=409,
        )
    action = "review" if approve else "return"
    target = transition_target(application, action)
    now = at or timezone.now()
    reasons = [r.strip() for r in (reasons or []) if r and r.strip()]
    if not approve and not reasons:
        raise DomainError(
            FilingsError.REASON_REQUIRED, gettext("退回时请填写退回理由"), field="reasons"
        )
    _check_reasons(reasons)
    comment = text_check(
        comment, field="comment", label=gettext("审核意见"), limit=checks.REVIEW_COMMENT_MAX
    )
    review.status = SubjectReview.Status.APPROVED if approve else SubjectReview.Status.RETURNED
    review.decided_at = now
    review.reviewer = acting_user
    review.reviewer_department = acting_user.department.name
    review.reasons = reasons if not approve else []
    review.comment = comment
    review.save()
    before_status = application.status
    before_path = application.path
    application.status = target
    agreement = None
    if approve and application.status == S.IN_REVIEW:
        latest = _latest_reviews(application)
        if latest and all(r.status == SubjectReview.Status.APPROVED for r in latest):
            if application.path == FilingApplication.Path.CHAIN_SIMPLIFIED:
                agreement = _chain_agreement(application, application.institution, _local_date(now))
            if agreement is None:
                application.path = FilingApplication.Path.FULL
                application.status = transition_target(application, "all_subjects_passed")
                application.awaiting_decision_since = now
    application.save()
    audit_record(
        action=FilingsAction.SUBJECT_REVIEW_APPROVED
        if approve
        else FilingsAction.SUBJECT_REVIEW_RETURNED,
        actor=acting_user,
        obj=application,
        changes={
            **(
                {"status": [before_status, application.status]}
                if before_status != application.status
                else {}
            ),
            **(
                {"path": [before_path, application.path]} if before_path != application.path else {}
            ),
        },
        detail={
            "review_id": review.pk,
            "subject": review.subject,
            "round": review.round,
            "reasons": reasons,
            "comment": review.comment,
            "waited_seconds": int((now - review.opened_at).total_seconds()),
        },
    )
    if agreement is not None:
        institution = Institution.objects.select_for_update().get(pk=application.institution_id)
        _chain_file(application, institution, agreement, actor=acting_user, now=now)
    return review


# --- decision by 区卫健局 ------------------------------------------------------------------


@transaction.atomic
def filing_decide(
    *,
    acting_user,
    application: FilingApplication,
    approve: bool,
    note: str = "",
    rejection_category: str = "",
    at: dt.datetime | None = None,
) -> FilingApplication:
    """The deciding department decides once every subject passed (P-REG-12; perm
    `filings.decide`, object-aware): 区教体局 for an institution it registered (托幼一体化,
    managed as a kindergarten, P-REG-10), 区卫健局 for every other. 区卫健局 sees the
    托幼一体化 applications (statistics) but does not decide them.

    Approve: initial → filing number issued, filed_on, facts applied, classes filed;
    change → changed facts applied, added classes filed, removed classes closed;
    cancellation → the filing is cancelled (P-FIL-3). Reject needs a reason.

    Errors: out_of_scope (403), subjects_pending (409), invalid_transition (409),
    reason_required (422).
    """
    if not acting_user.has_perm("filings.decide"):
        raise OutOfScope(gettext("只有区卫健局或区教体局（托幼一体化机构）可以作出备案决定"))
    application = FilingApplication.objects.select_for_update().get(pk=application.pk)
    if not acting_user.has_perm("filings.decide", application):
        raise OutOfScope(
            gettext("该机构为托幼一体化机构，备案由区教体局决定")
            if scopes.managed_as_kindergarten(application.institution)
            else gettext("该机构的备案由区卫健局决定")
        )
    if application.status in (S.IN_REVIEW, S.RETURNED):
        pending = [
            r.get_subject_display()
            for r in _latest_reviews(application)
            if r.status != SubjectReview.Status.APPROVED
        ]
        raise DomainError(
            FilingsError.SUBJECTS_PENDING,
            gettext("尚有审核事项未通过：%(subjects)s")
            % {"subjects": gettext("、").join(str(p) for p in pending)},
            field="subjects",
            status=409,
        )
    target = transition_target(application, "approve" if approve else "reject")
    note = text_check(note, field="note", label=gettext("决定意见"), limit=checks.DECISION_NOTE_MAX)
    if not approve and not note:
        raise DomainError(
            FilingsError.REASON_REQUIRED, gettext("不予备案时请填写理由"), field="note"
        )
    rejection_category = _rejection_category(application, approve, rejection_category)
    # [hardening] point 6: a value stored before its bound existed is refused here, with its
    # code, instead of failing in the database (the application stays decidable: 不予备案
    # does not apply the facts).
    bad = (
        checks.stored_basic_errors(application.facts.get("basic") or {})
        if approve and application.kind != FilingApplication.Kind.CANCELLATION
        else []
    )
    if bad:
        raise DomainError(errors=bad)
    now = at or timezone.now()
    before_status = application.status
    application.status = target
    application.decided_at = now
    application.decided_by = acting_user
    application.decision_note = note
    application.rejection_category = rejection_category
    application.save()
    institution = Institution.objects.select_for_update().get(pk=application.institution_id)
    if approve:
        _approve_effects(application, institution, actor=acting_user, now=now)
    elif application.kind == FilingApplication.Kind.INITIAL:
        institution_filing_review_ended(institution=institution)
    _audit_transition(
        application,
        actor=acting_user,
        action=FilingsAction.APPLICATION_APPROVED
        if approve
        else FilingsAction.APPLICATION_REJECTED,
        before=before_status,
        detail={
            "note": note,
            "filing_number": application.filing_number,
            **({"rejection_category": rejection_category} if rejection_category else {}),
        },
    )
    return application


def _rejection_category(application: FilingApplication, approve: bool, category: str) -> str:
    """P-FIL-2: a filing not accepted (不予备案) names its reason category, which is
    published with the institution's name and the date (the note is not). Required when an
    initial or change filing is rejected; none for an approval; optional for a cancellation
    request turned down (not published)."""
    category = (category or "").strip()
    if approve:
        return ""
    if category and category not in FilingApplication.RejectionCategory.values:
        raise DomainError(
            CoreError.INVALID_CHOICE, gettext("不予备案原因类别无效"), field="rejection_category"
        )
    if not category and application.kind != FilingApplication.Kind.CANCELLATION:
        raise DomainError(
            FilingsError.REJECTION_CATEGORY_REQUIRED,
            gettext("不予备案时请选择原因类别（将予以公示）"),
            field="rejection_category",
        )
    return category


def _approve_effects(application, institution, *, actor, now) -> None:
    on = _local_date(now)
    facts = application.facts
    if application.kind == FilingApplication.Kind.CANCELLATION:
        cancel = facts.get("cancellation") or {}
        cancelled_on = (
            dt.date.fromisoformat(cancel["cancelled_on"]) if cancel.get("cancelled_on") else on
        )
        # The cancellation application itself is decided, not withdrawn: it is no longer
        # open when filing_cancel looks for open applications.
        filing_cancel(
            institution=institution,
            acting_user=actor,
            reason=cancel.get("reason") or application.reason,
            cancelled_on=cancelled_on,
            source="request",
        )
        return
    classes = facts.get("classes") or []
    added = care_classes_file(
        institution=institution,
        class_ids=[c["id"] for c in classes if c["action"] == "add"],
        on=on,
    )
    closed = care_classes_close(
        institution=institution,
        class_ids=[c["id"] for c in classes if c["action"] == "close"],
        on=on,
    )
    basic = facts.get("basic") or {}
    if application.kind == FilingApplication.Kind.CHANGE:
        before = (application.facts_before or {}).get("basic") or {}
        basic = {k: basic.get(k) for k in checks.changed_fact_names(before, basic)}
    filed_facts_apply(
        acting_user=actor,
        institution=institution,
        basic=basic,
        staff=facts.get("staff"),
        standards=facts.get("standards"),
        application_id=application.pk,
    )
    institution.refresh_from_db()
    if application.kind == FilingApplication.Kind.INITIAL:
        number = filing_number_issue(on)
        institution = institution_filing_filed(institution=institution, number=number, filed_on=on)
        application.filing_number = number
        application.save(update_fields=["filing_number"])
    audit_record(
        action=FilingsAction.FILING_APPLIED,
        actor=actor,
        obj=institution,
        changes={"filing_number": [None, application.filing_number]}
        if application.filing_number
        else {},
        detail={
            "application_id": application.pk,
            "kind": application.kind,
            "classes_filed": added,
            "classes_closed": closed,
        },
    )


# --- filing numbers -------------------------------------------------------------------------


def filing_number_format(year: int, seq: int) -> str:
    """`TY<district code>-<year>-<4-digit sequence>`, e.g. TY330703-2026-0001: ASCII, so the
    receipt's QR code and the verification URL need no escaping."""
    return f"TY{settings.TUOYU_DISTRICT_CODE}-{year}-{seq:04d}"


@transaction.atomic
def filing_number_issue(on: dt.date) -> str:
    """The next filing number of the year of `on`: unique and gapless per year. The year's
    counter row is locked (select_for_update) so concurrent approvals queue for it; the first
    number of a year creates the row, and a concurrent creator falls back to locking it."""
    year = on.year
    seq = FilingNumberSequence.objects.select_for_update().filter(year=year).first()
    if seq is None:
        try:
            with transaction.atomic():
                seq = FilingNumberSequence.objects.create(year=year, last_number=0)
        except IntegrityError:
            seq = FilingNumberSequence.objects.select_for_update().get(year=year)
        seq = FilingNumberSequence.objects.select_for_update().get(pk=seq.pk)
    seq.last_number += 1
    seq.save(update_fields=["last_number"])
    return filing_number_format(year, seq.last_number)


# --- withdrawal and cancellation requests ----------------------------------------------------


@transaction.atomic
def filing_withdraw(*, acting_user, application: FilingApplication, reason: str = "") -> None:
    """The institution withdraws its open application; pending reviews are superseded. An
    initial filing in review falls back to "registered, not yet filed"."""
    application = _own_application(acting_user, application)
    reason = text_check(
        reason, field="reason", label=gettext("撤回原因"), limit=checks.WITHDRAW_REASON_MAX
    )
    before_status = application.status
    application.status = transition_target(application, "withdraw")
    now = timezone.now()
    SubjectReview.objects.filter(
        application=application, status=SubjectReview.Status.PENDING
    ).update(status=SubjectReview.Status.SUPERSEDED, decided_at=now)
    application.decided_at = now
    application.decision_note = reason
    application.save()
    if application.kind == FilingApplication.Kind.INITIAL:
        institution_filing_review_ended(institution=application.institution_id)
    _audit_transition(
        application,
        actor=acting_user,
        action=FilingsAction.APPLICATION_WITHDRAWN,
        before=before_status,
        detail={"reason": application.decision_note},
    )


@transaction.atomic
def filing_cancellation_request(
    *,
    acting_user,
    institution: Institution,
    reason: str,
    cancelled_on: dt.date,
    at: dt.datetime | None = None,
) -> FilingApplication:
    """P-FIL-3: a filed institution asks to cancel its filing (it stops operating). The
    request goes straight to 区卫健局 for decision (no subject touches it); approval cancels
    the filing as `filing_cancel(source="request")` does.

    Errors: not_filed (409), application_open (409), reason_required (422).
    """
    if getattr(acting_user, "institution_id", None) != institution.pk:
        raise NotFound()
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    if institution.filing_status != Institution.FilingStatus.FILED:
        raise DomainError(
            InstitutionsError.INSTITUTION_NOT_FILED, gettext("机构未备案或备案已注销"), status=409
        )
    reason = text_check(
        reason, field="reason", label=gettext("注销原因"), limit=checks.CANCELLATION_REASON_MAX
    )
    if not reason:
        raise DomainError(FilingsError.REASON_REQUIRED, gettext("请填写注销原因"), field="reason")
    if cancelled_on is None:
        raise DomainError(
            FilingsError.FACT_MISSING, gettext("请填写拟注销日期"), field="cancelled_on"
        )
    date_check(cancelled_on, field="cancelled_on", label=gettext("拟注销日期"))
    if FilingApplication.objects.filter(institution=institution, status__in=OPEN_STATUSES).exists():
        raise DomainError(
            FilingsError.APPLICATION_OPEN, gettext("已有正在办理的备案申请"), status=409
        )
    now = at or timezone.now()
    try:
        with transaction.atomic():
            application = FilingApplication.objects.create(
                institution=institution,
                kind=FilingApplication.Kind.CANCELLATION,
                status=S.DRAFT,
                facts={
                    "cancellation": {"cancelled_on": cancelled_on.isoformat(), "reason": reason}
                },
                facts_before=checks.institution_facts(institution),
                reason=reason,
                created_by=acting_user,
            )
    except IntegrityError as exc:
        raise DomainError(
            FilingsError.APPLICATION_OPEN, gettext("已有正在办理的备案申请"), status=409
        ) from exc
    application.status = transition_target(application, "submit_for_decision")
    application.round = 1
    application.commitment_accepted = True
    application.submitted_at = application.first_submitted_at = now
    application.awaiting_decision_since = now
    application.save()
    _audit_transition(
        application,
        actor=acting_user,
        action=FilingsAction.APPLICATION_CANCELLATION_REQUESTED,
        before=S.DRAFT,
        detail={"reason": reason, "cancelled_on": cancelled_on},
    )
    return application


# --- P-FIL-2 deadlines recomputed when a year's holiday notice is entered ---------------------


@transaction.atomic
def filing_deadlines_recompute(*, year: int, acting_user=None) -> list[int]:
    """Recompute the working-day deadlines (P-FIL-2) of every application whose deadlines
    the holiday notice of `year` can change: those still "期限待定" for lack of that year,
    and those whose materials were complete in that year or the one before (a deadline of 15
    working days reaches at most a few weeks into the next year). Runs in the transaction
    that saved the notice (receiver of `holiday_notice_saved`). Returns the ids changed; one
    bulk audit event names them."""
    calendar = workdays.calendar()
    rows = list(
        FilingApplication.objects.select_for_update()
        .filter(materials_complete_on__isnull=False)
        .filter(Q(deadline_unknown_year=year) | Q(materials_complete_on__year__in=(year - 1, year)))
        .only(
            "pk",
            "materials_complete_on",
            "receipt_due_on",
            "notice_due_on",
            "deadline_unknown_year",
        )
    )
    changed = []
    for application in rows:
        before = (
            application.receipt_due_on,
            application.notice_due_on,
            application.deadline_unknown_year,
        )
        deadlines.apply(application, application.materials_complete_on, calendar)
        after = (
            application.receipt_due_on,
            application.notice_due_on,
            application.deadline_unknown_year,
        )
        if after != before:
            changed.append(application)
    if changed:
        FilingApplication.objects.bulk_update(
            changed, ["receipt_due_on", "notice_due_on", "deadline_unknown_year"]
        )
        audit_record_bulk(
            action=FilingsAction.DEADLINES_RECOMPUTED,
            actor=acting_user,
            object_type=FilingApplication._meta.label_lower,
            object_ids=[a.pk for a in changed],
            detail={"year": year},
        )
    return [a.pk for a in changed]
