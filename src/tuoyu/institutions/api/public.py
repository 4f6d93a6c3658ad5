"""GET /api/v1/public/institutions (API-CONTRACT §6): filed institutions for the public.

No token (`auth=None`), never any personal data. Mounted under /public by tuoyu.api.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.renderers import JSONRenderer
from pydantic import field_validator

from tuoyu.core.api_schemas import Problem
from tuoyu.institutions.models import CareClass
from tuoyu.institutions.selectors import public as selectors
from tuoyu.institutions.selectors import public_search

router = Router()
RENDERER = JSONRenderer()  # the API's renderer (TuoyuAPI keeps ninja's default)


class PublicInstitutionQuery(Schema):
    q: str | None = Field(
        None,
        max_length=100,
        description="机构名称或地址中的词（多个词以空格分隔，须都包含）或统一社会信用代码",
    )
    township: str | None = Field(None, max_length=12, description="镇乡街道区划代码（9 位）")
    affordable: bool | None = Field(None, description="true 只列普惠性机构，false 只列非普惠")
    age_months: int | None = Field(
        None,
        ge=0,
        le=1200,
        description="婴幼儿月龄：只列有可接收该月龄班级（按现行设置标准的班型年龄段）的机构",
    )
    page: int = Field(
        1, ge=1, le=selectors.MAX_PAGE, description=f"页码，每页 {selectors.PAGE_SIZE} 条"
    )

    @field_validator("q", "township", "affordable", "age_months", mode="before")
    @classmethod
    def _blank_is_absent(cls, value):
        # `?q=&township=` from a plain HTML form means "not given".
        return None if value == "" else value

    @field_validator("page", mode="before")
    @classmethod
    def _blank_page_is_first(cls, value):
        return 1 if value == "" else value


class TownshipOut(Schema):
    code: str = Field(..., examples=["330703001"])
    name: str = Field(..., examples=["多湖街道"])


class PublicClassOut(Schema):
    """A class as the public sees it (its own name: classes' `ClassOut` is another shape,
    and two schemas of one name become one component of the OpenAPI document)."""

    class_type: CareClass.ClassType = Field(
        ...,
        description="infant 乳儿班 / toddler_small 托小班 / toddler_large 托大班 / mixed 混合班",
    )
    capacity: int = Field(..., description="核定人数")
    vacancies: int = Field(..., description="空余托位 = 核定人数 − 在托人数")


class InspectionOut(Schema):
    date: dt.date
    result: str


class PublicInstitutionOut(Schema):
    id: int
    name: str
    uscc: str
    township: TownshipOut
    address: str
    affordable: bool = Field(..., description="今日是否为普惠性托育机构（P-MODE-2）")
    filing_number: str
    filed_on: dt.date
    classes: list[PublicClassOut]
    monthly_fee_yuan: int | None = Field(..., description="月收费（元，整数）")
    credit_rating: str | None = Field(..., description="信用等级；监管模块上线前为 null")
    last_inspection: InspectionOut | None = Field(
        ..., description="最近一次检查 {date, result}；监管模块上线前为 null"
    )


class PublicInstitutionPageOut(Schema):
    count: int = Field(..., description="符合条件的机构总数")
    results: list[PublicInstitutionOut]


@router.get(
    "/institutions",
    auth=None,
    response={200: PublicInstitutionPageOut, 422: Problem},
    summary="已备案托育机构公开查询",
    description=(
        "无需令牌。只列出备案有效（已备案、未注销）的托育机构，不含任何个人信息。"
        f"每页 {selectors.PAGE_SIZE} 条，按机构名称排序；超出末页返回空 results。"
        "age_months 按现行《托育机构设置标准》的班型年龄段（含下限、不含上限）筛选；"
        "vacancies 目前等于核定人数（在托儿童数据上线后为核定人数减在托人数）；"
        "credit_rating、last_inspection 在监管模块上线前为 null。"
        "参数无效时返回 422（problem+json，含 field 与 code），如 unknown_region。"
    ),
    operation_id="public_institutions_list",
)
def public_institutions_list(request, filters: Query[PublicInstitutionQuery]):
    page = public_search.public_page(
        q=filters.q,
        township=filters.township,
        affordable=filters.affordable,
        age_months=filters.age_months,
        page=filters.page,
    )
    # [scale] #10: the body is built here in the schema's shape and rendered as is (ninja's
    # JSON renderer, the bytes and content type it would send): validating 20 rows of plain
    # values against the schema again cost more than the search itself.
    # `test_public_api` holds every answer to `PublicInstitutionPageOut`.
    content = RENDERER.render(request, page_body(page), response_status=200)
    return HttpResponse(content, content_type=f"{RENDERER.media_type}; charset={RENDERER.charset}")


def _inspection(value: dict | None) -> dict | None:
    """Only the contract's two fields of a provider's last inspection."""
    if value is None:
        return None
    day = value["date"]
    return {"date": day if isinstance(day, str) else day.isoformat(), "result": value["result"]}


def page_body(page: selectors.PublicPage) -> dict:
    """A page as `PublicInstitutionPageOut` (plain values, in the schema's field order; dates
    as the ISO strings the encoder would write, so no value goes through its fallback)."""
    return {
        "count": page.count,
        "results": [
            {
                "id": r.id,
                "name": r.name,
                "uscc": r.uscc,
                "township": {"code": r.township["code"], "name": r.township["name"]},
                "address": r.address,
                "affordable": r.affordable,
                "filing_number": r.filing_number,
                "filed_on": r.filed_on.isoformat(),
                "classes": [
                    {"class_type": c.class_type, "capacity": c.capacity, "vacancies": c.vacancies}
                    for c in r.classes
                ],
                "monthly_fee_yuan": r.monthly_fee_yuan,
                "credit_rating": r.credit_rating,
                "last_inspection": _inspection(r.last_inspection),
            }
            for r in page.results
        ],
    }
