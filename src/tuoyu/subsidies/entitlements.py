"""What an institution is entitled to for a year, item by item (P-SUB-1..3, P-V2023-1,
API-CONTRACT §5), computed from the records — never stored.

The shape below is the contract between the parts of this app: claims snapshot
`EntitlementItem`s into `ClaimItem`s under their `key`; the ledger's unique constraint is on
that key. A key names *what* is paid, so it is stable however often the entitlement is
recomputed:

- ``{institution_id}/P-SUB-1/class/{class_id}`` — the new-class subsidy of one class;
- ``{institution_id}/P-SUB-2/{year}/{segment_start}`` — the operating subsidy of one year's
  stretch under one policy version (a year spanning two versions has two items);
- ``{institution_id}/P-SUB-3/{level}`` — a demonstration award (under "highest level, pay the
  difference" the key is still per level: the level reached pays its difference once).

Every amount comes from policy data (`tuoyu.policy`), every item names the version it used.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext as _

from tuoyu import policy
from tuoyu.core import clock
from tuoyu.core.errors import DomainError
from tuoyu.regions.catalogue import RegionsError
from tuoyu.subsidies.catalogue import SubsidyError


@dataclass(frozen=True)
class EntitlementItem:
    key: str
    policy_ref: str  # the rule id, e.g. "P-SUB-2" or "P-V2023-1"
    policy_version: str  # the version id in force, e.g. "V2020-36"
    description: str  # in words for people (Chinese)
    quantity: Decimal
    unit_amount_yuan: Decimal
    amount_yuan: Decimal  # rounded to the fen
    basis: dict = field(default_factory=dict)  # the dates and figures behind it (ISO dates)


@dataclass(frozen=True)
class Entitlement:
    institution_id: int
    year: int
    items: tuple[EntitlementItem, ...]

    @property
    def total_yuan(self) -> Decimal:
        return sum((i.amount_yuan for i in self.items), Decimal("0.00"))

    def item(self, key: str) -> EntitlementItem | None:
        return next((i for i in self.items if i.key == key), None)


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


# --- computation ---------------------------------------------------------------------------
#
# Conventions (read from the records, documented here once):
# - an institution is filed on the days filed_on ≤ d < filing_cancelled_on: on the day the
#   filing is cancelled it is no longer filed, as its classes close that day (closed_on) —
#   the one convention of this app (the claim review's `filed_on_dates` and the relief
#   lists read it the same way);
# - a class counts (its capacity are slots) on the days filed_on ≤ d < closed_on (closed on
#   closed_on); a proposed class never counts;
# - affordable (普惠, P-MODE-2) on the days starts_on ≤ d ≤ ends_on (open-ended when null;
#   a designation ended before it started covers no day), as
#   `tuoyu.institutions.selectors.affordable` reads it.

ONE_DAY = dt.timedelta(days=1)
FEN = Decimal("0.01")
LEVEL_RANK = {"municipal": 1, "provincial": 2, "national": 3}
LEVEL_WORDS = {
    "municipal": "市级示范托育机构",
    "provincial": "省级示范托育机构",
    "national": "全国示范托育机构",
    "comprehensive_centre": "综合托育服务中心",
}
KINDERGARTEN_CLASS = "kindergarten_class"


@dataclass(frozen=True)
class ClassRecord:
    id: int
    capacity: int
    filed_on: dt.date
    closed_on: dt.date | None = None


@dataclass(frozen=True)
class TitleRecord:
    id: int
    level: str
    conferred_on: dt.date


@dataclass(frozen=True)
class History:
    """What the entitlement of one institution is computed from (plain data, no ORM)."""

    institution_id: int
    filed_on: dt.date | None
    cancelled_on: dt.date | None = None
    operating_mode: str = ""
    classes: tuple[ClassRecord, ...] = ()
    designations: tuple[tuple[dt.date, dt.date | None], ...] = ()
    titles: tuple[TitleRecord, ...] = ()

    def filed(self, day: dt.date) -> bool:
        return (
            self.filed_on is not None
            and self.filed_on <= day
            and (self.cancelled_on is None or day < self.cancelled_on)
        )

    def affordable(self, day: dt.date) -> bool:
        return any(s <= day and (e is None or day <= e) for s, e in self.designations)

    def slots(self, day: dt.date) -> int:
        return sum(
            c.capacity
            for c in self.classes
            if c.filed_on <= day and (c.closed_on is None or day < c.closed_on)
        )

    def change_days(self) -> set[dt.date]:
        """Every day on which filed, affordable or slots may change."""
        days: set[dt.date] = set()
        if self.filed_on:
            days.add(self.filed_on)
        if self.cancelled_on:
            days.add(self.cancelled_on)
        for s, e in self.designations:
            days.add(s)
            if e is not None:
                days.add(e + ONE_DAY)
        for c in self.classes:
            days.add(c.filed_on)
            if c.closed_on:
                days.add(c.closed_on)
        return days


@dataclass(frozen=True)
class Segment:
    """A stretch of a year under one set of subsidy versions (P-V2023-1 splits a year)."""

    start: dt.date
    end: dt.date
    subsidy: object  # tuoyu.policy.schema.SubsidyPolicy
    version_ids: tuple[str, ...]


def round_fen(value) -> Decimal:
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def allocate(exact: list[Fraction]) -> list[Decimal]:
    """Amounts to the fen whose sum is the rounded (half up) sum of `exact`: each floored to
    the fen, the fen left over given to the largest remainders (earliest first on a tie), so
    splitting a year never changes its total."""
    total_fen = int(round_fen(sum(exact, Fraction(0))) * 100)
    scaled = [x * 100 for x in exact]
    floors = [int(s.numerator // s.denominator) for s in scaled]
    left = total_fen - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(scaled[i] - floors[i]), i))
    for i in order[: max(left, 0)]:
        floors[i] += 1
    return [Decimal(f) / 100 for f in floors]


def check_year(year: int) -> None:
    """P-SUB-1..3 apply from the policy's first day to this year."""
    first = policy.get_book().first_day.year
    this = clock.today().year
    if year > this:
        raise DomainError(
            SubsidyError.YEAR_NOT_STARTED,
            _("%(year)s 年尚未开始（今年是 %(this)s 年）") % {"year": year, "this": this},
            field="year",
        )
    if year < first:
        raise DomainError(
            RegionsError.YEAR_OUT_OF_RANGE,  # one code platform-wide for a year out of range
            _("补助政策自 %(first)s 起施行，%(year)s 年不在其内")
            % {"first": policy.get_book().first_day.isoformat(), "year": year},
            field="year",
        )


