"""Classes (班级) of §9.1 (P-STD-1): types, sizes and ages from policy data.

A class is created `proposed`. It becomes `filed` only when a filing application that lists
it is approved (an initial filing, or a change filing for an institution already filed):
this holds for classes created through the API (`POST /api/v1/institutions/{uscc}/classes`)
as for classes added in the filing form. Slots (托位) count filed classes only.
A filed class is closed through a change filing (or when the filing is cancelled); a
proposed class that was never filed can be withdrawn at once (`care_class_withdraw`).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from tuoyu import policy
from tuoyu.audit.services import audit_record, snapshot
from tuoyu.core.bounds import too_long_item
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError, ErrorItem
from tuoyu.institutions import summary
from tuoyu.institutions.catalogue import InstitutionsAction, InstitutionsError
from tuoyu.institutions.models import CareClass, Institution

CLASS_TYPES = tuple(CareClass.ClassType.values)


def class_admits_age(class_type: str, age_months: int, on: dt.date) -> bool:
    """P-STD-1: whether a child of `age_months` may be placed in a class of `class_type` on
    day `on` (the standard in force that day). No class admits a child under the minimum
    age; a mixed class admits only the ages the standard allows for mixing (18–36 months in
    the 2019 standard)."""
    standards = policy.at(on)
    if class_type not in CLASS_TYPES:
        return False
    if age_months < standards.standards.min_age_months:
        return False
    return standards.classes[class_type].admits_age(age_months)


def class_size_error(
    *,
    class_type: str,
    capacity: int,
    on: dt.date,
    name: str = "",
    field: str = "capacity",
    row: int | None = None,
) -> ErrorItem | None:
    """P-STD-1, the one place the class-size rule lives: the error when `capacity` children
    exceed the standard for `class_type` in force on `on`, else None. The class API and the
    filing form's submission check both ask here."""
    standard = policy.at(on).classes[class_type]
    if capacity <= standard.max_children:
        return None
    subject = f"{name}：" if name else ""
    return ErrorItem(
        InstitutionsError.CLASS_SIZE_EXCEEDS_STANDARD,
        gettext("%(subject)s%(class_type)s每班不超过 %(max)s 人（托育机构设置标准）")
        % {"subject": subject, "class_type": standard.name_zh, "max": standard.max_children},
        field=field,
        row=row,
    )


def class_check(
    *, class_type: str, capacity, on: dt.date, field_prefix: str = "", row: int | None = None
) -> int:
    """Validate a class type and capacity against the standard in force on `on` (P-STD-1);
    returns the capacity as int."""
    if class_type not in CLASS_TYPES:
        raise DomainError(
            CoreError.INVALID_CHOICE,
            "班型应为 乳儿班(infant)、托小班(toddler_small)、托大班(toddler_large) 或 混合班(mixed)",
            field=f"{field_prefix}class_type",
            row=row,
        )
    try:
        capacity = int(capacity)
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(float("inf"))
        capacity = 0
    if capacity < 1:
        raise DomainError(
            InstitutionsError.CAPACITY_INVALID,
            "核定人数应为正整数",
            field=f"{field_prefix}capacity",
            row=row,
        )
    too_big = class_size_error(
        class_type=class_type, capacity=capacity, on=on, field=f"{field_prefix}capacity", row=row
    )
    if too_big is not None:
        raise DomainError(errors=[too_big])
    return capacity


def _check_institution_may_add(institution: Institution) -> None:
    if institution.is_deregistered:
        raise DomainError(
            InstitutionsError.INSTITUTION_DEREGISTERED,
            "机构已注销登记，不能新增班级",
            field="uscc",
            status=409,
        )
    if institution.filing_status == Institution.FilingStatus.CANCELLED:
        raise DomainError(
            InstitutionsError.FILING_CANCELLED, "机构备案已注销，不能新增班级", status=409
        )


