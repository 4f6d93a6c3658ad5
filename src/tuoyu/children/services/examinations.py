"""Examinations (P-HC-1 entry, P-HC-2 periodic) with growth judged against the growth
reference (`children.growth`; WHO 2006 by default), the reference named on the record.

P-HC-1 ("record it or upload the form"): an examination may come with the scan of its
examination form (入托体检表, PDF/JPEG/PNG by content, at most 10 MiB as the certificate
scans). Which entry examination satisfies P-HC-1 is decided here, by `ENTRY_COMPLETE`: one
with a finding typed in (a measurement or the conclusion) OR the form's scan — a scan alone
is enough, a date and an examining body alone are not. The list of children missing their
entry examination (`selectors.entry_exam_missing`) applies it.

The scan is stored with the row, inside the transaction; if that transaction (or the
enrolment enclosing it) rolls back, the stored file is deleted again
(`scans_removed_on_rollback`), so a refused enrolment leaves neither row nor file. Every
download is audited as a reading of personal data (`examination_scan_download_record`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from contextvars import ContextVar
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from tuoyu.audit.services import audit_record
from tuoyu.children import growth
from tuoyu.children.catalogue import ChildrenAction
from tuoyu.children.models import Child, Examination
from tuoyu.children.services.certificates import (
    SCAN_MAX_BYTES,
    SCAN_TYPES,
    scan_download_record,
)
from tuoyu.core import clock
from tuoyu.core.bounds import date_check
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError, NotFound, OutOfScope
from tuoyu.core.scope import scope_of
from tuoyu.core.uploads import check_upload

# Technical bounds (far outside anything real for a child under 3), not policy.
WEIGHT_KG = (Decimal("1"), Decimal("40"))
HEIGHT_CM = (Decimal("30"), Decimal("130"))


# P-HC-1: the rule that decides whether an entry examination is done — recorded (a
# measurement or the conclusion typed in) or uploaded (the examination form's scan).
ENTRY_COMPLETE = (
    Q(weight_kg__isnull=False)
    | Q(height_cm__isnull=False)
    | Q(haemoglobin_g_l__isnull=False)
    | Q(hearing_passed__isnull=False)
    | ~Q(result="")
    | ~Q(form_scan="")
)


def _bounded(value, bounds, field):
    if value is None or value == "":
        return None
    try:
        value = Decimal(str(value))
    except ArithmeticError:
        raise DomainError(CoreError.INVALID, field=field) from None
    if not (value.is_finite() and bounds[0] <= value <= bounds[1]):
        raise DomainError(CoreError.OUT_OF_RANGE, field=field)
    return value


def _z(value) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 2)))


def examination_record(
    *,
    acting_user,
    child: Child,
    kind: str,
    examined_on: dt.date,
    weight_kg=None,
    height_cm=None,
    haemoglobin_g_l: int | None = None,
    hearing_passed: bool | None = None,
    examined_by: str = "",
    result: str = "",
    reference: str = growth.DEFAULT_REFERENCE,
    form_scan=None,
) -> Examination:
    """Record an examination, with the scan of its form when one is given (P-HC-1).

    Errors: examined_on (date_out_of_range, date_order), weight_kg / height_cm (invalid,
    out_of_range), form_scan (file_empty, file_too_large, file_type_not_allowed) — each
    before anything is written."""
    if scope_of(acting_user).institution_id != child.institution_id:
        raise OutOfScope("只有机构本身可以记录儿童体检")
    if kind not in Examination.Kind.values:
        raise DomainError(CoreError.INVALID_CHOICE, field="kind")
    date_check(examined_on, field="examined_on", label="体检日期")
    if examined_on < child.birth_date or examined_on > clock.today():
        raise DomainError(
            CoreError.DATE_ORDER, "体检日期应在出生日期之后、今天之前", field="examined_on"
        )
    weight = _bounded(weight_kg, WEIGHT_KG, "weight_kg")
    height = _bounded(height_cm, HEIGHT_CM, "height_cm")
    if form_scan is not None:
        # By content, as the certificate scans (P-HC-3): a renamed file of another kind is
        # refused, and nothing is stored.
        check_upload(form_scan, max_bytes=SCAN_MAX_BYTES, allowed=SCAN_TYPES, field="form_scan")
    judged = None
    if weight is not None or height is not None:
        judged = growth.judge(
            reference,
            gender=child.gender,
            birth_date=child.birth_date,
            measured_on=examined_on,
            weight_kg=weight,
            height_cm=height,
        )
    with scans_removed_on_rollback() as stored, transaction.atomic():
        exam = Examination(
            institution_id=child.institution_id,
            child=child,
            kind=kind,
            examined_on=examined_on,
            examined_by=(examined_by or "")[:100],
            weight_kg=weight,
            height_cm=height,
            haemoglobin_g_l=haemoglobin_g_l,
            hearing_passed=hearing_passed,
            result=(result or "")[:200],
            waz=_z(judged.waz) if judged else None,
            haz=_z(judged.haz) if judged else None,
            whz=_z(judged.whz) if judged else None,
            growth_flags=",".join(judged.flags) if judged else "",
            growth_reference=judged.reference if judged else "",
        )
        if form_scan is not None:
            # Stored now, under a random name (RandomName), and noted before the INSERT so
            # that a failing INSERT deletes it as well.
            exam.form_scan.save(form_scan.name, form_scan, save=False)
            stored.append(exam.form_scan.name)
        exam.save()
        audit_record(
            action=ChildrenAction.EXAMINATION_RECORDED,
            actor=acting_user,
            obj=exam,
            detail={
                "kind": kind,
                "examined_on": examined_on,
                "flags": exam.growth_flags,
                "form_scan": bool(exam.form_scan),
            },
        )
    return exam


def _storage():
    return Examination._meta.get_field("form_scan").storage


# The names stored inside the innermost open `scans_removed_on_rollback` block (a context
# variable: one per thread or task, never shared between requests).
_stored_here: ContextVar[list[str] | None] = ContextVar("examination_scans_stored", default=None)


@contextlib.contextmanager
def scans_removed_on_rollback():
    """Wrap a service's transaction that may store examination scans: if the block raises
    (its transaction rolled back), the files stored inside it are deleted again — Django
    has no on-rollback hook, and a file without its row is personal data nobody can find.
    Nested (the enrolment around `examination_record`), the inner block hands its names to
    the outer one on success, so a rollback of the enrolment after the examination was
    written deletes them too."""
    outer = _stored_here.get()
    names: list[str] = []
    token = _stored_here.set(names)
    try:
        yield names
    except BaseException:
        for name in names:
            _storage().delete(name)
        raise
    finally:
        _stored_here.reset(token)
    if outer is not None:
        outer.extend(names)


def examination_scan_download_record(*, acting_user, exam: Examination, size: int) -> None:
    """P-HC-1: audit a download of an examination form's scan. A child's health document is
    sensitive personal data, so the event is a reading of personal data (`pii_read`), as for
    a medical certificate's scan. The caller fetched the examination through
    `selectors.examination_scan_get`, which applies the access rule."""
    scan_download_record(
        acting_user=acting_user,
        action=ChildrenAction.EXAMINATION_SCAN_DOWNLOADED,
        obj=exam,
        what=exam.get_kind_display(),
        detail={"examined_on": exam.examined_on, "size": size},
    )


def child_for_exam(*, acting_user, child_id: int) -> Child:
    child = Child.objects.filter(
        pk=child_id, institution_id=scope_of(acting_user).institution_id
    ).first()
    if child is None:
        raise NotFound(field="child_id")
    return child
