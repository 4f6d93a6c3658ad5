"""Reads for regions, each with the acting user's scope applied (accounts.scopes).

Which regions a user sees on the pages: the district this platform serves
(settings.TUOYU_DISTRICT_CODE) and everything below it for district department users; its own
township and the villages below it for a township user; nothing for anyone else.

District figures: a district has its own statistics row when the maternal and child health
system reports one (imported). Where it has none for a year, `region_statistics_for_year`
and `region_statistics_history` derive it by summing the township rows of that year and
say so (`derived=True`, with how many townships reported).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from tuoyu.core.errors import NotFound
from tuoyu.core.scope import scope_of
from tuoyu.regions.models import STAT_FIELDS, Region, RegionYearStatistic
from tuoyu.regions.scopes import regions_in_scope

AGGREGATE_LEVELS = (Region.Level.PROVINCE, Region.Level.CITY, Region.Level.DISTRICT)


def _percent(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "—"


@dataclass(frozen=True)
class Figures:
    """The yearly figures of one region, from its own row or summed over its townships."""

    region: Region
    year: int
    resident_population: int
    births: int
    children_age_0: int
    children_age_1: int
    children_age_2: int
    hm_children_due: int
    hm_children_managed: int
    hm_children_systematic: int
    source: str = ""
    imported_at: dt.datetime | None = None
    derived: bool = False
    townships_reporting: int | None = None
    townships_total: int | None = None

    @classmethod
    def of(cls, stat: RegionYearStatistic, region: Region | None = None) -> Figures:
        return cls(
            region=region or stat.region,
            year=stat.year,
            source=stat.source,
            imported_at=stat.imported_at,
            **{f: getattr(stat, f) for f in STAT_FIELDS},
        )

    @property
    def children_under_3(self) -> int:
        return self.children_age_0 + self.children_age_1 + self.children_age_2

    @property
    def health_management_rate(self) -> Fraction | None:
        """P-NAT-3: children with ≥ 1 health follow-up / children who should be managed."""
        if not self.hm_children_due:
            return None
        return Fraction(self.hm_children_managed, self.hm_children_due)

    @property
    def systematic_management_rate(self) -> Fraction | None:
        if not self.hm_children_due:
            return None
        return Fraction(self.hm_children_systematic, self.hm_children_due)

    @property
    def health_management_percent(self) -> str:
        return _percent(self.hm_children_managed, self.hm_children_due)

    @property
    def systematic_management_percent(self) -> str:
        return _percent(self.hm_children_systematic, self.hm_children_due)

    @property
    def is_partial(self) -> bool:
        return self.derived and self.townships_reporting != self.townships_total


# --- the tree --------------------------------------------------------------------------------


def jurisdiction_code() -> str:
    return settings.TUOYU_DISTRICT_CODE


def regions_visible(*, acting_user) -> QuerySet[Region]:
    """The regions of the district this platform serves that the user may look at."""
    qs = Region.objects.filter(code__startswith=jurisdiction_code())
    return regions_in_scope(qs, scope_of(acting_user), code_field="code")


def region_get(*, acting_user, code: str) -> Region:
    """A visible region by code; NotFound alike for unknown codes and for those out of scope."""
    region = regions_visible(acting_user=acting_user).filter(code=code).first()
    if region is None:
        raise NotFound("区划不存在或不在当前账号的管辖范围内")
    return region


def region_district(*, acting_user) -> Region | None:
    """The district this platform serves, if the user sees it whole (department users)."""
    return (
        regions_visible(acting_user=acting_user)
        .filter(code=jurisdiction_code(), level=Region.Level.DISTRICT)
        .first()
    )


def _with_village_counts(qs: QuerySet[Region]) -> QuerySet[Region]:
    village = Q(children__level=Region.Level.VILLAGE)
    community = Q(children__name__contains="社区") | Q(children__name__contains="居委会")
    return qs.annotate(
        village_count=Count("children", filter=village & ~community),
        community_count=Count("children", filter=village & community),
    )


def regions_townships(*, acting_user) -> QuerySet[Region]:
    """Visible townships, each annotated with `village_count` (村) and `community_count`
    (社区/居委会) of the villages below it."""
    qs = regions_visible(acting_user=acting_user).filter(level=Region.Level.TOWNSHIP)
    return _with_village_counts(qs).order_by("code")


def regions_for_statistics_import(*, acting_user) -> QuerySet[Region]:
    """The townships of the district, for users who may import statistics (区卫健局 and
    platform operators, whose scope otherwise shows no domain data); nothing for others."""
    if acting_user is None or not acting_user.has_perm("regions.import_statistics"):
        return Region.objects.none()
    return Region.objects.filter(
        code__startswith=jurisdiction_code(), level=Region.Level.TOWNSHIP
    ).order_by("code")


def region_villages(*, acting_user, code: str) -> QuerySet[Region]:
    """The villages and communities directly below a visible region, by code."""
    region = region_get(acting_user=acting_user, code=code)
    return (
        regions_visible(acting_user=acting_user)
        .filter(parent=region, level=Region.Level.VILLAGE)
        .order_by("code")
    )


def region_children(*, acting_user, region: Region) -> QuerySet[Region]:
    return (
        _with_village_counts(regions_visible(acting_user=acting_user).filter(parent=region))
        .exclude(level=Region.Level.VILLAGE)
        .order_by("code")
    )


def regions_for_api(*, acting_user, level: str | None = None, parent: str | None = None):
    """The loaded division tree as [{"code", "name", "level", "parent_code"}] in one query.

    The tree is reference data: every authenticated caller gets all of it (registration
    authorities must name a township code listed here, API-CONTRACT §1)."""
    if acting_user is None or not getattr(acting_user, "is_authenticated", False):
        return []
    qs = Region.objects.all()
    if level:
        qs = qs.filter(level=level)
    if parent:
        qs = qs.filter(parent__code=parent)
    return list(qs.order_by("code").values("code", "name", "level", parent_code=F("parent__code")))


# --- statistics ------------------------------------------------------------------------------


def _sums():
    return {f: Sum(f) for f in STAT_FIELDS}


def _derived(region: Region, year: int, sums: dict, reporting: int, total: int) -> Figures:
    return Figures(
        region=region,
        year=year,
        derived=True,
        townships_reporting=reporting,
        townships_total=total,
        source="由各镇乡街道数据汇总",
        **{f: sums[f] or 0 for f in STAT_FIELDS},
    )


def _townships_below(region: Region) -> QuerySet[Region]:
    return Region.objects.filter(code__startswith=region.code, level=Region.Level.TOWNSHIP)


def region_statistics_years(*, acting_user) -> list[int]:
    """Years for which any visible region has statistics, newest first."""
    visible = regions_visible(acting_user=acting_user)
    return list(
        RegionYearStatistic.objects.filter(region__in=visible)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def region_statistics_for_year(*, acting_user, code: str, year: int) -> Figures | None:
    """The figures of a visible region for a year: its own row if there is one; otherwise,
    for a district (or city, province), the sum of its townships' rows for that year
    (`derived=True`, `townships_reporting` of `townships_total`); None when there is
    nothing to show."""
    region = region_get(acting_user=acting_user, code=code)
    stat = RegionYearStatistic.objects.filter(region=region, year=year).first()
    if stat is not None:
        return Figures.of(stat, region)
    if region.level not in AGGREGATE_LEVELS:
        return None
    rows = RegionYearStatistic.objects.filter(
        region__code__startswith=region.code, region__level=Region.Level.TOWNSHIP, year=year
    )
    sums = rows.aggregate(reporting=Count("id"), **_sums())
    if not sums["reporting"]:
        return None
    return _derived(region, year, sums, sums["reporting"], _townships_below(region).count())


def region_statistics_history(*, acting_user, code: str) -> list[Figures]:
    """Every year's figures of a visible region, newest first, by the same rule as
    `region_statistics_for_year` (own row, else for districts the townships' sum)."""
    region = region_get(acting_user=acting_user, code=code)
    own = {
        s.year: Figures.of(s, region)
        for s in RegionYearStatistic.objects.filter(region=region).order_by("-year")
    }
    if region.level in AGGREGATE_LEVELS:
        per_year = (
            RegionYearStatistic.objects.filter(
                region__code__startswith=region.code, region__level=Region.Level.TOWNSHIP
            )
            .values("year")
            .annotate(reporting=Count("id"), **_sums())
            .order_by()
        )
        per_year = [row for row in per_year if row["year"] not in own]
        if per_year:
            total = _townships_below(region).count()
            for row in per_year:
                own[row["year"]] = _derived(region, row["year"], row, row["reporting"], total)
    return [own[year] for year in sorted(own, reverse=True)]


@dataclass(frozen=True)
class TownshipRow:
    region: Region
    village_count: int
    community_count: int
    figures: Figures | None

    @property
    def settlement_count(self) -> int:
        return self.village_count + self.community_count


@dataclass(frozen=True)
class Overview:
    """The regions page: the district (department users only), its townships with their
    village counts and the chosen year's figures, and the district total."""

    year: int
    years: list[int]
    district: Region | None
    townships: list[TownshipRow]
    district_figures: Figures | None


def region_overview(*, acting_user, year: int | None = None) -> Overview:
    years = region_statistics_years(acting_user=acting_user)
    if year is None:
        year = years[0] if years else timezone.localdate().year
    townships = list(regions_townships(acting_user=acting_user))
    stats = {
        s.region_id: s
        for s in RegionYearStatistic.objects.filter(region__in=[t.pk for t in townships], year=year)
    }
    rows = [
        TownshipRow(
            region=t,
            village_count=t.village_count,
            community_count=t.community_count,
            figures=Figures.of(stats[t.pk], t) if t.pk in stats else None,
        )
        for t in townships
    ]
    district = region_district(acting_user=acting_user)
    district_figures = None
    if district is not None:
        district_figures = region_statistics_for_year(
            acting_user=acting_user, code=district.code, year=year
        )
    return Overview(
        year=year,
        years=years,
        district=district,
        townships=rows,
        district_figures=district_figures,
    )


# --- the working-day calendar (P-FIL-2) --------------------------------------------------------


@dataclass(frozen=True)
class CalendarYear:
    """One year of the working-day calendar: where its rules come from (a district-entered
    notice overrides the package) and how many days off and make-up working days it has."""

    year: int
    source: str  # "notice" | "package" | "" (not covered)
    notice: object | None
    holidays: int
    makeup_workdays: int


def holiday_calendar_years(*, today: dt.date) -> list[CalendarYear]:
    """Every year the calendar covers — the package's years and the entered notices — and
    the coming year when nothing covers it yet, newest first (one query)."""
    from tuoyu.regions import workdays
    from tuoyu.regions.models import HolidayNotice

    notices = {n.year: n for n in HolidayNotice.objects.all()}
    years = set(workdays.package_years(today.year + 1)) | set(notices) | {today.year + 1}
    rows = []
    for year in sorted(years, reverse=True):
        notice = notices.get(year)
        if notice is not None:
            rows.append(
                CalendarYear(
                    year, "notice", notice, len(notice.holidays), len(notice.makeup_workdays)
                )
            )
            continue
        rules = workdays.package_year(year)
        if rules is None:
            rows.append(CalendarYear(year, "", None, 0, 0))
        else:
            rows.append(
                CalendarYear(year, "package", None, len(rules.holidays), len(rules.makeup_workdays))
            )
    return rows


def holiday_notice_get(*, year: int):
    from tuoyu.regions.models import HolidayNotice

    return HolidayNotice.objects.filter(year=year).first()
