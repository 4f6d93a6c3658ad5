"""Writes of workforce: the roster (P-WF-1), certificates, trainings (P-WF-3), lifetime bans
(P-SUP-6).

Every entry path — the form, `POST /api/v1/institutions/{uscc}/staff`, the Excel upload —
goes through `staff_check` and `refuse_banned`: a person whose blind index matches a ban in
force is refused with 409 `lifetime_ban`, and the attempt (who, which institution, how) is
committed on its own before the refusal, so the refusal cannot roll it back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone

from tuoyu import policy
from tuoyu.audit.services import audit_record, audit_record_bulk, snapshot
from tuoyu.core import events
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError, ErrorCollector, ErrorItem, NotFound, OutOfScope
from tuoyu.core.excel import file_size
from tuoyu.core.identifiers import birth_date_from_id_number, validate_id_number
from tuoyu.core.personal import mask, normalize, personal_lookup
from tuoyu.core.scope import scope_of
from tuoyu.core.uploads import FILE_SIGNATURES, check_upload
from tuoyu.institutions.models import CareClass, Institution
from tuoyu.workforce.catalogue import WorkforceAction, WorkforceError
from tuoyu.workforce.models import (
    Ban,
    BanAttempt,
    Certificate,
    CertificateKind,
    Education,
    Person,
    Role,
    StaffMember,
    Training,
)
from tuoyu.workforce.scopes import may_manage_roster

# --- checks shared by every entry path -------------------------------------------------------


@dataclass
class CertificateInput:
    kind: str
    number: str = ""
    issuer: str = ""
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None


@dataclass
class StaffInput:
    name: str
    id_number: str
    index: str
    birth_date: dt.date
    role: str
    hired_on: dt.date
    care_class_id: int | None = None
    full_time: bool = True
    phone: str = ""
    education: str = ""
    experience_years: int = 0
    head_training: bool = False
    certificates: list[CertificateInput] = field(default_factory=list)
    row: int | None = None


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def identity_check(
    id_number: str, *, on: dt.date, errors: ErrorCollector, field: str, row: int | None = None
) -> tuple[str, dt.date] | None:
    """GB 11643 (format, check digit, birth date not in the future) and the minimum age of
    P-WF-1 (policy `workforce.min_staff_age_years`)."""
    try:
        clear = validate_id_number(id_number, field=field)
    except DomainError as exc:
        for e in exc.errors:
            errors.add(e.code, e.message, field=field, row=row)
        return None
    born = birth_date_from_id_number(clear)
    minimum = policy.at(on).workforce.min_staff_age_years
    if age_on(born, on) < minimum:
        errors.add(
            WorkforceError.PERSON_TOO_YOUNG,
            f"身份证号码显示出生日期为 {born:%Y-%m-%d}，未满 {minimum} 周岁",
            field=field,
            row=row,
        )
        return None
    return clear, born


def certificate_check(
    raw: CertificateInput, *, errors: ErrorCollector, prefix: str, row: int | None = None
) -> CertificateInput | None:
    ok = True
    if raw.kind not in CertificateKind.values:
        errors.add(
            WorkforceError.UNKNOWN_CERTIFICATE_KIND,
            f"证书类型“{raw.kind}”不在允许范围内",
            field=f"{prefix}kind",
            row=row,
        )
        ok = False
    if raw.valid_from is None:
        errors.add(
            CoreError.REQUIRED, "请填写证书有效期起始日期", field=f"{prefix}valid_from", row=row
        )
        ok = False
    elif raw.valid_until is not None and raw.valid_until < raw.valid_from:
        errors.add(
            WorkforceError.CERTIFICATE_DATES,
            f"证书有效期至 {raw.valid_until:%Y-%m-%d} 早于有效期起 {raw.valid_from:%Y-%m-%d}",
            field=f"{prefix}valid_until",
            row=row,
        )
        ok = False
    for name, limit in (("number", 60), ("issuer", 100)):
        if len(getattr(raw, name) or "") > limit:
            errors.add(CoreError.TOO_LONG, f"不超过 {limit} 个字", field=f"{prefix}{name}", row=row)
            ok = False
    return raw if ok else None


def _class_ids_of(institution: Institution) -> set[int]:
    return set(
        CareClass.objects.filter(institution=institution)
        .exclude(status=CareClass.Status.CLOSED)
        .values_list("pk", flat=True)
    )


def staff_check(
    raw: dict,
    *,
    institution: Institution,
    on: dt.date,
    errors: ErrorCollector,
    row: int | None = None,
    class_ids: set[int] | None = None,
) -> StaffInput | None:
    """One person's entry (any path), every problem added to `errors`; None if any."""
    before = len(errors.items)
    name = (raw.get("name") or "").strip()
    if not name:
        errors.add(CoreError.REQUIRED, "请填写姓名", field="name", row=row)
    elif len(name) > 60:
        errors.add(CoreError.TOO_LONG, "姓名不超过 60 个字", field="name", row=row)
    identity = identity_check(
        raw.get("id_number") or "", on=on, errors=errors, field="id_number", row=row
    )
    role = raw.get("role") or ""
    if role not in Role.values:
        errors.add(CoreError.INVALID_CHOICE, f"岗位“{role}”不在允许范围内", field="role", row=row)
    hired_on = raw.get("hired_on")
    if not isinstance(hired_on, dt.date):
        errors.add(CoreError.REQUIRED, "请填写入职日期", field="hired_on", row=row)
    care_class_id = raw.get("care_class_id") or None
    if care_class_id is not None:
        known = class_ids if class_ids is not None else _class_ids_of(institution)
        if int(care_class_id) not in known:
            errors.add(WorkforceError.CLASS_NOT_OF_INSTITUTION, field="care_class_id", row=row)
    phone = (raw.get("phone") or "").strip()
    if phone:
        try:
            phone = normalize("phone", phone, field="phone")
        except DomainError as exc:
            errors.add(exc.code, exc.message, field="phone", row=row)
    education = raw.get("education") or ""
    if education not in Education.values:
        errors.add(
            CoreError.INVALID_CHOICE, f"学历“{education}”不在允许范围内", field="education", row=row
        )
    certificates = [
        certificate_check(c, errors=errors, prefix=f"certificates[{i}].", row=row)
        for i, c in enumerate(raw.get("certificates") or [])
    ]
    if len(errors.items) > before:
        return None
    clear, born = identity
    return StaffInput(
        name=name,
        id_number=clear,
        index=personal_lookup("id_number", clear),
        birth_date=born,
        role=role,
        hired_on=hired_on,
        care_class_id=int(care_class_id) if care_class_id and role == Role.CAREGIVER else None,
        full_time=bool(raw.get("full_time", True)),
        phone=phone,
        education=education,
        experience_years=int(raw.get("experience_years") or 0),
        head_training=bool(raw.get("head_training")),
        certificates=[c for c in certificates if c is not None],
        row=row,
    )


