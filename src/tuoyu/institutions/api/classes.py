"""`/api/v1/institutions/{uscc}/classes` (API-CONTRACT §2): an institution's own software
creates and lists its classes.

Scope: an institution token acts for its own uscc only; any other uscc is 404 (no existence
leak). A department or township token that can see the institution may list its classes,
but creating one is the institution's act: 403 `out_of_scope`.

A class created here is `proposed`: on an institution already filed it counts towards slots
only after a change filing that lists it is approved (P-FIL-3); on one not yet filed it is
part of the initial filing.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Router, Schema

from tuoyu.core.api_schemas import Problem
from tuoyu.core.errors import OutOfScope
from tuoyu.institutions.selectors.classes import classes_for, institution_for_classes
from tuoyu.institutions.services.classes import care_class_create

router = Router()

ClassType = Literal["infant", "toddler_small", "toddler_large", "mixed"]


class ClassIn(Schema):
    name: str = Field(..., max_length=60, examples=["托小一班"])
    class_type: ClassType = Field(
        ...,
        description="infant 乳儿班 | toddler_small 托小班 | toddler_large 托大班 | mixed 混合班",
    )
    capacity: int = Field(..., description="核定人数；不得超过国家标准该班型班额")


class ClassCreated(Schema):
    class_id: int


class ClassOut(Schema):
    class_id: int
    name: str
    class_type: str
    capacity: int
    status: str = Field(..., description="proposed 待备案 | filed 已备案 | closed 已撤销")
    filed_on: dt.date | None


@router.post(
    "/{uscc}/classes",
    response={201: ClassCreated, 403: Problem, 404: Problem, 409: Problem, 422: Problem},
    summary="新增班级",
    description=(
        "机构为本机构新增班级。班额超过国家标准 → 422 class_size_exceeds_standard。"
        "新增班级状态为“待备案”，经备案（或备案变更）通过后计入托位。"
    ),
    operation_id="classes_create",
)
def classes_create(request, uscc: str, payload: ClassIn):
    institution = institution_for_classes(acting_user=request.auth, uscc=uscc)
    if request.auth.institution_id != institution.pk:
        raise OutOfScope("只有机构本身可以新增班级")
    care_class = care_class_create(
        acting_user=request.auth,
        institution=institution,
        name=payload.name,
        class_type=payload.class_type,
        capacity=payload.capacity,
    )
    return 201, {"class_id": care_class.pk}


@router.get(
    "/{uscc}/classes",
    response={200: list[ClassOut], 404: Problem},
    summary="班级列表",
    description="机构的全部班级（含待备案、已撤销），按班型、名称排序。",
    operation_id="classes_list",
)
def classes_list(request, uscc: str):
    institution = institution_for_classes(acting_user=request.auth, uscc=uscc)
    return [
        {
            "class_id": c.pk,
            "name": c.name,
            "class_type": c.class_type,
            "capacity": c.capacity,
            "status": c.status,
            "filed_on": c.filed_on,
        }
        for c in classes_for(acting_user=request.auth, institution=institution)
    ]
