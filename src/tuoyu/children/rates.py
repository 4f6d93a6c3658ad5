"""Rates with their numerator, denominator and the children behind them (P-NAT-3, P-TGT-12).

- In-care health management rate (P-NAT-3): of the children in care at any time in the year
  (the children the institutions should manage), those with ≥ 1 examination in the year
  (`any_followup`), and the stricter systematic rate counting only children examined at the
  full 4-2-2 frequency for the months they were in care (4 a year under 1, 2 a year from 1;
  policy `health.exams_per_year_*`). Policy `indicators.health_management_definition`
  says which one the district target uses; both are shown.
- Enrolment rate (P-TGT-12, 婴幼儿入托率) per township: children in care on a day in the
  township's institutions / children under 3 resident (the township's imported yearly
  statistics, regions' `RegionYearStatistic`: ages 0, 1 and 2).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Count, Q

from tuoyu import policy
from tuoyu.children.models import Child
from tuoyu.children.scopes import children_visible
from tuoyu.children.services.enrolment import age_in_months
from tuoyu.core.scope import scope_of
from tuoyu.regions.models import Region, RegionYearStatistic


@dataclass
class Rate:
    key: str
    policy_ref: str
    numerator: int
    denominator: int
    children: list = field(default_factory=list)  # (child, counted: bool)

    @property
    def value(self) -> float | None:
        return float(Fraction(self.numerator, self.denominator)) if self.denominator else None

    @property
    def percent(self) -> str:
        return "—" if self.value is None else f"{self.value * 100:.1f}%"


def _in_care_during(qs, start: dt.date, end: dt.date):
    return qs.filter(enrolled_on__lte=end).exclude(left_on__lt=start)


def _expected_exams(child: Child, start: dt.date, end: dt.date, h) -> int:
    """4-2-2 for the months of the year the child was in care (rounded up)."""
    first = max(start, child.enrolled_on)
    last = min(end, child.left_on or end)
    months = max(1, (last.year - first.year) * 12 + last.month - first.month + 1)
    per_year = (
        h.exams_per_year_under_1
        if age_in_months(child.birth_date, first) < 12
        else (h.exams_per_year_1_to_3)
    )
    return math.ceil(per_year * months / 12)


def health_management_rates(
    *, acting_user, year: int, township_id: int | None = None, with_children: bool = False
) -> tuple[Rate, Rate, str]:
    """(any follow-up, systematic 4-2-2, the definition the target uses) for the children in
    care the caller sees in `year` (optionally one township)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    qs = children_visible(Child.objects.all(), scope_of(acting_user))
    if township_id is not None:
        qs = qs.filter(institution__township_id=township_id)
    qs = _in_care_during(qs, start, end).annotate(
        exams=Count("examinations", filter=Q(examinations__examined_on__range=(start, end)))
    )
    h = policy.at(end).health
    definition = policy.at(end).indicators.health_management_definition
    anyf = Rate("health_management_any_followup", "P-NAT-3", 0, 0)
    syst = Rate("health_management_systematic", "P-NAT-3", 0, 0)
    for child in qs.select_related("institution", "care_class").iterator(chunk_size=2000):
        managed = child.exams >= 1
        systematic = child.exams >= _expected_exams(child, start, end, h)
        for rate, counted in ((anyf, managed), (syst, systematic)):
            rate.denominator += 1
            rate.numerator += counted
            if with_children:
                rate.children.append((child, counted))
    return anyf, syst, definition


@dataclass
class TownshipEnrolment:
    township: Region
    in_care: int
    under_3: int | None
    statistics_year: int | None

    @property
    def rate(self) -> Rate:
        return Rate("enrolment_rate", "P-TGT-12", self.in_care, self.under_3 or 0)


def townships_visible(*, acting_user):
    """The townships whose rates the caller sees: a township its own, 区卫健局 all."""
    scope = scope_of(acting_user)
    townships = Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("code")
    if scope.is_township:
        return townships.filter(pk=scope.township_id)
    return townships if scope.is_health_bureau else townships.none()


def enrolment_rates(*, acting_user, on: dt.date) -> list[TownshipEnrolment]:
    """Per township the caller sees: children in care on `on` / children under 3 resident
    (the latest imported statistics of a year not after `on`'s)."""
    scope = scope_of(acting_user)
    townships = townships_visible(acting_user=acting_user)
    counts = dict(
        _in_care_during(children_visible(Child.objects.all(), scope), on, on)
        .values("institution__township_id")
        .annotate(n=Count("id"))
        .values_list("institution__township_id", "n")
    )
    stats = {}
    for s in RegionYearStatistic.objects.filter(region__in=townships, year__lte=on.year).order_by(
        "region_id", "year"
    ):
        stats[s.region_id] = s  # the latest year wins
    out = []
    for t in townships:
        s = stats.get(t.pk)
        under_3 = s.children_age_0 + s.children_age_1 + s.children_age_2 if s else None
        out.append(TownshipEnrolment(t, counts.get(t.pk, 0), under_3, s.year if s else None))
    return out
