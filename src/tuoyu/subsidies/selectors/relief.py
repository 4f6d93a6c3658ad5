"""The relief lists (P-TAX-1, P-TAX-2): the community care institutions that qualify on a
day, with the reliefs each qualifies for — for 区税务局 (tax) and, through 区发改局, for the
electricity, water and gas companies (residential rates).

Qualifies on day d: filed on or before d and the filing not cancelled on d
(`filed_on <= d < filing_cancelled_on`), and operating as community care
(`COMMUNITY_CARE_MODES`). Judged on the recorded dates, not on today's filing status, so a
list of any past day is what held on that day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tuoyu import policy
from tuoyu.core.errors import NotFound
from tuoyu.institutions.models import Institution
from tuoyu.institutions.models.institution import OperatingMode
from tuoyu.regions.models import Region
from tuoyu.regions.selectors import jurisdiction_code

PERMISSION = "subsidies.relief_lists"


# P-TAX-1 names "community care institutions" (社区托育服务机构). Decision (platform, to be
# confirmed by 区税务局): the modes that serve families in the community count —
# 社区统筹, 社会兴办, 公办民营, 民办公助 and 家庭托育点 (家庭照护: a care point in a residential
# community). Not counted: 幼儿园办托班 (a kindergarten's class follows the kindergarten
# policy, as P-SUB-1 excludes it) and 单位自建 (care an employer provides for its staff is
# the staff-welfare deduction of P-TAX-3, not community care); an institution whose mode is
# not recorded is not listed. The list is policy data (`tax.community_care_modes`), so a
# district whose tax bureau reads it differently changes data, not code.
def community_care_modes(day: dt.date) -> list[OperatingMode]:
    """The modes that count as community care on `day` (policy data, P-TAX-1)."""
    return [OperatingMode(m) for m in policy.at(day).tax.community_care_modes]


@dataclass(frozen=True)
class Relief:
    code: str
    label: str
    ref: str  # the rule id


# P-TAX-1 and P-TAX-2, in the order of the policy text. Every qualifying institution
# qualifies for each: the platform records nothing (ownership of the premises, the fees a
# project owes) that would take one away, so the list says what the rule grants and the
# tax office applies it to the facts it holds.
TAX_RELIEFS = (
    Relief("vat_exempt", _("提供社区托育服务取得的收入免征增值税"), "P-TAX-1"),
    Relief("income_share", _("托育服务收入减按规定比例计入收入总额"), "P-TAX-1"),
    Relief("property_tax", _("用于提供托育服务的房产免征房产税"), "P-TAX-1"),
    Relief("land_use_tax", _("用于提供托育服务的土地免征城镇土地使用税"), "P-TAX-1"),
    Relief("deed_tax", _("承受房屋、土地用于提供托育服务的免征契税"), "P-TAX-1"),
)
FEE_RELIEFS = (
    Relief("fee_infrastructure", _("城市基础设施配套费"), "P-TAX-1"),
    Relief("fee_air_defence", _("人防易地建设费"), "P-TAX-1"),
    Relief("fee_registration", _("不动产登记费"), "P-TAX-1"),
    Relief("fee_farmland", _("耕地开垦费"), "P-TAX-1"),
    Relief("fee_land_reclamation", _("土地复垦费"), "P-TAX-1"),
    Relief("fee_idle_land", _("土地闲置费"), "P-TAX-1"),
)
UTILITY_RELIEFS = (
    Relief("electricity", _("用电执行居民生活类价格"), "P-TAX-2"),
    Relief("water", _("用水执行居民生活类价格"), "P-TAX-2"),
    Relief("gas", _("用气执行居民生活类价格"), "P-TAX-2"),
)


@dataclass(frozen=True)
class ReliefTerms:
    """What every qualifying institution is granted on the day, from policy data."""

    day: dt.date
    care_income_counted_share: Decimal  # P-TAX-1 (0.9: 90 % counted)

    @property
    def share_percent(self) -> str:
        return f"{(self.care_income_counted_share * 100).normalize():f}%"

    def tax_relief_words(self) -> list[str]:
        words = []
        for relief in TAX_RELIEFS:
            text = str(relief.label)
            if relief.code == "income_share":
                text = f"{text}（{self.share_percent}）"
            words.append(text)
        fees = "、".join(str(r.label) for r in FEE_RELIEFS)
        words.append(f"{_('免收')}{fees}")
        return words

    def utility_relief_words(self) -> list[str]:
        return [str(r.label) for r in UTILITY_RELIEFS]


def relief_terms(day: dt.date) -> ReliefTerms:
    return ReliefTerms(
        day=day, care_income_counted_share=policy.at(day).tax.care_income_counted_share
    )


def may_receive_relief_lists(user) -> bool:
    return bool(user and user.has_perm(PERMISSION))


def qualifying_institutions(*, acting_user, day: dt.date, township: str = "") -> QuerySet:
    """P-TAX-1/2: the community care institutions filed and not cancelled on `day`, in
    `township` (a code) if given, by township and name. NotFound without
    `subsidies.relief_lists` (区税务局, 区财政局, 区卫健局, 区发改局)."""
    if not may_receive_relief_lists(acting_user):
        raise NotFound()
    qs = Institution.objects.filter(
        Q(filing_cancelled_on__isnull=True) | Q(filing_cancelled_on__gt=day),
        filed_on__lte=day,
        filing_number__isnull=False,
        operating_mode__in=community_care_modes(day),
    )
    if township:
        qs = qs.filter(township__code=township)
    return qs.select_related("township").order_by("township__code", "name", "pk")


def relief_townships(*, acting_user) -> list[tuple[str, str]]:
    """(code, name) of the district's townships for the filter."""
    if not may_receive_relief_lists(acting_user):
        return []
    return sorted(
        Region.objects.filter(level=Region.Level.TOWNSHIP, code__startswith=jurisdiction_code())
        .order_by()
        .values_list("code", "name")
    )


def premises_words(inst: Institution) -> str:
    """The filed premises for the utility companies: address and areas."""
    parts = [inst.address or ""]
    if inst.indoor_area_m2 is not None:
        parts.append(f"{_('室内')}{inst.indoor_area_m2.normalize():f}㎡")
    if inst.outdoor_area_m2 is not None:
        parts.append(f"{_('室外')}{inst.outdoor_area_m2.normalize():f}㎡")
    return "，".join(p for p in parts if p)
