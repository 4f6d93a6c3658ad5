"""API-CONTRACT §2 (children) and §3 (daily health checks), exactly as written, plus
withdrawal, class moves and the outbreak alerts of an institution (free shape).

Paths are full (the router is mounted at the API root). An institution's token acts for
its own uscc only; a township or 区卫健局 token that can see the institution may read, and
writing is the institution's act (403 `out_of_scope`); anyone else 404.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Path, Router, Schema
from pydantic import BaseModel

from tuoyu.children import selectors
from tuoyu.children.models import SYMPTOMS, HealthCheck
from tuoyu.children.services.enrolment import child_enrol, child_move, child_withdraw
from tuoyu.children.services.health_checks import MAX_BATCH, health_checks_receive
from tuoyu.core.api_schemas import Problem
from tuoyu.core.bounds import date_check

router = Router()

INSTITUTION = "/institutions/{uscc}"
# Keys are 64-bit: a larger number cannot be bound by SQLite (an OverflowError, a 500).
MAX_ID = 2**63 - 1


class GuardianIn(Schema):
    name: str = Field(..., max_length=50)
    phone: str = Field(..., max_length=20, examples=["13800000000"])


class EntryExaminationIn(Schema):
    examined_on: dt.date
    examined_by: str = Field("", max_length=100, description="体检机构")
    result: str = Field("", max_length=200)
    weight_kg: Decimal | None = Field(None, ge=1, le=40, decimal_places=2)
    height_cm: Decimal | None = Field(None, ge=30, le=130, decimal_places=1)


class ChildIn(Schema):
    name: str = Field(..., max_length=50)
    gender: Literal["male", "female"]
    birth_date: dt.date
    id_number: str | None = Field(None, max_length=18, description="可选；按 GB 11643 校验")
    class_id: int = Field(..., ge=1, le=MAX_ID)
    enrolled_on: dt.date
    guardian: GuardianIn
    entry_examination: EntryExaminationIn | None = Field(
        None, description="入托体检（P-HC-1）；未提供的儿童列入“缺入托体检”名单"
    )


class ChildCreated(Schema):
    child_id: int


class WithdrawalIn(Schema):
    left_on: dt.date = Field(..., description="最后在托日")
    reason: str = Field("", max_length=200)
    transfer: bool = Field(False, description="转园：可在新机构入托")


class ClassMoveIn(Schema):
    class_id: int = Field(..., ge=1, le=MAX_ID)
    on: dt.date


class ChildOut(Schema):
    child_id: int
    class_id: int
    status: str


class CheckIn(BaseModel):
    # A plain pydantic model: ninja's Schema resolves every field through its Django getter,
    # which cost more than the whole insert for a batch of 5,000.

    record_id: str = Field(..., max_length=64, description="客户端生成的唯一编号（幂等键）")
    child_id: int = Field(..., ge=1, le=MAX_ID)
    date: dt.date
    session: str = Field(..., json_schema_extra={"enum": list(HealthCheck.Session.values)})
    attendance: str = Field(..., json_schema_extra={"enum": list(HealthCheck.Attendance.values)})
    temperature_c: float | None = Field(None, description="34.0–43.0")
    symptoms: list[str] = Field(
        default_factory=list,
        max_length=len(SYMPTOMS),
        json_schema_extra={"items": {"type": "string", "enum": list(SYMPTOMS)}},
        description="；".join(f"{k} {v}" for k, v in SYMPTOMS.items()),
    )
    action: str = Field("none", json_schema_extra={"enum": list(HealthCheck.Action.values)})


class ChecksIn(BaseModel):
    records: list[CheckIn] = Field(..., description=f"每次最多 {MAX_BATCH} 条")


class RejectedOut(Schema):
    index: int
    record_id: str | None
    errors: list[dict]


class AlertOut(Schema):
    kind: str = Field(
        ..., description="class_same_day | class_window | hfmd_class | hfmd_institution"
    )
    scope: str = Field(..., description="class | institution")
    symptom: str
    cases: int
    window_days: int
    alert_id: int
    class_id: int | None
    window_end: dt.date


class ChecksOut(Schema):
    accepted: int
    duplicates: int
    rejected: list[RejectedOut]
    alerts: list[AlertOut]


class AlertDetailOut(AlertOut):
    status: str = Field(..., description="open | acknowledged | closed")
    window_start: dt.date
    children: list[dict] = Field(..., description="[{child_id, dates}]")
    action_taken: str


def _own(request, uscc: str):
    from tuoyu.core.errors import OutOfScope

    institution = selectors.institution_for_children(acting_user=request.auth, uscc=uscc)
    if request.auth.institution_id != institution.pk:
        raise OutOfScope("只有机构本身可以办理")
    return institution


@router.post(
    f"{INSTITUTION}/children",
    response={201: ChildCreated, 403: Problem, 404: Problem, 409: Problem, 422: Problem},
    summary="儿童入托",
    description=(
        "机构登记入托儿童。已在其他机构在托 → 409 enrolled_elsewhere（按身份证号盲索引，"
        "无身份证号时按姓名+出生日期+监护人电话）；月龄不符班型 → 422 age_outside_class_range；"
        "班级已满（不超过备案核定人数）→ 409 class_full。"
    ),
    operation_id="children_enrol",
)
def children_enrol(request, uscc: str, payload: ChildIn):
    institution = _own(request, uscc)
    date_check(payload.birth_date, field="birth_date", label="出生日期")
    date_check(payload.enrolled_on, field="enrolled_on", label="入托日期")
    exam = payload.entry_examination.dict() if payload.entry_examination else None
    if exam:
        date_check(exam["examined_on"], field="entry_examination.examined_on", label="体检日期")
    child = child_enrol(
        acting_user=request.auth,
        institution=institution,
        name=payload.name,
        gender=payload.gender,
        birth_date=payload.birth_date,
        id_number=payload.id_number,
        class_id=payload.class_id,
        enrolled_on=payload.enrolled_on,
        guardian_name=payload.guardian.name,
        guardian_phone=payload.guardian.phone,
        entry_examination=exam,
    )
    return 201, {"child_id": child.pk}


@router.post(
    f"{INSTITUTION}/children/{{child_id}}/withdrawal",
    response={200: ChildOut, 403: Problem, 404: Problem, 409: Problem, 422: Problem},
    summary="儿童离园或转园",
    operation_id="children_withdraw",
)
def children_withdraw(
    request, uscc: str, payload: WithdrawalIn, child_id: int = Path(..., ge=1, le=MAX_ID)
):
    institution = _own(request, uscc)
    date_check(payload.left_on, field="left_on", label="离园日期")
    child = child_withdraw(
        acting_user=request.auth,
        institution=institution,
        child_id=child_id,
        left_on=payload.left_on,
        reason=payload.reason,
        transfer=payload.transfer,
    )
    return {"child_id": child.pk, "class_id": child.care_class_id, "status": child.status}


@router.post(
    f"{INSTITUTION}/children/{{child_id}}/class-move",
    response={200: ChildOut, 403: Problem, 404: Problem, 409: Problem, 422: Problem},
    summary="儿童调班",
    operation_id="children_move",
)
def children_move(
    request, uscc: str, payload: ClassMoveIn, child_id: int = Path(..., ge=1, le=MAX_ID)
):
    institution = _own(request, uscc)
    date_check(payload.on, field="on", label="调班日期")
    child = child_move(
        acting_user=request.auth,
        institution=institution,
        child_id=child_id,
        class_id=payload.class_id,
        on=payload.on,
    )
    return {"child_id": child.pk, "class_id": child.care_class_id, "status": child.status}


@router.post(
    f"{INSTITUTION}/health-checks",
    response={200: ChecksOut, 403: Problem, 404: Problem, 413: Problem, 422: Problem},
    summary="晨午检记录（批量）",
    description=(
        f"每次最多 {MAX_BATCH} 条（超出 → 413 batch_too_large）。有效记录即使同批有被拒记录也会保存；"
        "record_id 已以相同内容保存过的计为 duplicates，内容不同的拒收（record_id_conflict）。"
        "拒收代码：child_not_enrolled、future_date、temperature_out_of_range、unknown_symptom 等。"
        "整批重试总是安全的。alerts 为本批触发的传染病聚集性预警（P-HC-6）。"
    ),
    operation_id="health_checks_submit",
)
def health_checks_submit(request, uscc: str, payload: ChecksIn):
    institution = _own(request, uscc)
    result = health_checks_receive(
        acting_user=request.auth,
        institution=institution,
        records=[r.model_dump() for r in payload.records],
    )
    return result.as_response()


@router.get(
    f"{INSTITUTION}/outbreak-alerts",
    response={200: list[AlertDetailOut], 404: Problem},
    summary="传染病聚集性预警",
    operation_id="outbreak_alerts_list",
)
def outbreak_alerts_list(request, uscc: str):
    institution = selectors.institution_for_children(acting_user=request.auth, uscc=uscc)
    alerts = selectors.alerts_visible(acting_user=request.auth).filter(institution=institution)
    return [
        {
            **a.as_contract(),
            "status": a.status,
            "window_start": a.window_start,
            "children": a.cases_detail,
            "action_taken": a.action_taken,
        }
        for a in alerts[:500]
    ]
