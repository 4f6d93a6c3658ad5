"""Property-based tests (hypothesis) of the entitlement over random institution histories
(P-SUB-1, P-SUB-2, P-SUB-3, P-V2023-1):

- a full year's proration sums to the full-year amount, and to a day-by-day recount;
- splitting a year at any date never changes its total (largest-remainder allocation);
- a class is paid once: item keys are unique across all years;
- `entitlements_for_year` equals `entitlement_for` for every institution;
- the number of queries of `entitlements_for_year` does not grow with the institutions.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import (
    AffordableDesignationFactory,
    CareClassFactory,
    DemonstrationTitleFactory,
    InstitutionFactory,
)
from tuoyu import policy
from tuoyu.subsidies.entitlements import (
    ClassRecord,
    History,
    Segment,
    TitleRecord,
    compute,
    entitlement_for,
    entitlements_for_year,
    operating_items,
    round_fen,
    year_segments,
)

D = dt.date
YEARS = st.integers(min_value=2020, max_value=2025)
ONE = dt.timedelta(days=1)


@st.composite
def histories(draw, institution_id=1):
    filed_on = draw(st.dates(D(2019, 6, 1), D(2025, 12, 31)))
    cancelled_on = draw(st.none() | st.dates(filed_on, D(2026, 6, 30)))
    # non-overlapping designations from sorted distinct days
    cuts = sorted(set(draw(st.lists(st.dates(D(2019, 1, 1), D(2026, 6, 30)), max_size=4))))
    designations = []
    for i in range(0, len(cuts) - 1, 2):
        designations.append((cuts[i], cuts[i + 1]))
    if len(cuts) % 2 == 1 and draw(st.booleans()):
        designations.append((cuts[-1], None))
    classes = []
    for n in range(draw(st.integers(0, 4))):
        on = draw(st.dates(filed_on, D(2026, 6, 30)))
        closed = draw(st.none() | st.dates(on + ONE, D(2026, 12, 31)))
        classes.append(ClassRecord(100 * institution_id + n, draw(st.integers(1, 30)), on, closed))
    levels = draw(
        st.lists(
            st.sampled_from(["municipal", "provincial", "national", "comprehensive_centre"]),
            unique=True,
            max_size=4,
        )
    )
    titles = tuple(
        TitleRecord(1000 * institution_id + n, lv, draw(st.dates(D(2020, 1, 1), D(2025, 12, 31))))
        for n, lv in enumerate(levels)
    )
    return History(
        institution_id=institution_id,
        filed_on=filed_on,
        cancelled_on=cancelled_on,
        operating_mode=draw(st.sampled_from(["", "full_day", "kindergarten_class"])),
        classes=tuple(classes),
        designations=tuple(designations),
        titles=titles,
    )


def operating_total(ent) -> Decimal:
    return sum((i.amount_yuan for i in ent.items if "/P-SUB-2/" in i.key), Decimal("0.00"))


@settings(max_examples=150, deadline=None)
@given(YEARS, st.integers(1, 60))
def test_full_year_proration_sums_to_the_full_year_amount(year, slots):
    """P-SUB-2: filed and affordable every day of the year with constant slots → the items
    (one or two version segments) sum to exactly slots × 1600."""
    h = History(
        1,
        D(2019, 1, 1),
        designations=((D(2019, 1, 1), None),),
        classes=(ClassRecord(1, slots, D(2019, 1, 1)),),
    )
    ent = compute(h, year)
    first = policy.get_book().first_day
    days = (D(year, 12, 31) - D(year, 1, 1)).days + 1
    counted = (D(year, 12, 31) - max(D(year, 1, 1), first)).days + 1
    rate = policy.at(D(year, 12, 31)).subsidy.operating_per_slot_year_yuan
    assert operating_total(ent) == round_fen(Fraction(slots * rate * counted, days))
    if counted == days:
        assert operating_total(ent) == Decimal(slots * rate)


@settings(max_examples=200, deadline=None)
@given(histories(), YEARS)
def test_proration_equals_a_day_by_day_recount(h, year):
    """P-SUB-2: the year's total equals Σ over every day filed and affordable of
    slots(day) × rate / days-in-year, rounded once to the fen."""
    ent = compute(h, year)
    start = max(D(year, 1, 1), policy.get_book().first_day)
    days = (D(year, 12, 31) - D(year, 1, 1)).days + 1
    exact = Fraction(0)
    day = start
    while day <= D(year, 12, 31):
        if h.filed(day) and h.affordable(day):
            exact += Fraction(
                h.slots(day) * policy.at(day).subsidy.operating_per_slot_year_yuan, days
            )
        day += ONE
    assert operating_total(ent) == round_fen(exact)


@settings(max_examples=200, deadline=None)
@given(histories(), YEARS, st.data())
def test_splitting_a_year_at_any_date_never_changes_the_total(h, year, data):
    """P-V2023-1 splits a year at a version change: splitting at any further date changes
    the items, never the year's total."""
    segments = year_segments(year)
    whole = operating_total(compute(h, year, segments))
    seg_index = data.draw(st.integers(0, len(segments) - 1))
    seg = segments[seg_index]
    if seg.start == seg.end:
        return
    cut = data.draw(st.dates(seg.start + ONE, seg.end))
    split = [
        *segments[:seg_index],
        Segment(seg.start, cut - ONE, seg.subsidy, seg.version_ids),
        Segment(cut, seg.end, seg.subsidy, (*seg.version_ids, "split")),
        *segments[seg_index + 1 :],
    ]
    items = operating_items(h, year, split)
    assert sum((i.amount_yuan for i in items), Decimal("0.00")) == whole


