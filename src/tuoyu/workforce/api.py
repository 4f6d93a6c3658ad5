"""从业人员: staff rosters, certificates and trainings, lifetime bans (P-SUP-6), staffing
compliance (P-STD-1, P-STD-2, P-HC-5) and the certification rate (P-TGT-8).

API-CONTRACT §2: `POST /api/v1/institutions/{uscc}/staff` (the institution's own software)
and `POST /api/v1/bans` (区卫健局). Mounted at the API root, so operations carry full paths.

A ban posted here is recorded as proposed; it takes effect when a second 区卫健局 officer
approves it (four eyes, P-SUP-6) — in the UI or by `POST /api/v1/bans/{ban_id}/approve` —
and from that moment every active employment of the person is flagged.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Router, Schema

from tuoyu.core.api_schemas import Problem
from tuoyu.core.errors import OutOfScope
from tuoyu.workforce import selectors, services

router = Router()


class CertificateIn(Schema):
    kind: str = Field(
        ...,
        description="childcare_worker | infant_carer | kindergarten_teacher | physician | nurse | "
        "health_worker_training | security_guard | health_certificate | no_criminal_record | other",
    )
    number: str = Field("", max_length=60)
    issuer: str = Field("", max_length=100)
    valid_from: dt.date
    valid_until: dt.date | None = None


class StaffIn(Schema):
    name: str = Field(..., max_length=60, examples=["张丽"])
    id_number: str = Field(..., max_length=40, description="18 位居民身份证号码（GB 11643）")
    role: str = Field(
        ..., description="principal | caregiver | health_worker | cook | security | other"
    )
    hired_on: dt.date
    certificates: list[CertificateIn] = Field(default_factory=list, max_length=50)
    class_id: int | None = Field(None, description="保育人员所在班级（班级接口的 class_id）")
    full_time: bool = True
    phone: str = Field("", max_length=20)
    education: str = Field(
        "", description="junior_middle | senior_middle | junior_college | bachelor | postgraduate"
    )


class StaffCreated(Schema):
    staff_id: int


class StaffOut(Schema):
    staff_id: int
    name: str
    id_number_masked: str
    role: str
    class_id: int | None
    hired_on: dt.date
    full_time: bool
    banned: bool


class BanIn(Schema):
    id_number: str = Field(..., max_length=40)
    name: str = Field(..., max_length=60)
    reason: str = Field(..., max_length=2000)
    decided_on: dt.date
    decision_ref: str = Field(..., max_length=100)
    case_ref: str = Field("", max_length=100)
    party: str = Field(
        "perpetrator", description="perpetrator 直接责任人 | manager 负有责任的管理人员"
    )


class BanCreated(Schema):
    ban_id: int
    status: str


@router.post(
    "/institutions/{uscc}/staff",
    response={201: StaffCreated, 403: Problem, 404: Problem, 409: Problem, 422: Problem},
    summary="登记从业人员",
    description=(
        "机构为本机构登记从业人员及其证书。终身禁入人员 → 409 lifetime_ban（尝试被记录并报告区卫健局）；"
        "未知证书类型 → 422 unknown_certificate_kind；有效期截止早于起始 → 422 certificate_dates。"
    ),
    operation_id="staff_create",
)
def staff_create(request, uscc: str, payload: StaffIn):
    institution = selectors.institution_for_staff(acting_user=request.auth, uscc=uscc)
    if request.auth.institution_id != institution.pk:
        raise OutOfScope("只有机构本身可以登记本机构的从业人员")
    data = payload.dict()
    data["care_class_id"] = data.pop("class_id")
    data["certificates"] = [services.CertificateInput(**c) for c in data["certificates"]]
    staff = services.staff_add(
        acting_user=request.auth, institution=institution, data=data, channel="api"
    )
    return 201, {"staff_id": staff.pk}


@router.get(
    "/institutions/{uscc}/staff",
    response={200: list[StaffOut], 404: Problem},
    summary="在职从业人员名单",
    description="机构在职人员（身份证号码脱敏）。",
    operation_id="staff_list",
)
def staff_list(request, uscc: str):
    institution = selectors.institution_for_staff(acting_user=request.auth, uscc=uscc)
    return [
        {
            "staff_id": s.pk,
            "name": s.name,
            "id_number_masked": s.person.id_number_masked,
            "role": s.role,
            "class_id": s.care_class_id,
            "hired_on": s.hired_on,
            "full_time": s.full_time,
            "banned": s.banned_by_id is not None,
        }
        for s in selectors.roster(acting_user=request.auth, institution=institution)
    ]


@router.post(
    "/bans",
    response={201: BanCreated, 403: Problem, 409: Problem, 422: Problem},
    summary="记录终身禁入",
    description=(
        "区卫健局记录主管机关作出的终身禁入决定（P-SUP-6）。记录为待审核，经另一名区卫健局工作人员审核后生效，"
        "生效时在任何机构在职的该人员立即被标记。"
    ),
    operation_id="bans_create",
)
def bans_create(request, payload: BanIn):
    ban = services.ban_propose(acting_user=request.auth, **payload.dict())
    return 201, {"ban_id": ban.pk, "status": ban.status}


@router.post(
    "/bans/{ban_id}/approve",
    response={200: BanCreated, 403: Problem, 404: Problem, 409: Problem},
    summary="审核终身禁入（双人审核）",
    description="另一名区卫健局工作人员审核通过后禁入生效；提出人本人审核 → 403 ban_four_eyes。",
    operation_id="bans_approve",
)
def bans_approve(request, ban_id: int):
    if not request.auth.has_perm("workforce.manage_bans"):
        raise OutOfScope("只有区卫健局可以办理终身禁入")
    ban = selectors.ban_get(acting_user=request.auth, pk=ban_id)
    ban = services.ban_approve(acting_user=request.auth, ban=ban)
    return 200, {"ban_id": ban.pk, "status": ban.status}
