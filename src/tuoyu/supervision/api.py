"""Public complaints (API-CONTRACT §6, P-SUP-4): no token, never any personal data out.

`POST /api/v1/public/complaints` → 201 {"tracking_number"}; `GET
/api/v1/public/complaints/{tracking_number}` → {"status", "updated_at", "reply"?}. The router
is mounted at the API root, so the paths are written in full."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Router, Schema

from tuoyu.core.api_schemas import Problem
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError
from tuoyu.core.http import client_ip
from tuoyu.supervision import services
from tuoyu.supervision.models import Complaint, ComplaintCategory

router = Router()

# The open endpoint takes small bodies only (a complaint is at most 2,000 characters).
COMPLAINT_BODY_MAX_BYTES = 16 * 1024
CATEGORIES = " / ".join(f"{c.value} {c.label}" for c in ComplaintCategory)


class ComplaintIn(Schema):
    uscc: str = Field(..., description="被投诉机构的统一社会信用代码")
    category: str = Field(..., description=f"投诉类别：{CATEGORIES}")
    description: str = Field(..., description="投诉内容，1–2000 字；按纯文本保存和显示")
    contact_phone: str | None = Field(None, description="联系电话（可选；匿名投诉不保存）")
    anonymous: bool = Field(..., description="true 为匿名投诉：不保存任何联系方式")


class ComplaintCreated(Schema):
    tracking_number: str = Field(..., description="查询码：凭此查询办理进度和答复")


class ComplaintStatus(Schema):
    status: Literal["received", "answered"] = Field(
        ..., description="received 已受理 | answered 已答复"
    )
    updated_at: dt.datetime
    reply: str | None = Field(None, description="答复内容（已答复时）")


@router.post(
    "/public/complaints",
    auth=None,
    response={201: ComplaintCreated, 413: Problem, 422: Problem, 429: Problem},
    summary="投诉托育机构",
    description=(
        "无需令牌。按投诉类别转交承办部门（类别与部门的对应为政策数据），在答复期限内答复；"
        "涉嫌虐待婴幼儿的投诉立即通报区卫健局和区公安分局。同一来源每小时限提交若干件"
        "（超出返回 429 complaint_rate_limited）；请求体不超过 16 KB（413 request_too_large）。"
        "错误码：complaint_text_empty、complaint_text_too_long、complaint_unknown_institution、"
        "complaint_unknown_category、phone_format。"
    ),
    operation_id="public_complaint_file",
)
def public_complaint_file(request, payload: ComplaintIn):
    if len(request.body) > COMPLAINT_BODY_MAX_BYTES:
        raise DomainError(
            CoreError.REQUEST_TOO_LARGE, "请求过大，上限为 16 KB", status=413, title="请求过大"
        )
    complaint = services.complaint_file(
        uscc=payload.uscc,
        category=payload.category,
        description=payload.description,
        contact_phone=payload.contact_phone or "",
        anonymous=payload.anonymous,
        channel=Complaint.Channel.API,
        source_ip=client_ip(request),
    )
    return 201, {"tracking_number": complaint.tracking_number}


@router.get(
    "/public/complaints/{tracking_number}",
    auth=None,
    response={200: ComplaintStatus, 404: Problem},
    summary="查询投诉办理进度",
    description="凭查询码查询投诉的状态、最近更新时间和答复；不返回投诉人信息。未知查询码返回 404。",
    operation_id="public_complaint_status",
)
def public_complaint_status(request, tracking_number: str):
    return services.complaint_public_status(tracking_number)