@settings(max_examples=150, deadline=None)
@given(histories())
def test_a_class_is_paid_once(h):
    """P-SUB-1: over every year from the policy start, item keys are unique, and each
    eligible class (filed from 2020-10-31, not a kindergarten class) has exactly one item."""
    keys = Counter()
    for year in range(2020, 2027):
        for item in compute(h, year).items:
            keys[item.key] += 1
    assert all(n == 1 for n in keys.values())
    eligible = {
        c.id
        for c in h.classes
        if c.filed_on >= D(2020, 10, 31) and h.operating_mode != "kindergarten_class"
    }
    paid = {int(k.rsplit("/", 1)[1]) for k in keys if "/P-SUB-1/class/" in k}
    assert paid == eligible


@settings(max_examples=150, deadline=None)
@given(histories())
def test_awards_never_exceed_each_level_once(h):
    """P-SUB-3 / P-V2023-1: no award is negative, and all the awards together never exceed
    the sum of every level's largest amount (each level once is the most generous rule)."""
    total = Decimal(0)
    for year in range(2020, 2027):
        for item in compute(h, year).items:
            if "/P-SUB-3/" in item.key:
                assert item.amount_yuan > 0
                total += item.amount_yuan
    ceiling = 0
    for t in h.titles:
        key = (
            "subsidy.comprehensive_centre_yuan"
            if t.level == "comprehensive_centre"
            else f"subsidy.demonstration_{t.level}_yuan"
        )
        ceiling += max((v.params[key][0] or 0) for v in policy.versions() if key in v.params)
    assert total <= ceiling


# --- against the database ------------------------------------------------------------------


def _store(h: History, township) -> int:
    inst = InstitutionFactory(
        township=township,
        filed=True,
        filed_on=h.filed_on,
        filing_cancelled_on=h.cancelled_on,
        operating_mode=h.operating_mode,
    )
    for s, e in h.designations:
        AffordableDesignationFactory(institution=inst, starts_on=s, ends_on=e)
    for c in h.classes:
        CareClassFactory(
            institution=inst,
            capacity=c.capacity,
            status="closed" if c.closed_on else "filed",
            filed_on=c.filed_on,
            closed_on=c.closed_on,
        )
    for t in h.titles:
        DemonstrationTitleFactory(institution=inst, level=t.level, conferred_on=t.conferred_on)
    return inst.pk


@pytest.mark.django_db
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(histories(), min_size=1, max_size=4), YEARS)
def test_for_year_equals_per_institution(district, hs, year):
    """`entitlements_for_year` (set-based) gives each institution what `entitlement_for`
    gives it alone."""
    with transaction.atomic():
        ids = [_store(h, district["duohu"]) for h in hs]
        together = entitlements_for_year(year=year, institution_ids=ids)
        everyone = entitlements_for_year(year=year)
        for pk in ids:
            alone = entitlement_for(institution=pk, year=year)
            assert together[pk] == alone == everyone[pk]
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_query_count_does_not_grow_with_institutions(district):
    """Four queries for one institution and for twenty (set-based loading)."""
    h = History(
        1,
        D(2021, 1, 4),
        designations=((D(2021, 1, 4), None),),
        classes=(ClassRecord(1, 20, D(2022, 3, 1)), ClassRecord(2, 15, D(2021, 1, 4))),
        titles=(TitleRecord(1, "municipal", D(2022, 5, 1)),),
    )
    _store(h, district["duohu"])
    with CaptureQueriesContext(connection) as one:
        small = entitlements_for_year(year=2022)
    for _ in range(19):
        _store(h, district["duohu"])
    with CaptureQueriesContext(connection) as many:
        big = entitlements_for_year(year=2022)
    assert len(small) == 1 and len(big) == 20
    assert len(one.captured_queries) == len(many.captured_queries) == 4
    assert {e.total_yuan for e in big.values()} == {small[next(iter(small))].total_yuan}
