"""Money (API-CONTRACT §5, P-SUB-*). The router is mounted at the API root, so the paths are
written in full.

`GET /api/v1/institutions/{uscc}/subsidy-entitlement?year=YYYY` (区卫健局, 区财政局): an
institution's entitlement for a year, item by item. Amounts are JSON numbers in yuan rounded
to the fen (as `monthly_fee_yuan` is a number elsewhere in the contract); `quantity` is a
number too (slot-years to four decimals for P-SUB-2, 1 for a class or an award)."""

from __future__ import annotations

from ninja import Field, Query, Router, Schema

from tuoyu.accounts.rules import is_health_bureau
from tuoyu.core.api_schemas import Problem
from tuoyu.core.errors import NotFound, OutOfScope
from tuoyu.core.scope import scope_of
from tuoyu.institutions.models import Institution
from tuoyu.institutions.scopes import institutions_visible
from tuoyu.subsidies.entitlements import entitlement_for
from tuoyu.subsidies.rules import is_finance_bureau

router = Router()


class EntitlementQuery(Schema):
    year: int = Field(..., ge=1900, le=9999, description="补助年度，如 2024")


class EntitlementItemOut(Schema):
    policy_ref: str = Field(..., examples=["P-SUB-2"])
    description: str
    quantity: float
    unit_amount_yuan: float
    amount_yuan: float


class EntitlementOut(Schema):
    year: int
    items: list[EntitlementItemOut]
    total_yuan: float


@router.get(
    "/institutions/{uscc}/subsidy-entitlement",
    response={200: EntitlementOut, 403: Problem, 404: Problem, 422: Problem},
    summary="机构年度应享补助",
    description=(
        "区卫健局、区财政局查询机构某年度应享的各项补助（P-SUB-1 新增班级、P-SUB-2 普惠运营、"
        "P-SUB-3/P-V2023-1 示范奖励），逐项列出政策条款、数量、单价与金额（元，精确到分）。"
        "其他部门的令牌 → 403；未知机构 → 404；早于政策施行的年度 → 422 year_out_of_range；"
        "尚未开始的年度 → 422 year_not_started。"
    ),
    operation_id="subsidy_entitlement_get",
)
def subsidy_entitlement_get(request, uscc: str, query: Query[EntitlementQuery]):
    user = request.auth
    if not (is_health_bureau(user) or is_finance_bureau(user)):
        raise OutOfScope("应享补助由区卫健局、区财政局查询")
    institution = (
        institutions_visible(Institution.objects.all(), scope_of(user))
        .filter(uscc=(uscc or "").upper())
        .first()
    )
    if institution is None:
        raise NotFound()
    ent = entitlement_for(institution=institution, year=query.year)
    return 200, {
        "year": ent.year,
        "items": [
            {
                "policy_ref": i.policy_ref,
                "description": i.description,
                "quantity": float(i.quantity),
                "unit_amount_yuan": float(i.unit_amount_yuan),
                "amount_yuan": float(i.amount_yuan),
            }
            for i in ent.items
        ],
        "total_yuan": float(ent.total_yuan),
    }