def _subsidy_version_ids(day: dt.date) -> tuple[str, ...]:
    return tuple(
        v.id for v in policy.versions_at(day) if any(k.startswith("subsidy.") for k in v.params)
    )


def year_segments(year: int) -> list[Segment]:
    """The stretches of `year` (from the policy's first day) with one set of versions setting
    subsidy parameters: 2023 splits at 2023-08-01 (V2023-1), 2026 at 2026-08-01 (V2023-1
    ends); a version that sets no subsidy parameter (V2021-VAC, V2023-HCP) splits nothing."""
    start, end = year_bounds(year)
    start = max(start, policy.get_book().first_day)
    out: list[Segment] = []
    for p in policy.periods(start, end):
        ids = _subsidy_version_ids(p.start)
        if out and out[-1].version_ids == ids:
            out[-1] = Segment(out[-1].start, p.end, out[-1].subsidy, ids)
        else:
            out.append(Segment(p.start, p.end, p.policy.subsidy, ids))
    return out


def _new_class_items(h: History, year: int) -> list[EntitlementItem]:
    """P-SUB-1: one item per class filed on or after `new_class_eligible_from`, in the year
    of its filing; ¥new_class_affordable_yuan if affordable on that day, else
    ¥new_class_other_yuan; a kindergarten's nursery class (幼儿园办托班) is excluded."""
    if h.operating_mode == KINDERGARTEN_CLASS:
        return []
    items = []
    for c in sorted(h.classes, key=lambda c: (c.filed_on, c.id)):
        if c.filed_on.year != year or c.filed_on < policy.get_book().first_day:
            continue
        sub = policy.at(c.filed_on).subsidy
        if c.filed_on < sub.new_class_eligible_from:
            continue
        affordable = h.affordable(c.filed_on)
        key = "subsidy.new_class_affordable_yuan" if affordable else "subsidy.new_class_other_yuan"
        meta = policy.ref(key, c.filed_on)
        unit = Decimal(policy.value(key, c.filed_on)).quantize(FEN)
        kind = "普惠性" if affordable else "非普惠性"
        items.append(
            EntitlementItem(
                key=f"{h.institution_id}/P-SUB-1/class/{c.id}",
                policy_ref=meta.ref,
                policy_version=meta.version,
                description=f"新增托育班级一次性建设补助（{kind}，{c.capacity} 个托位）",
                quantity=Decimal("1"),
                unit_amount_yuan=unit,
                amount_yuan=unit,
                basis={
                    "class_id": c.id,
                    "class_filed_on": c.filed_on.isoformat(),
                    "capacity": c.capacity,
                    "affordable_on_filing": affordable,
                    "eligible_from": sub.new_class_eligible_from.isoformat(),
                },
            )
        )
    return items


