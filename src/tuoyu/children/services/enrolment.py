"""Enrolment, class moves, withdrawals and transfers (API-CONTRACT §2; P-HC-1, P-HC-4,
P-STD-1, P-STD-4).

- A child actively enrolled at another institution is refused (`enrolled_elsewhere`): by the
  ID number's blind index, or, when no ID is given (infants often have only a birth
  certificate), by name + birth date + guardian phone blind indexes.
- The class must be filed and open; the child's age in months on the enrolment day must be
  in the class type's range (`age_outside_class_range`, P-STD-1), and the active children
  of the class must stay within its filed capacity (`class_full`, P-STD-4). The class row is
  locked while counting, so two enrolments cannot both take the last place.
- P-HC-4: the vaccination-certificate check is due within `health.vaccination_check_within_days`
  of enrolment (policy; no deadline before that rule's version took effect).
- P-HC-1: the entry examination is recorded with the enrolment when given — typed in, or
  the scan of its form (`form_scan`) alone; children without a complete one (the rule is
  `services.examinations.ENTRY_COMPLETE`) are listed as missing it
  (`selectors.entry_exam_missing`). A refused enrolment deletes a scan it had stored.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext

from tuoyu import policy
from tuoyu.audit.services import audit_record
from tuoyu.children.catalogue import ChildrenAction, ChildrenError
from tuoyu.children.models import Child, Examination
from tuoyu.core import clock
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError, NotFound, OutOfScope
from tuoyu.core.personal import mask, normalize, personal_lookup
from tuoyu.core.scope import scope_of
from tuoyu.institutions.models import CareClass, Institution


def age_in_months(birth_date: dt.date, on: dt.date) -> int:
    """Completed months of age on `on` (a month is complete on the same day of the month
    as the birth day)."""
    months = (on.year - birth_date.year) * 12 + (on.month - birth_date.month)
    return months - 1 if on.day < birth_date.day else months


def _require_own_institution(acting_user, institution: Institution) -> None:
    if scope_of(acting_user).institution_id != institution.pk:
        raise OutOfScope("只有机构本身可以办理儿童入托、调班和离园")


def _open_class(institution: Institution, class_id: int) -> CareClass:
    care_class = (
        CareClass.objects.select_for_update().filter(institution=institution, pk=class_id).first()
    )
    if care_class is None:
        raise NotFound("本机构没有该班级", field="class_id")
    if care_class.status != CareClass.Status.FILED:
        raise DomainError(ChildrenError.CLASS_NOT_OPEN, field="class_id", status=409)
    return care_class


def _check_class_fits(care_class: CareClass, birth_date: dt.date, on: dt.date) -> None:
    """P-STD-1 age range and P-STD-4 the filed number (the caller holds the class lock)."""
    from tuoyu.institutions.services.classes import class_admits_age

    months = age_in_months(birth_date, on)
    if not class_admits_age(care_class.class_type, months, on):
        standard = policy.at(on).classes[care_class.class_type]
        raise DomainError(
            ChildrenError.AGE_OUTSIDE_CLASS_RANGE,
            gettext("儿童 %(months)s 月龄，%(type)s招收 %(lo)s–%(hi)s 月龄（不含 %(hi)s）")
            % {
                "months": months,
                "type": standard.name_zh,
                "lo": standard.min_age_months,
                "hi": standard.max_age_months,
            },
            field="class_id",
        )
    active = Child.objects.filter(care_class=care_class, status=Child.Status.ACTIVE).count()
    if active >= care_class.capacity:
        raise DomainError(
            ChildrenError.CLASS_FULL,
            gettext("%(name)s已有 %(n)s 名儿童，达到核定人数 %(cap)s")
            % {"name": care_class.name, "n": active, "cap": care_class.capacity},
            field="class_id",
            status=409,
        )


def _check_not_enrolled_elsewhere(
    institution: Institution, *, id_index: str, name_index: str, birth_date, phone_index: str
) -> None:
    active = Child.objects.filter(status=Child.Status.ACTIVE)
    if id_index:
        clash = active.filter(id_number_index=id_index)
    else:
        clash = active.filter(
            name_index=name_index, birth_date=birth_date, guardian_phone_index=phone_index
        )
    # The same child already here is enrolled elsewhere too as far as a second row goes.
    if clash.exists():
        raise DomainError(
            ChildrenError.ENROLLED_ELSEWHERE,
            gettext("该儿童已在托育机构在托，须先办理离园或转园"),
            field="id_number" if id_index else "name",
            status=409,
        )


def _clean_person(*, name: str, id_number: str | None, guardian_name: str, guardian_phone: str):
    name = (name or "").strip()
    guardian_name = (guardian_name or "").strip()
    if not name:
        raise DomainError(CoreError.REQUIRED, "请填写儿童姓名", field="name")
    if not guardian_name:
        raise DomainError(CoreError.REQUIRED, "请填写监护人姓名", field="guardian.name")
    phone = normalize("phone", guardian_phone, field="guardian.phone")
    id_clean = normalize("id_number", id_number, field="id_number") if id_number else ""
    return name, id_clean, guardian_name, phone


def vaccination_due(enrolled_on: dt.date) -> dt.date | None:
    """P-HC-4: the day by which the certificate must be checked (None before the rule)."""
    days = policy.at(enrolled_on).health.vaccination_check_within_days
    return enrolled_on + dt.timedelta(days=days) if days else None


def child_enrol(
    *,
    acting_user,
    institution: Institution,
    name: str,
    gender: str,
    birth_date: dt.date,
    class_id: int,
    enrolled_on: dt.date,
    guardian_name: str,
    guardian_phone: str,
    id_number: str | None = None,
    entry_examination: dict | None = None,
) -> Child:
    _require_own_institution(acting_user, institution)
    name, id_clean, guardian_name, phone = _clean_person(
        name=name, id_number=id_number, guardian_name=guardian_name, guardian_phone=guardian_phone
    )
    if enrolled_on < birth_date:
        raise DomainError(ChildrenError.ENROLLED_BEFORE_BIRTH, field="enrolled_on")
    if enrolled_on > clock.today() + dt.timedelta(days=366):
        raise DomainError(
            CoreError.DATE_OUT_OF_RANGE, "入托日期不能晚于一年以后", field="enrolled_on"
        )
    from tuoyu.children.services.examinations import (
        examination_record,
        scans_removed_on_rollback,
    )

    # P-HC-1: the examination's scan is stored inside this transaction; if anything after
    # it fails, the rollback takes the row and this block deletes the file.
    with scans_removed_on_rollback(), transaction.atomic():
        care_class = _open_class(institution, class_id)
        _check_not_enrolled_elsewhere(
            institution,
            id_index=personal_lookup("id_number", id_clean) if id_clean else "",
            name_index=personal_lookup("name", name),
            birth_date=birth_date,
            phone_index=personal_lookup("phone", phone),
        )
        _check_class_fits(care_class, birth_date, enrolled_on)
        child = Child.objects.create(
            institution=institution,
            care_class=care_class,
            name=name,
            gender=gender,
            birth_date=birth_date,
            id_number=id_clean,
            guardian_name=guardian_name,
            guardian_phone=phone,
            enrolled_on=enrolled_on,
            vaccination_due_on=vaccination_due(enrolled_on),
        )
        if entry_examination:
            examination_record(
                acting_user=acting_user,
                child=child,
                kind=Examination.Kind.ENTRY,
                **entry_examination,
            )
        audit_record(
            action=ChildrenAction.CHILD_ENROLLED,
            actor=acting_user,
            obj=child,
            object_label=f"{mask('name', name)}（{care_class.name}）",
            detail={
                "class_id": care_class.pk,
                "enrolled_on": enrolled_on,
                "entry_examination": bool(entry_examination),
            },
        )
    return child


def _lock_active(acting_user, institution: Institution, child_id: int) -> Child:
    _require_own_institution(acting_user, institution)
    child = Child.objects.select_for_update().filter(institution=institution, pk=child_id).first()
    if child is None:
        raise NotFound("本机构没有该儿童", field="child_id")
    if child.status != Child.Status.ACTIVE:
        raise DomainError(ChildrenError.CHILD_NOT_ACTIVE, status=409)
    return child


def child_move(
    *, acting_user, institution: Institution, child_id: int, class_id: int, on: dt.date
) -> Child:
    """A class move as the child ages (P-STD-1): the new class must admit the age and have
    room (P-STD-4)."""
    with transaction.atomic():
        child = _lock_active(acting_user, institution, child_id)
        care_class = _open_class(institution, class_id)
        _check_class_fits(care_class, child.birth_date, on)
        before = child.care_class_id
        child.care_class = care_class
        child.save(update_fields=["care_class"])
        audit_record(
            action=ChildrenAction.CHILD_MOVED,
            actor=acting_user,
            obj=child,
            object_label=care_class.name,
            changes={"care_class_id": [before, care_class.pk]},
            detail={"on": on},
        )
    return child


def child_withdraw(
    *,
    acting_user,
    institution: Institution,
    child_id: int,
    left_on: dt.date,
    reason: str = "",
    transfer: bool = False,
) -> Child:
    """Withdrawal (离园) or transfer (转园): `left_on` is the last day in care. A transferred
    child can then be enrolled at the new institution (no longer active here)."""
    with transaction.atomic():
        child = _lock_active(acting_user, institution, child_id)
        if left_on < child.enrolled_on:
            raise DomainError(ChildrenError.LEFT_BEFORE_ENROLMENT, field="left_on")
        child.status = Child.Status.TRANSFERRED if transfer else Child.Status.WITHDRAWN
        child.left_on = left_on
        child.left_reason = (reason or "")[:200]
        child.save(update_fields=["status", "left_on", "left_reason"])
        audit_record(
            action=ChildrenAction.CHILD_WITHDRAWN,
            actor=acting_user,
            obj=child,
            object_label=child.get_status_display(),
            detail={"left_on": left_on, "transfer": transfer},
        )
    return child


def vaccination_check_record(
    *,
    acting_user,
    institution: Institution,
    child_id: int,
    checked_on: dt.date,
    catch_up: bool = False,
) -> Child:
    """P-HC-4: the certificate was checked; a child needing catch-up doses is re-checked
    before 31 December of that year (a second call records the re-check)."""
    with transaction.atomic():
        child = _lock_active(acting_user, institution, child_id)
        if child.vaccination_checked_on is None:
            child.vaccination_checked_on = checked_on
            child.vaccination_catch_up = catch_up
        else:
            child.vaccination_recheck_on = checked_on
            child.vaccination_catch_up = catch_up
        child.save(
            update_fields=[
                "vaccination_checked_on",
                "vaccination_catch_up",
                "vaccination_recheck_on",
            ]
        )
        audit_record(
            action=ChildrenAction.CHILD_VACCINATION_CHECKED,
            actor=acting_user,
            obj=child,
            object_label="",
            detail={"checked_on": checked_on, "catch_up": catch_up},
        )
    return child