def _require_roster_keeper(acting_user, institution: Institution) -> None:
    if not may_manage_roster(scope_of(acting_user), institution.pk):
        raise OutOfScope("只有机构本身可以维护本机构的从业人员名单")


# --- P-SUP-6: the ban check on every entry path ----------------------------------------------


def bans_in_force(indexes: Iterable[str]) -> dict[str, Ban]:
    """{blind index: ban in force} for the given indexes: one statement on the index for a
    whole upload, reading only what a refusal shows (the ORM's per-value preparation of a
    500-value IN cost five times the lookup itself; bench/workforce.py)."""
    indexes = sorted({i for i in indexes if i})
    if not indexes:
        return {}
    connection = connections[router.db_for_read(Ban)]
    table = connection.ops.quote_name(Ban._meta.db_table)
    marks = ", ".join(["%s"] * len(indexes))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, id_number_index, name, id_number_masked, decision_ref FROM {table} "
            f"WHERE status = %s AND id_number_index IN ({marks})",
            [Ban.Status.IN_FORCE.value, *indexes],
        )
        rows = cursor.fetchall()
    return {
        index: Ban(
            pk=pk, id_number_index=index, name=name, id_number_masked=masked, decision_ref=ref
        )
        for pk, index, name, masked, ref in rows
    }


def ban_attempts_record(
    *, acting_user, institution: Institution, hits: Sequence[tuple[Ban, str]], channel: str
) -> None:
    """Commit the attempts (their own transaction, so the refusal that follows keeps them)."""
    with transaction.atomic():
        for ban, name in hits:
            attempt = BanAttempt.objects.create(
                ban=ban,
                institution=institution,
                attempted_by=acting_user if getattr(acting_user, "pk", None) else None,
                channel=channel,
                name=name[:60],
            )
            audit_record(
                action=WorkforceAction.BAN_ATTEMPT_RECORDED,
                actor=acting_user,
                obj=attempt,
                detail={"ban_id": ban.pk, "institution_id": institution.pk, "channel": channel},
            )


