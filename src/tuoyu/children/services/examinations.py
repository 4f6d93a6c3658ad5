"""Examinations (P-HC-1 entry, P-HC-2 periodic) with growth judged against the growth
reference (`children.growth`; WHO 2006 by default), the reference named on the record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from tuoyu.audit.services import audit_record
from tuoyu.children import growth
from tuoyu.children.catalogue import ChildrenAction
from tuoyu.children.models import Child, Examination
from tuoyu.core import clock
from tuoyu.core.bounds import date_check
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError, NotFound, OutOfScope
from tuoyu.core.scope import scope_of

# Technical bounds (far outside anything real for a child under 3), not policy.
WEIGHT_KG = (Decimal("1"), Decimal("40"))
HEIGHT_CM = (Decimal("30"), Decimal("130"))


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
) -> Examination:
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
    with transaction.atomic():
        exam = Examination.objects.create(
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
        audit_record(
            action=ChildrenAction.EXAMINATION_RECORDED,
            actor=acting_user,
            obj=exam,
            detail={"kind": kind, "examined_on": examined_on, "flags": exam.growth_flags},
        )
    return exam


def child_for_exam(*, acting_user, child_id: int) -> Child:
    child = Child.objects.filter(
        pk=child_id, institution_id=scope_of(acting_user).institution_id
    ).first()
    if child is None:
        raise NotFound(field="child_id")
    return child
