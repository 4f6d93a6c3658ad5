"""The platform's name comes from the district it serves (P-REG-2: data, not code)."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.utils.translation import gettext as _


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
        return {"platform_name": _("托育服务监管平台"), "authority_name": _("卫生健康局")}
    district, city = names
    # The place names are data and stay as they are; the words around them are translated.
    return {
        "platform_name": _("%(district)s托育服务监管平台") % {"district": district},
        "authority_name": _("%(city)s%(district)s卫生健康局")
        % {"city": city, "district": district},
    }
