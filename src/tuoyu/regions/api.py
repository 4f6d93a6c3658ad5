"""GET /api/v1/regions (API-CONTRACT §1): the region tree."""

from __future__ import annotations

from ninja import Field, Router, Schema

from tuoyu.regions import selectors
from tuoyu.regions.models import Region

router = Router()


class RegionOut(Schema):
    code: str = Field(..., description="统计用区划代码", examples=["330703001"])
    name: str = Field(..., examples=["多湖街道"])
    level: Region.Level = Field(..., description="province/city/district/township/village")
    parent_code: str | None = Field(None, description="上级区划代码；省级为 null")


@router.get(
    "",
    response=list[RegionOut],
    summary="区划树",
    description=(
        "已加载的全部行政区划（省、市、区县、镇乡街道、村社区），按代码排序。"
        "可选过滤：level=层级，parent=上级区划代码（只列其直接下级）。"
    ),
    operation_id="regions_list",
)
def regions_list(request, level: Region.Level | None = None, parent: str | None = None):
    return selectors.regions_for_api(acting_user=request.auth, level=level, parent=parent)