def lifetime_ban_item(ban: Ban, *, name: str, field: str = "id_number", row: int | None = None):
    return ErrorItem(
        WorkforceError.LIFETIME_BAN,
        f"{name}（{ban.id_number_masked}）已被列入终身禁入名单（{ban.decision_ref}），"
        "不得从事托育服务工作；本次录用尝试已记录并报告区卫健局",
        field=field,
        row=row,
    )


def refuse_banned(
    *, acting_user, institution: Institution, entries: Sequence[StaffInput], channel: str
):
    """409 `lifetime_ban` when any entry is banned; the attempts are recorded first."""
    found = bans_in_force(e.index for e in entries)
    hits = [(found[e.index], e) for e in entries if e.index in found]
    if not hits:
        return
    ban_attempts_record(
        acting_user=acting_user,
        institution=institution,
        hits=[(ban, e.name) for ban, e in hits],
        channel=channel,
    )
    raise DomainError(
        errors=[lifetime_ban_item(ban, name=e.name, row=e.row) for ban, e in hits],
        status=409,
    )


# --- the roster ------------------------------------------------------------------------------


def _person_for(data: StaffInput) -> Person:
    person = Person.objects.filter(id_number_index=data.index).first()
    if person is not None:
        return person
    try:
        with transaction.atomic():
            return Person.objects.create(
                name=data.name,
                id_number=data.id_number,
                id_number_masked=mask("id_number", data.id_number),
                birth_date=data.birth_date,
            )
    except IntegrityError:  # created concurrently
        return Person.objects.get(id_number_index=data.index)


def _staff_row(institution: Institution, person: Person, data: StaffInput) -> StaffMember:
    return StaffMember(
        institution=institution,
        person=person,
        name=data.name,
        role=data.role,
        care_class_id=data.care_class_id,
        hired_on=data.hired_on,
        full_time=data.full_time,
        phone=data.phone,
        education=data.education,
        experience_years=data.experience_years,
        head_training=data.head_training,
    )


def _certificate_rows(staff: StaffMember, certificates: Iterable[CertificateInput]):
    return [
        Certificate(
            institution_id=staff.institution_id,
            staff=staff,
            kind=c.kind,
            number=c.number,
            issuer=c.issuer,
            valid_from=c.valid_from,
            valid_until=c.valid_until,
        )
        for c in certificates
    ]


def _already_on_roster(institution: Institution, index: str) -> bool:
    return StaffMember.objects.filter(
        institution=institution, person__id_number_index=index, left_on__isnull=True
    ).exists()


def staff_add(
    *, acting_user, institution: Institution, data: dict, channel: str = "form", on=None
) -> StaffMember:
    """Add a person to the institution's roster (P-WF-1). `data`: name, id_number, role,
    hired_on, care_class_id, full_time, phone, education, experience_years, head_training,
    certificates (CertificateInput). Errors: the ID codes, person_too_young, invalid_choice,
    unknown_certificate_kind, certificate_dates (422); lifetime_ban, already_on_roster (409)."""
    _require_roster_keeper(acting_user, institution)
    on = on or policy.today()
    errors = ErrorCollector()
    entry = staff_check(data, institution=institution, on=on, errors=errors)
    if entry is None:
        raise DomainError(errors=errors.items)
    refuse_banned(
        acting_user=acting_user, institution=institution, entries=[entry], channel=channel
    )
    with transaction.atomic():
        if _already_on_roster(institution, entry.index):
            raise DomainError(WorkforceError.ALREADY_ON_ROSTER, field="id_number", status=409)
        person = _person_for(entry)
        staff = _staff_row(institution, person, entry)
        try:
            with transaction.atomic():
                staff.save()
        except IntegrityError as exc:
            raise DomainError(
                WorkforceError.ALREADY_ON_ROSTER, field="id_number", status=409
            ) from exc
        Certificate.objects.bulk_create(_certificate_rows(staff, entry.certificates))
        audit_record(
            action=WorkforceAction.STAFF_ADDED,
            actor=acting_user,
            obj=staff,
            changes={k: [None, v] for k, v in snapshot(staff).items()},
            detail={"channel": channel, "certificates": len(entry.certificates)},
        )
    return staff


UPDATABLE = (
    "name",
    "role",
    "care_class_id",
    "full_time",
    "phone",
    "education",
    "experience_years",
    "head_training",
)