def _stretches(h: History, start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date, int]]:
    """The stretches of [start, end] on which `h` was filed and affordable, with the slots of
    each (constant on a stretch)."""
    cuts = sorted({start, *(d for d in h.change_days() if start < d <= end)})
    out: list[tuple[dt.date, dt.date, int]] = []
    for i, a in enumerate(cuts):
        b = cuts[i + 1] - ONE_DAY if i + 1 < len(cuts) else end
        if not (h.filed(a) and h.affordable(a)):
            continue
        slots = h.slots(a)
        if slots <= 0:
            continue
        if out and out[-1][2] == slots and out[-1][1] + ONE_DAY == a:
            out[-1] = (out[-1][0], b, slots)
        else:
            out.append((a, b, slots))
    return out


def operating_items(h: History, year: int, segments: list[Segment]) -> list[EntitlementItem]:
    """P-SUB-2: operating_per_slot_year_yuan × slots, prorated by the days of the year filed
    and affordable (slots as they changed), one item per version segment; the year's
    rounded total allocated across the segments (largest remainder)."""
    days_in_year = (dt.date(year, 12, 31) - dt.date(year, 1, 1)).days + 1
    found = []
    for seg in segments:
        stretches = _stretches(h, seg.start, seg.end)
        if not stretches:
            continue
        sub = seg.subsidy
        if sub.operating_basis != "filed_slots":
            raise DomainError(
                SubsidyError.OPERATING_BASIS_UNSUPPORTED,
                _("运营补助按在托人数计算，需要幼儿的入托历史，本平台尚不能计算"),
            )
        slot_days = sum(((b - a).days + 1) * s for a, b, s in stretches)
        rate = sub.operating_per_slot_year_yuan
        if not sub.operating_prorated_by_days:
            # not prorated: the slots of the segment's last affordable day for its share
            slot_days = stretches[-1][2] * ((seg.end - seg.start).days + 1)
        exact = Fraction(slot_days * rate, days_in_year)
        found.append((seg, stretches, slot_days, rate, exact))
    amounts = allocate([f[4] for f in found])
    items = []
    for (seg, stretches, slot_days, rate, _exact), amount in zip(found, amounts, strict=True):
        meta = policy.ref("subsidy.operating_per_slot_year_yuan", seg.start)
        quantity = (Decimal(slot_days) / Decimal(days_in_year)).quantize(Decimal("0.0001"))
        items.append(
            EntitlementItem(
                key=f"{h.institution_id}/P-SUB-2/{year}/{seg.start.isoformat()}",
                policy_ref=meta.ref,
                policy_version=meta.version,
                description=(
                    f"普惠性托育机构运营补助（{seg.start.isoformat()} 至 {seg.end.isoformat()}，"
                    "按备案托位数与既已备案又为普惠性的天数折算）"
                ),
                quantity=quantity,
                unit_amount_yuan=Decimal(rate).quantize(FEN),
                amount_yuan=amount,
                basis={
                    "segment_start": seg.start.isoformat(),
                    "segment_end": seg.end.isoformat(),
                    "versions_in_force": list(seg.version_ids),
                    "operating_basis": seg.subsidy.operating_basis,
                    "days_in_year": days_in_year,
                    "slot_days": slot_days,
                    "periods": [
                        {"start": a.isoformat(), "end": b.isoformat(), "slots": s}
                        for a, b, s in stretches
                    ],
                },
            )
        )
    return items


def _award(level: str, day: dt.date) -> tuple[int | None, object]:
    key = (
        "subsidy.comprehensive_centre_yuan"
        if level == "comprehensive_centre"
        else f"subsidy.demonstration_{level}_yuan"
    )
    return policy.value(key, day), policy.ref(key, day)


def demonstration_items(h: History, year: int) -> list[EntitlementItem]:
    """P-SUB-3 / P-V2023-1, under the version in force on each title's `conferred_on`:
    `each_level_once` pays each level its amount once; `highest_level_difference` pays the
    level's amount minus the highest level amount already reached by an earlier title
    (never negative: a lower title after a higher one pays nothing); the comprehensive
    centre award separately. An item falls in the year of `conferred_on`."""
    first = policy.get_book().first_day
    reached = 0  # the highest level amount reached so far (paid or due)
    reached_title = None
    items = []
    titles = sorted(h.titles, key=lambda t: (t.conferred_on, LEVEL_RANK.get(t.level, 9), t.id))
    for t in titles:
        if t.conferred_on < first:
            continue
        sub = policy.at(t.conferred_on).subsidy
        full, meta = _award(t.level, t.conferred_on)
        basis = {
            "title_id": t.id,
            "level": t.level,
            "conferred_on": t.conferred_on.isoformat(),
            "award_rule": sub.demonstration_award_rule,
        }
        if t.level == "comprehensive_centre":
            amount = full or 0
            description = f"{LEVEL_WORDS[t.level]}一次性奖补"
        else:
            level_amount = full or 0
            if sub.demonstration_award_rule == "highest_level_difference":
                amount = max(level_amount - reached, 0)
                basis["level_amount_yuan"] = level_amount
                basis["already_reached_yuan"] = reached
                if reached_title is not None:
                    basis["already_reached_title_id"] = reached_title
                description = (
                    f"{LEVEL_WORDS[t.level]}奖励（按最高级别，补足差额）"
                    if reached
                    else f"{LEVEL_WORDS[t.level]}一次性奖励"
                )
            else:
                amount = level_amount
                description = f"{LEVEL_WORDS[t.level]}一次性奖励"
            if level_amount > reached:
                reached, reached_title = level_amount, t.id
        if t.conferred_on.year != year or not amount or meta is None:
            continue
        unit = Decimal(amount).quantize(FEN)
        items.append(
            EntitlementItem(
                key=f"{h.institution_id}/P-SUB-3/{t.level}",
                policy_ref=meta.ref,
                policy_version=meta.version,
                description=description,
                quantity=Decimal("1"),
                unit_amount_yuan=unit,
                amount_yuan=unit,
                basis=basis,
            )
        )
    return items


