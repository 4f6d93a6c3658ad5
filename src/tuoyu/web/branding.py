"""The platform's name comes from the district it serves (P-REG-2: data, not code)."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=4)
def _names(district_code: str) -> tuple[str, str] | None:
    from tuoyu.regions.models import Region

    district = Region.objects.filter(code=district_code).select_related("parent").first()
    if district is None:
        return None
    city = district.parent.name if district.parent_id and district.parent.name != "市辖区" else ""
    return district.name, city


def branding() -> dict:
    names = _names(settings.TUOYU_DISTRICT_CODE)
    if names is None:
        # Before the region tree is loaded: a neutral name; nothing is cached.
        _names.cache_clear()
        return {"platform_name": "托育服务监管平台", "authority_name": "卫生健康局"}
    district, city = names
    return {
        "platform_name": f"{district}托育服务监管平台",
        "authority_name": f"{city}{district}卫生健康局",
    }