@transaction.atomic
def staff_update(*, acting_user, staff: StaffMember, data: dict, on=None) -> StaffMember:
    """Change an employment's post and details (not the person's ID number)."""
    _require_roster_keeper(acting_user, staff.institution)
    staff = StaffMember.objects.select_for_update().get(pk=staff.pk)
    if staff.left_on is not None:
        raise DomainError(WorkforceError.ALREADY_LEFT, status=409)
    errors = ErrorCollector()
    merged = {
        "name": staff.name,
        "id_number": "",
        "role": staff.role,
        "hired_on": staff.hired_on,
        "care_class_id": staff.care_class_id,
        "full_time": staff.full_time,
        "education": staff.education,
        "experience_years": staff.experience_years,
        "head_training": staff.head_training,
        **{k: v for k, v in data.items() if k in UPDATABLE},
    }
    entry = staff_check(
        merged, institution=staff.institution, on=on or policy.today(), errors=errors
    )
    errors.items = [e for e in errors.items if e.field != "id_number"]
    if errors:
        raise DomainError(errors=errors.items)
    before = snapshot(staff)
    for key in UPDATABLE:
        if key in data:
            value = data[key]
            if key == "phone":
                value = normalize("phone", value, field="phone") if value else ""
            if key == "care_class_id":
                value = int(value) if value and merged["role"] == Role.CAREGIVER else None
            setattr(staff, key, value)
    if staff.role != Role.CAREGIVER:
        staff.care_class_id = None
    staff.save()
    audit_record(
        action=WorkforceAction.STAFF_UPDATED,
        actor=acting_user,
        obj=staff,
        changes={k: v for k, v in _diff(before, snapshot(staff)).items() if k != "updated_at"},
    )
    del entry
    return staff


def _diff(before: dict, after: dict) -> dict:
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


@transaction.atomic
def staff_leave(*, acting_user, staff: StaffMember, left_on: dt.date) -> StaffMember:
    """The person leaves the post; a ban flag stops showing from then on (P-SUP-6)."""
    _require_roster_keeper(acting_user, staff.institution)
    staff = StaffMember.objects.select_for_update().get(pk=staff.pk)
    if staff.left_on is not None:
        raise DomainError(WorkforceError.ALREADY_LEFT, status=409)
    if not isinstance(left_on, dt.date):
        raise DomainError(CoreError.REQUIRED, "请填写离职日期", field="left_on")
    if left_on < staff.hired_on:
        raise DomainError(
            WorkforceError.LEAVE_BEFORE_HIRE,
            f"离职日期 {left_on:%Y-%m-%d} 早于入职日期 {staff.hired_on:%Y-%m-%d}",
            field="left_on",
        )
    staff.left_on = left_on
    staff.save(update_fields=["left_on", "updated_at"])
    audit_record(
        action=WorkforceAction.STAFF_LEFT,
        actor=acting_user,
        obj=staff,
        changes={"left_on": [None, left_on.isoformat()]},
    )
    return staff


@transaction.atomic
def certificate_add(
    *, acting_user, staff: StaffMember, certificate: CertificateInput, scan=None
) -> Certificate:
    """A certificate of an employment (P-WF-1), with its scan if one is given: the scan is
    checked before anything is written, and a refused scan leaves no certificate either."""
    _require_roster_keeper(acting_user, staff.institution)
    errors = ErrorCollector()
    if certificate_check(certificate, errors=errors, prefix="") is None:
        raise DomainError(errors=errors.items)
    if scan is not None:
        check_upload(scan, max_bytes=scan_max_bytes(), allowed=SCAN_TYPES, field="scan")
    (row,) = Certificate.objects.bulk_create(_certificate_rows(staff, [certificate]))
    audit_record(
        action=WorkforceAction.CERTIFICATE_ADDED,
        actor=acting_user,
        obj=row,
        changes={k: [None, v] for k, v in snapshot(row).items()},
    )
    if scan is not None:
        certificate_scan_attach(acting_user=acting_user, certificate=row, file=scan)
    return row


# P-WF-1: a certificate's scan — what filing materials accept (PDF, JPEG, PNG by content).
SCAN_TYPES = tuple(FILE_SIGNATURES)
DEFAULT_SCAN_MAX_BYTES = 10 * 1024 * 1024