def compute(h: History, year: int, segments: list[Segment] | None = None) -> Entitlement:
    """The entitlement of one history for one year (no query; `check_year` is the
    caller's)."""
    if segments is None:
        segments = year_segments(year)
    items = [
        *_new_class_items(h, year),
        *operating_items(h, year, segments),
        *demonstration_items(h, year),
    ]
    return Entitlement(institution_id=h.institution_id, year=year, items=tuple(items))


def histories_for_year(*, year: int, institution_ids=None) -> dict[int, History]:
    """The histories of every filed institution (or of `institution_ids`) as far as `year`
    needs them: four queries however many institutions."""
    from tuoyu.institutions.models import AffordableDesignation, CareClass, Institution
    from tuoyu.subsidies.models import DemonstrationTitle

    start, end = year_bounds(year)
    if institution_ids is None:
        institutions = Institution.objects.filter(filed_on__isnull=False)
        own = {"institution__filed_on__isnull": False}
    else:
        ids = list(institution_ids)
        institutions = Institution.objects.filter(pk__in=ids)
        own = {"institution_id__in": ids}
    rows = institutions.values_list("pk", "filed_on", "filing_cancelled_on", "operating_mode")
    classes: dict[int, list[ClassRecord]] = {}
    for pk, iid, cap, filed_on, closed_on in (
        CareClass.objects.filter(**own, filed_on__isnull=False, filed_on__lte=end)
        .exclude(status=CareClass.Status.PROPOSED)
        .exclude(closed_on__lt=start)
        .values_list("pk", "institution_id", "capacity", "filed_on", "closed_on")
        .order_by()
    ):
        classes.setdefault(iid, []).append(ClassRecord(pk, cap, filed_on, closed_on))
    designations: dict[int, list[tuple]] = {}
    for iid, s, e in (
        AffordableDesignation.objects.filter(**own, starts_on__lte=end)
        .exclude(ends_on__lt=start)
        .values_list("institution_id", "starts_on", "ends_on")
        .order_by()
    ):
        if e is not None and e < s:
            continue  # ended before it started: no affordable day (P-MODE-2)
        designations.setdefault(iid, []).append((s, e))
    titles: dict[int, list[TitleRecord]] = {}
    for pk, iid, level, on in (
        DemonstrationTitle.objects.filter(**own, conferred_on__lte=end)
        .values_list("pk", "institution_id", "level", "conferred_on")
        .order_by()
    ):
        titles.setdefault(iid, []).append(TitleRecord(pk, level, on))
    return {
        pk: History(
            institution_id=pk,
            filed_on=filed_on,
            cancelled_on=cancelled_on,
            operating_mode=mode or "",
            classes=tuple(classes.get(pk, ())),
            designations=tuple(designations.get(pk, ())),
            titles=tuple(titles.get(pk, ())),
        )
        for pk, filed_on, cancelled_on, mode in rows.order_by("pk")
    }


def entitlements_for_year(*, year: int, institution_ids=None) -> dict[int, Entitlement]:
    """Entitlements of every filed institution (or of `institution_ids`) for `year`: a
    constant number of queries (four), whatever the number of institutions."""
    check_year(year)
    segments = year_segments(year)
    return {
        pk: compute(h, year, segments)
        for pk, h in histories_for_year(year=year, institution_ids=institution_ids).items()
    }


def entitlement_for(*, institution, year: int) -> Entitlement:
    """The entitlement of one institution for `year`, item by item (P-SUB-1..3)."""
    pk = getattr(institution, "pk", institution)
    found = entitlements_for_year(year=year, institution_ids=[pk])
    return found.get(pk) or Entitlement(institution_id=pk, year=year, items=())
