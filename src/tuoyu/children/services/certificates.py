"""P-HC-3: a child sent home (a check with action `sent_home`) returns only with a medical
certificate. The certificate (date, issuing hospital, optional scan) answers the child's
latest sent-home check; until it is recorded the class page refuses `present` for the child
(`medical_certificate_required`).

API-CONTRACT §3 lists its rejection codes and none of them means "certificate missing"
(`child_not_enrolled` would tell the institution's software a falsehood), so the batch API
does not refuse: only the class page passes `require_certificate=True` to the ingest
(stated decision; see docs/children.md).

The scan is served to those who see the child (`selectors.certificate_scan_get`), every
download audited here as a reading of personal data.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from tuoyu.audit.models import AuditEvent
from tuoyu.audit.services import audit_record
from tuoyu.children.catalogue import ChildrenAction, ChildrenError
from tuoyu.children.models import Child, HealthCheck, MedicalCertificate
from tuoyu.core import clock
from tuoyu.core.bounds import date_check, text_check
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError, OutOfScope
from tuoyu.core.scope import scope_of
from tuoyu.core.uploads import FILE_SIGNATURES, check_upload, sniff_content_type

SESSION_ORDER = {s: i for i, s in enumerate(HealthCheck.Session.values)}
SCAN_MAX_BYTES = 10 * 1024 * 1024  # technical bound, as for other scanned documents
SCAN_TYPES = ("application/pdf", "image/jpeg", "image/png")
HOSPITAL_MAX_LENGTH = 100


def _key(day: dt.date, session: str) -> tuple:
    return (day, SESSION_ORDER.get(session, 0))


def awaiting_certificate(
    institution_id: int, child_ids, *, up_to: dt.date | None = None
) -> dict[int, dict]:
    """child id → the latest sent-home check (values: pk, date, session) not yet answered by
    a certificate, for the children given (two queries). A certificate answers the latest
    sent-home check; a child could only have returned after an earlier one with a
    certificate, so only the latest counts."""
    qs = HealthCheck.objects.filter(
        institution_id=institution_id, child_id__in=list(child_ids), action="sent_home"
    )
    if up_to is not None:
        qs = qs.filter(date__lte=up_to)
    latest: dict[int, dict] = {}
    for c in qs.values("pk", "child_id", "date", "session"):
        here = latest.get(c["child_id"])
        if here is None or _key(c["date"], c["session"]) > _key(here["date"], here["session"]):
            latest[c["child_id"]] = c
    answered = set(
        MedicalCertificate.objects.filter(
            institution_id=institution_id, sent_home_check_id__in=[c["pk"] for c in latest.values()]
        ).values_list("sent_home_check_id", flat=True)
    )
    return {k: v for k, v in latest.items() if v["pk"] not in answered}


def returns_without_certificate(institution_id: int, rows: list[dict]) -> set[int]:
    """The indexes (in `rows`) of `present` records of children whose sent-home check
    before that record's date and session has no certificate."""
    present = [(i, r) for i, r in enumerate(rows) if r["attendance"] == "present"]
    if not present:
        return set()
    pending = awaiting_certificate(
        institution_id,
        {r["child_id"] for _, r in present},
        up_to=max(r["date"] for _, r in present),
    )
    refused = set()
    for i, r in present:
        sent = pending.get(r["child_id"])
        if sent is not None and _key(sent["date"], sent["session"]) < _key(r["date"], r["session"]):
            refused.add(i)
    return refused


def medical_certificate_record(
    *, acting_user, child: Child, issued_on: dt.date, hospital: str, scan=None
) -> MedicalCertificate:
    if scope_of(acting_user).institution_id != child.institution_id:
        raise OutOfScope("只有机构本身可以登记返园医学证明")
    hospital = text_check(
        hospital, field="hospital", label="开具医院", limit=HOSPITAL_MAX_LENGTH, required=True
    )
    date_check(issued_on, field="issued_on", label="开具日期")
    if issued_on is None:
        raise DomainError(CoreError.REQUIRED, "请填写开具日期", field="issued_on")
    if issued_on > clock.today():
        raise DomainError(CoreError.FUTURE_DATE, "开具日期晚于今天", field="issued_on")
    if scan is not None:
        check_upload(
            scan,
            max_bytes=SCAN_MAX_BYTES,
            allowed=SCAN_TYPES,
            field="scan",
        )
    with transaction.atomic():
        sent = awaiting_certificate(child.institution_id, [child.pk]).get(child.pk)
        if sent is None:
            raise DomainError(ChildrenError.CERTIFICATE_NOT_NEEDED, status=409)
        if issued_on < sent["date"]:
            raise DomainError(ChildrenError.CERTIFICATE_BEFORE_SENT_HOME, field="issued_on")
        certificate = MedicalCertificate(
            institution_id=child.institution_id,
            child=child,
            sent_home_check_id=sent["pk"],
            issued_on=issued_on,
            hospital=hospital,
            recorded_by_id=getattr(acting_user, "pk", None),
        )
        if scan is not None:
            certificate.scan = scan
        certificate.save()
        audit_record(
            action=ChildrenAction.CERTIFICATE_RECORDED,
            actor=acting_user,
            obj=certificate,
            object_label=f"{child.name_masked}：{hospital}",
            detail={
                "child_id": child.pk,
                "issued_on": issued_on,
                "sent_home_on": sent["date"],
                "scan": bool(scan),
            },
        )
    return certificate


def scan_content_type(scan) -> str:
    """The content type of a stored scan (an open file), recognised again by its content
    and stored extension as at upload (`core.uploads`): the model keeps no type, and a
    served file must not be left for the browser to guess (P-HC-3)."""
    head = scan.read(16)
    scan.seek(0)
    content_type = sniff_content_type(head, scan.name)
    return content_type if content_type in SCAN_TYPES else "application/octet-stream"


def scan_extension(content_type: str) -> str:
    signature = FILE_SIGNATURES.get(content_type)
    return signature[1][0] if signature else ""


def medical_certificate_scan_download_record(
    *, acting_user, certificate: MedicalCertificate, size: int
) -> None:
    """P-HC-3: audit a download of a certificate's scan. A child's health document is
    sensitive personal data, so the event is a reading of personal data (`pii_read`), as
    a revealed value is. The caller fetched the certificate through
    `selectors.certificate_scan_get`, which applies the access rule."""
    scan_download_record(
        acting_user=acting_user,
        action=ChildrenAction.CERTIFICATE_SCAN_DOWNLOADED,
        obj=certificate,
        what=certificate.hospital,
        detail={"issued_on": certificate.issued_on, "size": size},
    )


def scan_download_record(*, acting_user, action, obj, what: str, detail: dict) -> None:
    """One download of a child's scanned health document (a certificate, P-HC-3; an
    examination form, P-HC-1): a reading of personal data (`pii_read`), labelled with the
    child's masked name — the audit log never holds the clear name."""
    with transaction.atomic():
        audit_record(
            action=action,
            kind=AuditEvent.Kind.PII_READ,
            actor=acting_user,
            obj=obj,
            object_label=f"{obj.child.name_masked}：{what}",
            detail={"child_id": obj.child_id, "institution_id": obj.institution_id, **detail},
        )