def scan_max_bytes() -> int:
    """Upload limit of a scan (a technical limit, not a policy number): settings override."""
    return int(getattr(settings, "TUOYU_CERTIFICATE_SCAN_MAX_BYTES", DEFAULT_SCAN_MAX_BYTES))


def _sha256(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks() if hasattr(file, "chunks") else [file.read()]:
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def _delete_stored(storage, name: str) -> None:
    """Remove a replaced scan once the replacement is committed (a rollback keeps it)."""
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def certificate_scan_attach(*, acting_user, certificate: Certificate, file) -> Certificate:
    """Attach the scan of a certificate, or replace the one it has (P-WF-1): only by the
    institution itself, only while the employment lasts. PDF, JPEG or PNG recognised by
    content with a matching extension, not empty, not above `scan_max_bytes()`
    (`tuoyu.core.uploads.check_upload`); a refused file writes nothing. A replaced file is
    deleted from storage after the commit (the audit event keeps its digest).

    Errors: file_missing, file_empty, file_too_large, file_type_not_allowed (422);
    another institution's certificate 404; already_left (409)."""
    certificate = (
        Certificate.objects.select_for_update()
        .select_related("staff")
        .filter(pk=certificate.pk)
        .first()
    )
    if certificate is None or not may_manage_roster(
        scope_of(acting_user), certificate.institution_id
    ):
        raise NotFound()
    if certificate.staff.left_on is not None:
        raise DomainError(WorkforceError.ALREADY_LEFT, status=409)
    if file is None:
        raise DomainError(CoreError.FILE_MISSING, field="scan")
    content_type = check_upload(file, max_bytes=scan_max_bytes(), allowed=SCAN_TYPES, field="scan")
    name = os.path.basename(getattr(file, "name", "") or "")[:200]
    size, digest = file_size(file), _sha256(file)
    before = {"name": certificate.scan_name, "file": certificate.scan.name}
    # Stored under a random name (RandomName): the original name is kept in the row only.
    certificate.scan.save(name, file, save=False)
    certificate.scan_name = name
    certificate.scan_content_type = content_type
    certificate.save(update_fields=["scan", "scan_name", "scan_content_type"])
    _delete_stored(certificate.scan.storage, before["file"])
    audit_record(
        action=WorkforceAction.CERTIFICATE_SCAN_ATTACHED,
        actor=acting_user,
        obj=certificate,
        changes={"scan_name": [before["name"] or None, name]},
        detail={
            "staff_id": certificate.staff_id,
            "institution_id": certificate.institution_id,
            "content_type": content_type,
            "size": size,
            "sha256": digest,
            "replaced": bool(before["file"]),
        },
    )
    return certificate


@transaction.atomic
def certificate_scan_download_record(
    *, acting_user, certificate: Certificate, inline: bool = False
) -> None:
    """Audit a download of a certificate's scan, or (`inline`) its preview in the browser
    (the caller has fetched it through `selectors.certificate_scan_get`, which applies the
    access rule)."""
    audit_record(
        action=(
            WorkforceAction.CERTIFICATE_SCAN_VIEWED
            if inline
            else WorkforceAction.CERTIFICATE_SCAN_DOWNLOADED
        ),
        actor=acting_user,
        obj=certificate,
        detail={"staff_id": certificate.staff_id, "institution_id": certificate.institution_id},
    )


@transaction.atomic
def training_add(
    *,
    acting_user,
    staff: StaffMember,
    kind: str,
    title: str,
    provider: str,
    hours,
    completed_on: dt.date,
    appraisal_level: str = "",
) -> Training:
    """Pre-job or in-service training, or a skill appraisal (P-WF-1; listed for the
    subsidies of P-WF-3)."""
    _require_roster_keeper(acting_user, staff.institution)
    errors = ErrorCollector()
    if kind not in Training.Kind.values:
        errors.add(CoreError.INVALID_CHOICE, field="kind")
    for name, value, limit in (("title", title, 100), ("provider", provider, 100)):
        if not (value or "").strip():
            errors.add(CoreError.REQUIRED, field=name)
        elif len(value) > limit:
            errors.add(CoreError.TOO_LONG, field=name)
    try:
        hours = Decimal(str(hours or 0))
    except InvalidOperation:
        hours = Decimal(-1)
    if hours < 0 or hours > 10_000 or (kind != Training.Kind.APPRAISAL and hours <= 0):
        errors.add(WorkforceError.TRAINING_HOURS_INVALID, field="hours")
    if not isinstance(completed_on, dt.date):
        errors.add(CoreError.REQUIRED, "请填写完成日期", field="completed_on")
    errors.raise_if_any(title="请求未通过校验")
    training = Training.objects.create(
        institution_id=staff.institution_id,
        staff=staff,
        kind=kind,
        title=title.strip(),
        provider=provider.strip(),
        hours=hours,
        completed_on=completed_on,
        appraisal_level=(appraisal_level or "").strip()[:20],
    )
    audit_record(
        action=WorkforceAction.TRAINING_ADDED,
        actor=acting_user,
        obj=training,
        changes={k: [None, v] for k, v in snapshot(training).items()},
    )
    return training


# --- P-SUP-6: lifetime bans ------------------------------------------------------------------


def _require_ban_officer(acting_user) -> None:
    if not acting_user.has_perm("workforce.manage_bans"):
        raise OutOfScope("只有区卫健局可以办理终身禁入")


@transaction.atomic
def ban_propose(
    *,
    acting_user,
    name: str,
    id_number: str,
    reason: str,
    decided_on: dt.date,
    decision_ref: str,
    case_ref: str = "",
    party: str = Ban.Party.PERPETRATOR,
) -> Ban:
    """区卫健局 records a ban decided by the competent authority; it takes effect when a
    second officer approves (`ban_approve`). The directly responsible managers are each
    proposed with the same `case_ref` and party `manager`."""
    _require_ban_officer(acting_user)
    errors = ErrorCollector()
    name = (name or "").strip()
    if not name:
        errors.add(CoreError.REQUIRED, "请填写姓名", field="name")
    try:
        clear = validate_id_number(id_number, field="id_number")
    except DomainError as exc:
        errors.items.extend(exc.errors)
        clear = ""
    if not (reason or "").strip():
        errors.add(CoreError.REQUIRED, "请填写禁入事由", field="reason")
    if not isinstance(decided_on, dt.date):
        errors.add(CoreError.REQUIRED, "请填写决定日期", field="decided_on")
    elif decided_on > policy.today():
        errors.add(CoreError.FUTURE_DATE, "决定日期不能晚于今天", field="decided_on")
    if not (decision_ref or "").strip():
        errors.add(WorkforceError.BAN_DECISION_REF_REQUIRED, field="decision_ref")
    if party not in Ban.Party.values:
        errors.add(CoreError.INVALID_CHOICE, field="party")
    errors.raise_if_any(title="请求未通过校验")
    index = personal_lookup("id_number", clear)
    if Ban.objects.filter(id_number_index=index).exclude(status=Ban.Status.LIFTED).exists():
        raise DomainError(WorkforceError.BAN_EXISTS, field="id_number", status=409)
    ban = Ban(
        name=name[:60],
        id_number=clear,
        id_number_masked=mask("id_number", clear),
        party=party,
        reason=reason.strip(),
        decided_on=decided_on,
        decision_ref=decision_ref.strip()[:100],
        case_ref=(case_ref or "").strip()[:100],
        proposed_by=acting_user,
    )
    try:
        with transaction.atomic():
            ban.save()
    except IntegrityError as exc:
        raise DomainError(WorkforceError.BAN_EXISTS, field="id_number", status=409) from exc
    audit_record(
        action=WorkforceAction.BAN_PROPOSED,
        actor=acting_user,
        obj=ban,
        changes={k: [None, v] for k, v in snapshot(ban).items()},
    )
    return ban


def _ban_take_effect(ban: Ban, *, acting_user) -> int:
    """Flag every active employment of the person, anywhere, at once; emit the event."""
    flagged = StaffMember.objects.filter(
        person__id_number_index=ban.id_number_index, left_on__isnull=True
    ).update(banned_by=ban, ban_flagged_at=timezone.now())
    events.emit(
        events.PRACTITIONER_BANNED,
        ban_id=ban.pk,
        id_blind_index=ban.id_number_index,
        acting_user=acting_user,
    )
    return flagged


@transaction.atomic
def ban_approve(*, acting_user, ban: Ban) -> Ban:
    """The second 区卫健局 officer approves (four eyes): the ban takes effect."""
    _require_ban_officer(acting_user)
    ban = Ban.objects.select_for_update().get(pk=ban.pk)
    if ban.status != Ban.Status.PROPOSED:
        raise DomainError(WorkforceError.BAN_NOT_PROPOSED, status=409)
    if ban.proposed_by_id == acting_user.pk:
        raise DomainError(WorkforceError.BAN_FOUR_EYES, status=403)
    ban.status = Ban.Status.IN_FORCE
    ban.approved_by = acting_user
    ban.approved_at = timezone.now()
    ban.save(update_fields=["status", "approved_by", "approved_at"])
    flagged = _ban_take_effect(ban, acting_user=acting_user)
    audit_record(
        action=WorkforceAction.BAN_APPROVED,
        actor=acting_user,
        obj=ban,
        changes={"status": [Ban.Status.PROPOSED, Ban.Status.IN_FORCE]},
        detail={"flagged_employments": flagged},
    )
    return ban


@transaction.atomic
def ban_lift(
    *,
    acting_user,
    ban: Ban,
    lifted_on: dt.date,
    authority: str,
    decision_ref: str,
    reason: str = "",
) -> Ban:
    """Lift a ban by a recorded court or authority decision (never a deletion)."""
    _require_ban_officer(acting_user)
    ban = Ban.objects.select_for_update().get(pk=ban.pk)
    if ban.status != Ban.Status.IN_FORCE:
        raise DomainError(WorkforceError.BAN_NOT_IN_FORCE, status=409)
    if not (authority or "").strip() or not (decision_ref or "").strip():
        raise DomainError(WorkforceError.BAN_LIFT_DECISION_REQUIRED, field="decision_ref")
    if not isinstance(lifted_on, dt.date):
        raise DomainError(CoreError.REQUIRED, "请填写解除日期", field="lifted_on")
    ban.status = Ban.Status.LIFTED
    ban.lifted_by = acting_user
    ban.lifted_on = lifted_on
    ban.lift_authority = authority.strip()[:100]
    ban.lift_decision_ref = decision_ref.strip()[:100]
    ban.lift_reason = (reason or "").strip()
    ban.save()
    StaffMember.objects.filter(banned_by=ban).update(banned_by=None, ban_flagged_at=None)
    audit_record(
        action=WorkforceAction.BAN_LIFTED,
        actor=acting_user,
        obj=ban,
        changes={"status": [Ban.Status.IN_FORCE, Ban.Status.LIFTED]},
        detail={"authority": ban.lift_authority, "decision_ref": ban.lift_decision_ref},
    )
    return ban


def ban_record_from_blacklist(
    *, entry_id, name, id_number, reason, decided_on, decision_ref, acting_user
) -> Ban:
    """`person_blacklisted` (in the emitter's transaction): the blacklist entry was itself
    approved by two officers, so the ban is recorded in force at once (P-SUP-5/6). A ban
    already open for the person is made to take effect rather than duplicated."""
    clear = validate_id_number(id_number, field="id_number")
    index = personal_lookup("id_number", clear)
    open_ban = (
        Ban.objects.select_for_update()
        .filter(id_number_index=index)
        .exclude(status=Ban.Status.LIFTED)
        .first()
    )
    if open_ban is not None and open_ban.status == Ban.Status.IN_FORCE:
        return open_ban
    ban = open_ban or Ban(
        name=(name or "")[:60],
        id_number=clear,
        id_number_masked=mask("id_number", clear),
        reason=reason or "",
        decided_on=decided_on,
        decision_ref=(decision_ref or "")[:100],
        proposed_by=acting_user,
    )
    ban.status = Ban.Status.IN_FORCE
    ban.source = Ban.Source.BLACKLIST
    ban.blacklist_entry_id = entry_id
    ban.approved_by = acting_user
    ban.approved_at = timezone.now()
    ban.save()
    flagged = _ban_take_effect(ban, acting_user=acting_user)
    audit_record(
        action=WorkforceAction.BAN_RECORDED,
        actor=acting_user,
        obj=ban,
        changes={"status": [None, Ban.Status.IN_FORCE]},
        detail={"blacklist_entry_id": entry_id, "flagged_employments": flagged},
    )
    return ban


# --- the Excel roster upload (all or nothing, every row error at once) ------------------------


def _import_entries(parsed, errors: ErrorCollector, *, institution, on, class_ids, header_of):
    entries: list[StaffInput] = []
    first_row: dict[str, int] = {}
    for number, data in parsed:
        row_errors = ErrorCollector()
        entry = staff_check(
            data, institution=institution, on=on, errors=row_errors, row=number, class_ids=class_ids
        )
        for e in row_errors.items:
            errors.add(e.code, e.message, field=header_of.get(e.field, e.field), row=number)
        if entry is None:
            continue
        if entry.index in first_row:
            errors.add(
                WorkforceError.DUPLICATE_PERSON_IN_FILE,
                f"与第 {first_row[entry.index]} 行是同一人（身份证号码相同）",
                field=header_of["id_number"],
                row=number,
            )
            continue
        first_row[entry.index] = number
        entries.append(entry)
    return entries


def _import_write(
    *, acting_user, institution: Institution, entries: list[StaffInput], file_name: str
):
    indexes = [e.index for e in entries]
    Person.objects.bulk_create(
        [
            Person(
                name=e.name,
                id_number=e.id_number,
                id_number_masked=mask("id_number", e.id_number),
                birth_date=e.birth_date,
            )
            for e in entries
        ],
        ignore_conflicts=True,
    )
    person_of = dict(
        Person.objects.filter(id_number_index__in=indexes).values_list("id_number_index", "pk")
    )
    staff = StaffMember.objects.bulk_create(
        [_staff_row(institution, Person(pk=person_of[e.index]), e) for e in entries]
    )
    Certificate.objects.bulk_create(
        [
            c
            for s, e in zip(staff, entries, strict=True)
            for c in _certificate_rows(s, e.certificates)
        ]
    )
    audit_record_bulk(
        action=WorkforceAction.STAFF_IMPORTED,
        actor=acting_user,
        object_type="workforce.staffmember",
        object_ids=[s.pk for s in staff],
        detail={"institution_id": institution.pk, "file": file_name},
    )
    return staff


def _one_error_per_cell(items: list) -> list:
    """Every error of every row, in row order, but one per cell: a cell reported unreadable
    by the parser is not reported again for the stand-in that replaced it."""
    seen, out = set(), []
    for item in sorted(items, key=lambda e: e.row or 0):
        cell = (item.row, item.field)
        if item.row and item.field and cell in seen:
            continue
        seen.add(cell)
        out.append(item)
    return out


def staff_import(*, acting_user, institution: Institution, file, on=None) -> int:
    """The roster upload: every row checked (ID, age, role, dates, certificate kind and
    dates, the same person twice, already on the roster, lifetime bans) before anything is
    written; any error → nothing imported, every error listed. Banned rows are recorded as
    attempts (channel excel) even though nothing is imported. Returns the rows imported."""
    from pathlib import Path

    from tuoyu.core.excel import check_file_size
    from tuoyu.workforce import excel_roster

    _require_roster_keeper(acting_user, institution)
    on = on or policy.today()
    check_file_size(file, max_bytes=excel_roster.MAX_IMPORT_BYTES)
    classes = dict(
        CareClass.objects.filter(institution=institution)
        .exclude(status=CareClass.Status.CLOSED)
        .values_list("name", "pk")
    )
    parsed, errors = excel_roster.roster_file_parse(file, classes=classes)
    if any(e.field == "file" or e.row == 1 for e in errors.items):
        errors.raise_if_any()
    header_of = excel_roster.HEADER_OF
    entries = _import_entries(
        parsed,
        errors,
        institution=institution,
        on=on,
        class_ids=set(classes.values()),
        header_of=header_of,
    )
    on_roster = set(
        StaffMember.objects.filter(
            institution=institution,
            left_on__isnull=True,
            person__id_number_index__in=[e.index for e in entries],
        ).values_list("person__id_number_index", flat=True)
    )
    for e in entries:
        if e.index in on_roster:
            errors.add(WorkforceError.ALREADY_ON_ROSTER, field=header_of["id_number"], row=e.row)
    found = bans_in_force(e.index for e in entries)
    hits = [(found[e.index], e) for e in entries if e.index in found]
    if hits:
        ban_attempts_record(
            acting_user=acting_user,
            institution=institution,
            hits=[(ban, e.name) for ban, e in hits],
            channel="excel",
        )
        errors.items.extend(
            lifetime_ban_item(ban, name=e.name, field=header_of["id_number"], row=e.row)
            for ban, e in hits
        )
    if errors:
        items = _one_error_per_cell(errors.items)
        banned_only = all(e.code == WorkforceError.LIFETIME_BAN for e in items)
        raise DomainError(
            errors=items, status=409 if banned_only else 422, title="导入失败，未导入任何数据"
        )
    with transaction.atomic():
        staff = _import_write(
            acting_user=acting_user,
            institution=institution,
            entries=entries,
            file_name=Path(getattr(file, "name", "") or "").name[:200],
        )
    return len(staff)
