"""POST /api/v1/registrations (API-CONTRACT §1; P-REG-10, P-REG-11): thin — the service
`registration_event_receive` does every check; errors are DomainErrors rendered as
problem+json by tuoyu.api."""

from __future__ import annotations

from typing import Literal

from ninja import Field, Router, Schema

from tuoyu.core.api_schemas import Problem
from tuoyu.institutions.models import RegistrationEvent
from tuoyu.institutions.services.registration import RegistrationIn, registration_event_receive

router = Router()


class RegistrationOut(Schema):
    institution_id: int = Field(..., description="平台内的机构 id")
    registration_status: Literal["registered", "deregistered"]


@router.post(
    "",
    response={
        201: RegistrationOut,
        200: RegistrationOut,
        401: Problem,
        403: Problem,
        409: Problem,
        422: Problem,
        503: Problem,
    },
    summary="推送登记、变更、注销信息",
    description=(
        "登记机关（区市场监管局、区民政局、区事业单位登记管理局、区教体局）推送托育机构的登记（registered）、"
        "变更（changed）和注销（deregistered）信息（P-REG-11）。\n\n"
        "- 首次接收 201 `{institution_id, registration_status}`；同一 `event_id` 同一内容再次推送返回 200 "
        "和相同结果（幂等），不同内容 409 `event_conflict`。\n"
        "- `authority` 须为令牌所属部门（否则 403 `authority_mismatch`）；非登记机关的令牌 403 `out_of_scope`。\n"
        "- changed / deregistered 只能由持有该机构登记的登记机关推送（否则 403 `authority_mismatch`）；"
        "登记机关改变（如非营利性转为营利性）时，由原登记机关推送 deregistered，再由新登记机关以其赋予的"
        "统一社会信用代码推送 registered。\n"
        "- `uscc` 首位（登记管理部门代码，GB 32100-2015）须与推送的登记机关相符：market_regulation 9，"
        "civil_affairs 5，public_institution_registration 1，education 1 或 5（否则 422 "
        "`uscc_authority_mismatch`）。\n"
        "- 按 P-REG-10：托幼一体化幼儿园（kindergarten）由 education 登记；非营利社会组织由 civil_affairs；"
        "非营利事业单位由 public_institution_registration；营利性企业（company）由 market_regulation。"
        "登记机关不符 422 `wrong_authority`；法人类型与营利性自相矛盾 422 `legal_form_mismatch`。\n"
        "- `uscc` 校验 GB 32100-2015（422 `uscc_format` / `uscc_checksum`）；`township_code` 须为 "
        "GET /api/v1/regions 列出的镇乡街道（422 `unknown_region`）。\n"
        "- changed / deregistered 针对未登记的 uscc：422 `unknown_institution`；已登记的 uscc 再次 registered："
        "409 `already_registered`；已注销的机构再推送：409 `already_deregistered` / `institution_deregistered`。\n"
        "- changed 只需携带变更的字段；deregistered 同时注销备案（P-FIL-3）。\n"
        "- 数据库繁忙（其他写入占用）时平台自动重试；仍繁忙时 503 `database_busy`，可稍后以同一 "
        "`event_id` 重新推送（幂等）。"
    ),
    operation_id="registrations_push",
)
def registrations_push(request, payload: RegistrationIn):
    receipt = registration_event_receive(
        acting_user=request.auth, data=payload, channel=RegistrationEvent.Channel.API
    )
    return (201 if receipt.created else 200), receipt.response
