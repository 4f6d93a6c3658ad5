"""`GET /api/v1/public/filings/{filing_number}` (API-CONTRACT §6): what the receipt's QR code
opens. No token; never personal data. A cancelled filing answers `valid: false`,
`status: "cancelled"`; an unknown number is 404."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Router, Schema

from tuoyu.core.api_schemas import Problem
from tuoyu.core.errors import NotFound
from tuoyu.filings.selectors import filing_verify

router = Router()


class FilingVerification(Schema):
    valid: bool = Field(..., description="备案有效为 true；已注销为 false")
    institution: str = Field(..., description="机构名称")
    uscc: str = Field(..., description="统一社会信用代码")
    filed_on: dt.date | None = Field(..., description="备案日期")
    status: Literal["filed", "cancelled"] = Field(
        ..., description="filed 已备案 | cancelled 已注销"
    )


@router.get(
    "/{filing_number}",
    auth=None,
    response={200: FilingVerification, 404: Problem},
    summary="备案回执核验",
    description="按备案编号核验备案回执（回执二维码即指向此处的公开页面）。未知编号返回 404。",
    operation_id="public_filing_verify",
)
def public_filing_verify(request, filing_number: str):
    result = filing_verify(filing_number)
    if result is None:
        raise NotFound("未找到该备案编号")
    return result