@transaction.atomic
def care_class_create(
    *,
    acting_user,
    institution: Institution,
    name: str,
    class_type: str,
    capacity,
    on: dt.date | None = None,
) -> CareClass:
    """A new class, `proposed` until a filing that lists it is approved (P-STD-1).

    Errors: invalid_choice (class type), capacity_invalid, class_size_exceeds_standard (422),
    required / too_long (name, 422), class_name_taken (409), institution_deregistered (409),
    filing_cancelled (409).
    """
    on = on or policy.today()
    name = (name or "").strip()
    if not name:
        raise DomainError(CoreError.REQUIRED, "请填写班级名称", field="name")
    limit = CareClass._meta.get_field("name").max_length
    if len(name) > limit:
        raise DomainError(errors=[too_long_item(field="name", label="班级名称", limit=limit)])
    capacity = class_check(class_type=class_type, capacity=capacity, on=on)
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    _check_institution_may_add(institution)
    taken = (
        CareClass.objects.filter(institution=institution, name=name)
        .exclude(status=CareClass.Status.CLOSED)
        .exists()
    )
    if taken:
        raise DomainError(
            InstitutionsError.CLASS_NAME_TAKEN, "本机构已有同名班级", field="name", status=409
        )
    try:
        with transaction.atomic():
            care_class = CareClass.objects.create(
                institution=institution,
                name=name,
                class_type=class_type,
                capacity=capacity,
                status=CareClass.Status.PROPOSED,
            )
    except IntegrityError as exc:  # a concurrent create of the same name
        raise DomainError(
            InstitutionsError.CLASS_NAME_TAKEN, "本机构已有同名班级", field="name", status=409
        ) from exc
    audit_record(
        action=InstitutionsAction.CARE_CLASS_CREATED,
        actor=acting_user,
        obj=care_class,
        changes={k: [None, v] for k, v in snapshot(care_class).items()},
    )
    return care_class


@transaction.atomic
def care_class_withdraw(*, acting_user, care_class: CareClass, on: dt.date | None = None) -> None:
    """Withdraw a proposed (never filed) class. A filed class is closed only through a
    change filing (P-FIL-3): `class_filed` (409)."""
    care_class = CareClass.objects.select_for_update().get(pk=care_class.pk)
    if care_class.status == CareClass.Status.CLOSED:
        return
    if care_class.status != CareClass.Status.PROPOSED:
        raise DomainError(
            InstitutionsError.CLASS_FILED,
            "已备案班级须通过备案变更撤销",
            field="class_id",
            status=409,
        )
    before = snapshot(care_class)
    care_class.status = CareClass.Status.CLOSED
    care_class.closed_on = on or policy.today()
    care_class.save(update_fields=["status", "closed_on"])
    audit_record(
        action=InstitutionsAction.CARE_CLASS_WITHDRAWN,
        actor=acting_user,
        obj=care_class,
        changes={"status": [before["status"], care_class.status]},
    )


def care_classes_file(*, institution: Institution, class_ids, on: dt.date) -> list[int]:
    """Mark the listed proposed classes filed (called inside the approval transaction of a
    filing; the caller audits). Returns the ids filed."""
    ids = list(
        CareClass.objects.filter(
            institution=institution, pk__in=list(class_ids), status=CareClass.Status.PROPOSED
        ).values_list("pk", flat=True)
    )
    CareClass.objects.filter(pk__in=ids).update(status=CareClass.Status.FILED, filed_on=on)
    if ids:
        summary.slots_refresh([institution.pk])  # [scale] #10 point 6
    return ids


def care_classes_close(*, institution: Institution, class_ids, on: dt.date) -> list[int]:
    """Close the listed classes (approval of a change filing; the caller audits)."""
    ids = list(
        CareClass.objects.filter(institution=institution, pk__in=list(class_ids))
        .exclude(status=CareClass.Status.CLOSED)
        .values_list("pk", flat=True)
    )
    CareClass.objects.filter(pk__in=ids).update(status=CareClass.Status.CLOSED, closed_on=on)
    if ids:
        summary.slots_refresh([institution.pk])  # [scale] #10 point 6
    return ids
