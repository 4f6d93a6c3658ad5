"""The body of a registration event (API-CONTRACT §1): `POST /api/v1/registrations`, the
entry form and the Excel upload all produce a `RegistrationIn`."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zoneinfo
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from tuoyu.core.bounds import DATE_MAX, DATE_MIN, date_in_range
from tuoyu.core.catalogue import CoreError, schema_error_code
from tuoyu.core.errors import DomainError, ErrorItem

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

Authority = Literal[
    "market_regulation", "civil_affairs", "public_institution_registration", "education"
]
Action = Literal["registered", "changed", "deregistered"]
LegalForm = Literal["company", "social_organization", "public_institution", "kindergarten"]

# Registration facts an event carries, in the order of the contract body.
FACT_FIELDS = (
    "name",
    "legal_form",
    "for_profit",
    "legal_representative",
    "address",
    "township_code",
)
REQUIRED_FOR_REGISTERED = ("name", "legal_form", "for_profit", "township_code")
FIELD_LABELS = {
    "event_id": "事件编号",
    "authority": "登记机关",
    "action": "事项",
    "uscc": "统一社会信用代码",
    "name": "机构名称",
    "legal_form": "法人类型",
    "for_profit": "营利性",
    "legal_representative": "法定代表人",
    "address": "地址",
    "township_code": "所在镇乡街道",
    "occurred_at": "发生时间",
}


class RegistrationIn(BaseModel):
    """The body of `POST /api/v1/registrations` (API-CONTRACT §1); also what the form and
    the Excel upload produce."""

    model_config = ConfigDict(str_strip_whitespace=True)

    event_id: str = Field(
        ...,
        min_length=1,
        max_length=100,
        description="登记机关系统中的事件编号，幂等键：同一编号同一内容重复推送返回相同结果",
        examples=["SAMR-330703-2024-000123"],
    )
    authority: Authority = Field(..., description="登记机关，须为令牌所属部门")
    action: Action = Field(..., description="registered 登记 | changed 变更 | deregistered 注销")
    uscc: str = Field(
        ...,
        description="统一社会信用代码（GB 32100-2015）",
        examples=["91330703MA2HXXXXXX"],
    )
    name: str | None = Field(None, max_length=200, description="机构名称；登记时必填")
    legal_form: LegalForm | None = Field(None, description="法人类型；登记时必填")
    for_profit: bool | None = Field(None, description="是否营利性；登记时必填")
    legal_representative: str | None = Field(None, max_length=60, description="法定代表人")
    address: str | None = Field(None, max_length=200, description="地址")
    township_code: str | None = Field(
        None,
        max_length=12,
        description="镇乡街道代码，须为 GET /api/v1/regions 列出的镇乡街道级代码；登记时必填",
        examples=["330703001"],
    )
    occurred_at: dt.datetime = Field(
        ...,
        description=(
            f"登记机关办结时间，ISO 8601 带时区；须在 {DATE_MIN:%Y-%m-%d} 至 {DATE_MAX:%Y-%m-%d}"
            " 之间（否则 422 date_out_of_range）"
        ),
        examples=["2024-03-01T09:00:00+08:00"],
    )

    @field_validator("name", "legal_representative", "address", "township_code", mode="before")
    @classmethod
    def _blank_is_absent(cls, value):
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("legal_form", "for_profit", mode="before")
    @classmethod
    def _blank_choice_is_absent(cls, value):
        return None if value == "" else value

    @field_validator("uscc")
    @classmethod
    def _uscc_upper(cls, value: str) -> str:
        return value.upper()

    @field_validator("occurred_at")
    @classmethod
    def _shanghai(cls, value: dt.datetime) -> dt.datetime:
        """Shanghai time, within DATE_MIN..DATE_MAX ([hardening] point 6): the year is
        bounded before the conversion, so an extreme offset on year 1 or 9999 can no longer
        overflow it (that was a 500); the overflow is caught all the same."""
        if not date_in_range(value.date()):
            raise _date_out_of_range()
        if value.tzinfo is None:
            value = value.replace(tzinfo=SHANGHAI)
        try:
            value = value.astimezone(SHANGHAI)
        except (OverflowError, ValueError):
            raise _date_out_of_range() from None
        if not date_in_range(value.date()):
            raise _date_out_of_range()
        return value

    def canonical(self) -> dict[str, Any]:
        """The body as stored and hashed: normalised values, absent facts left out."""
        return self.model_dump(mode="json", exclude_none=True)


def _date_out_of_range() -> PydanticCustomError:
    return PydanticCustomError(
        str(CoreError.DATE_OUT_OF_RANGE),
        "occurred_at must lie between {min} and {max}",
        {"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()},
    )


_SCHEMA_MESSAGES = {
    CoreError.REQUIRED: "“{label}”不能为空",
    CoreError.STRING_TYPE: "“{label}”应为字符串",
    CoreError.STRING_TOO_SHORT: "“{label}”不能为空",
    CoreError.STRING_TOO_LONG: "“{label}”过长",
    CoreError.BOOL_PARSING: "“{label}”应为 true 或 false",
    CoreError.BOOL_TYPE: "“{label}”应为 true 或 false",
    CoreError.DATETIME_PARSING: "“{label}”时间格式错误，应为 ISO 8601（如 2024-03-01T09:00:00+08:00）",
    CoreError.DATETIME_FROM_DATE_PARSING: "“{label}”时间格式错误，应为 ISO 8601（如 2024-03-01T09:00:00+08:00）",
    CoreError.DATETIME_TYPE: "“{label}”时间格式错误，应为 ISO 8601（如 2024-03-01T09:00:00+08:00）",
    CoreError.LITERAL_ERROR: "“{label}”取值不在允许范围内",
    CoreError.DATE_OUT_OF_RANGE: (
        f"“{{label}}”应在 {DATE_MIN:%Y-%m-%d} 至 {DATE_MAX:%Y-%m-%d} 之间（ISO 8601，带时区）"
    ),
    CoreError.ENUM: "“{label}”取值不在允许范围内",
}


def _schema_errors(exc: ValidationError) -> list[ErrorItem]:
    """Pydantic errors as error items; codes as the API renders schema errors
    (`tuoyu.core.catalogue.schema_error_code`), so every channel reports alike."""
    items = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        name = ".".join(loc) or None
        code = schema_error_code(err.get("type", ""))
        label = FIELD_LABELS.get(name or "", name or "请求")
        message = _SCHEMA_MESSAGES.get(code, "“{label}”取值无效").format(label=label)
        items.append(ErrorItem(code=code, message=message, field=name))
    return items


def registration_payload_parse(data: RegistrationIn | dict) -> RegistrationIn:
    """A validated body; DomainError (422) with one item per bad field."""
    if isinstance(data, RegistrationIn):
        return data
    try:
        return RegistrationIn.model_validate(data)
    except ValidationError as exc:
        raise DomainError(errors=_schema_errors(exc)) from exc


def registration_payload_hash(body: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a body (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
