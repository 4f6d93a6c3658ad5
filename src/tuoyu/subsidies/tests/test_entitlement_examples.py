"""Worked examples of the entitlement (P-SUB-1, P-SUB-2, P-SUB-3, P-V2023-1): each figure is
the policy text applied by hand, with its arithmetic in a comment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.factories import (
    AffordableDesignationFactory,
    CareClassFactory,
    DemonstrationTitleFactory,
)
from tuoyu import policy
from tuoyu.core.errors import DomainError
from tuoyu.subsidies.entitlements import (
    History,
    Segment,
    entitlement_for,
    entitlements_for_year,
    operating_items,
    year_segments,
)

pytestmark = pytest.mark.django_db

D = dt.date
FILED_ON = D(2021, 1, 4)


@pytest.fixture
def make_history(make_institution):
    """A filed institution with one class of `slots` filed on `filed_on`, affordable from
    `affordable_from` (open-ended) when given."""

    def make(
        *,
        filed_on=FILED_ON,
        slots=30,
        affordable_from=None,
        affordable_to=None,
        class_filed_on=None,
        **kwargs,
    ):
        inst = make_institution(filed=True, filed_on=filed_on, **kwargs)
        if affordable_from:
            AffordableDesignationFactory(
                institution=inst, starts_on=affordable_from, ends_on=affordable_to
            )
        if slots:
            CareClassFactory(
                institution=inst,
                class_type="mixed",
                capacity=slots,
                status="filed",
                filed_on=class_filed_on or filed_on,
            )
        return inst

    return make


def amounts(ent, ref):
    return [i.amount_yuan for i in ent.items if i.policy_ref == ref]


def test_p_sub_2_full_year_30_slots(make_history):
    """P-SUB-2: 30 slots filed and affordable the whole of 2022 = 30 × 1600 = ¥48,000."""
    inst = make_history(affordable_from=D(2021, 1, 4))
    ent = entitlement_for(institution=inst, year=2022)
    (item,) = ent.items
    assert item.key == f"{inst.pk}/P-SUB-2/2022/2022-01-01"
    assert item.policy_ref == "P-SUB-2" and item.policy_version == "V2020-36"
    assert item.amount_yuan == Decimal("48000.00")
    assert item.quantity == Decimal("30.0000") and item.unit_amount_yuan == Decimal("1600.00")
    assert item.basis["periods"] == [{"start": "2022-01-01", "end": "2022-12-31", "slots": 30}]
    assert ent.total_yuan == Decimal("48000.00")


def test_p_sub_2_affordable_from_july(make_history):
    """P-SUB-2 prorated by days: affordable from 2022-07-01 → 184 days (Jul 31 + Aug 31 +
    Sep 30 + Oct 31 + Nov 30 + Dec 31); 184/365 × 30 × 1600 = 8,832,000/365 = 24,197.2603
    → ¥24,197.26."""
    inst = make_history(affordable_from=D(2022, 7, 1))
    ent = entitlement_for(institution=inst, year=2022)
    assert amounts(ent, "P-SUB-2") == [Decimal("24197.26")]
    assert ent.items[0].basis["slot_days"] == 184 * 30


def test_p_sub_2_slots_change_when_a_class_closes(make_history):
    """P-SUB-2 slot counts as they changed: two classes of 15, one closed 2022-07-01:
    181 days × 30 + 184 days × 15 = 5,430 + 2,760 = 8,190 slot-days;
    8,190 × 1600 / 365 = 35,901.3699 → ¥35,901.37."""
    inst = make_history(affordable_from=D(2021, 1, 4), slots=15)
    CareClassFactory(
        institution=inst,
        capacity=15,
        status="closed",
        filed_on=D(2021, 1, 4),
        closed_on=D(2022, 7, 1),
    )
    ent = entitlement_for(institution=inst, year=2022)
    assert amounts(ent, "P-SUB-2") == [Decimal("35901.37")]


def test_p_sub_2_stops_when_the_filing_is_cancelled(make_history):
    """P-SUB-2 counts filed days only: cancelled 2022-07-01 (on that day no longer filed, as
    its classes close that day) → 2022-01-01..06-30 = 181 days;
    181 × 30 × 1600 / 365 = 23,802.7397 → ¥23,802.74."""
    inst = make_history(affordable_from=D(2021, 1, 4), filing_cancelled_on=D(2022, 7, 1))
    assert amounts(entitlement_for(institution=inst, year=2022), "P-SUB-2") == [Decimal("23802.74")]


def test_p_sub_2_nothing_for_a_non_affordable_institution(make_history):
    """P-SUB-2 is for affordable institutions only."""
    inst = make_history()
    assert entitlement_for(institution=inst, year=2022).items == ()


def test_p_sub_2_year_2023_split_at_v2023_1(make_history):
    """P-V2023-1 from 2023-08-01: 2023 is split: 212 days (Jan–Jul) and 153 days (Aug–Dec).
    212 × 30 × 1600 / 365 = 27,879.4520…, 153 × 30 × 1600 / 365 = 20,120.5479…; floors
    27,879.45 + 20,120.54 = 47,999.99, the fen left goes to the larger remainder (.79):
    ¥27,879.45 + ¥20,120.55 = ¥48,000.00, the whole year's 30 × 1600."""
    inst = make_history(affordable_from=D(2021, 1, 4))
    ent = entitlement_for(institution=inst, year=2023)
    assert [i.key for i in ent.items] == [
        f"{inst.pk}/P-SUB-2/2023/2023-01-01",
        f"{inst.pk}/P-SUB-2/2023/2023-08-01",
    ]
    assert amounts(ent, "P-SUB-2") == [Decimal("27879.45"), Decimal("20120.55")]
    assert ent.total_yuan == Decimal("48000.00")
    assert ent.items[1].basis["versions_in_force"] == ["V2020-36", "V2023-1"]


def test_p_sub_2_year_2026_split_when_v2023_1_ends(make_history, on_2026_12_01):
    """V2023-1 ends 2026-07-31, V2020-36's values apply again from 2026-08-01: 2026 is split
    the same way (212 + 153 days), ¥27,879.45 + ¥20,120.55 = ¥48,000.00."""
    inst = make_history(affordable_from=D(2021, 1, 4))
    ent = entitlement_for(institution=inst, year=2026)
    assert [i.basis["segment_start"] for i in ent.items] == ["2026-01-01", "2026-08-01"]
    assert ent.items[1].basis["versions_in_force"] == ["V2020-36"]
    assert ent.total_yuan == Decimal("48000.00")


def test_p_sub_2_versions_without_subsidy_parameters_do_not_split(make_history):
    """V2021-VAC (2021-02-09) sets no subsidy parameter: 2021 stays one item."""
    assert len(year_segments(2021)) == 1
    inst = make_history(affordable_from=D(2021, 1, 4), filed_on=D(2020, 12, 1))
    assert len(amounts(entitlement_for(institution=inst, year=2021), "P-SUB-2")) == 1


def test_p_sub_2_2020_counts_from_the_policy_start(make_history):
    """The policy starts 2020-10-31: 2020 (366 days) counts 62 days (Oct 31 + Nov 30 +
    Dec 31 = 1 + 30 + 31); 62 × 30 × 1600 / 366 = 8,131.1475 → ¥8,131.15."""
    inst = make_history(filed_on=D(2020, 1, 6), affordable_from=D(2020, 1, 6))
    ent = entitlement_for(institution=inst, year=2020)
    assert amounts(ent, "P-SUB-2") == [Decimal("8131.15")]


def test_p_sub_2_enrolled_children_basis_refused():
    """P-SUB-2 with basis enrolled_children needs the children's enrolment history: a coded
    error, never a wrong figure."""
    sub = policy.at(D(2022, 1, 1)).subsidy.model_copy(
        update={"operating_basis": "enrolled_children"}
    )
    h = History(1, D(2021, 1, 1), designations=((D(2021, 1, 1), None),))
    from tuoyu.subsidies.entitlements import ClassRecord

    h = History(
        1, D(2021, 1, 1), designations=h.designations, classes=(ClassRecord(1, 30, D(2021, 1, 1)),)
    )
    with pytest.raises(DomainError) as exc:
        operating_items(h, 2022, [Segment(D(2022, 1, 1), D(2022, 12, 31), sub, ("V2020-36",))])
    assert exc.value.code == "operating_basis_unsupported"


def test_p_sub_1_new_class_affordable_and_other(make_history):
    """P-SUB-1: a class added 2021-03-01 while affordable = ¥50,000; one added the same day
    by an institution not affordable = ¥20,000. Each class in the year it was filed."""
    affordable = make_history(affordable_from=D(2021, 1, 4), class_filed_on=D(2021, 3, 1))
    other = make_history(class_filed_on=D(2021, 3, 1))
    a = entitlement_for(institution=affordable, year=2021)
    (cls,) = [i for i in a.items if i.policy_ref == "P-SUB-1"]
    assert cls.amount_yuan == Decimal("50000.00") and cls.policy_version == "V2020-36"
    assert cls.key.startswith(f"{affordable.pk}/P-SUB-1/class/")
    assert cls.basis["affordable_on_filing"] is True
    assert amounts(entitlement_for(institution=other, year=2021), "P-SUB-1") == [
        Decimal("20000.00")
    ]
    assert amounts(entitlement_for(institution=affordable, year=2022), "P-SUB-1") == []


def test_p_sub_1_affordable_judged_on_the_filing_day(make_history):
    """P-SUB-1: affordable from 2021-03-02 — the class filed 2021-03-01 gets ¥20,000."""
    inst = make_history(affordable_from=D(2021, 3, 2), class_filed_on=D(2021, 3, 1))
    assert amounts(entitlement_for(institution=inst, year=2021), "P-SUB-1") == [Decimal("20000.00")]


def test_p_sub_1_before_the_policy_and_kindergarten_classes_excluded(make_history):
    """P-SUB-1: a class filed 2020-10-30 (before 2020-10-31) gets nothing; a kindergarten's
    nursery class (幼儿园办托班) is excluded."""
    early = make_history(filed_on=D(2020, 10, 30))
    assert amounts(entitlement_for(institution=early, year=2020), "P-SUB-1") == []
    kg = make_history(
        affordable_from=D(2021, 1, 4),
        class_filed_on=D(2021, 3, 1),
        operating_mode="kindergarten_class",
    )
    assert amounts(entitlement_for(institution=kg, year=2021), "P-SUB-1") == []


def test_p_sub_3_each_level_once_then_v2023_1_difference(make_history):
    """P-SUB-3 then P-V2023-1: a municipal title 2022 (V2020-36, each level once) =
    ¥100,000; a provincial title 2024 (V2023-1, highest level, pay the difference) =
    150,000 − 100,000 = ¥50,000."""
    inst = make_history(slots=0)
    DemonstrationTitleFactory(institution=inst, level="municipal", conferred_on=D(2022, 5, 1))
    DemonstrationTitleFactory(institution=inst, level="provincial", conferred_on=D(2024, 5, 1))
    (m,) = entitlement_for(institution=inst, year=2022).items
    assert (m.key, m.policy_ref, m.policy_version, m.amount_yuan) == (
        f"{inst.pk}/P-SUB-3/municipal",
        "P-SUB-3",
        "V2020-36",
        Decimal("100000.00"),
    )
    (p,) = entitlement_for(institution=inst, year=2024).items
    assert (p.policy_ref, p.policy_version, p.amount_yuan) == (
        "P-V2023-1",
        "V2023-1",
        Decimal("50000.00"),
    )
    assert p.basis["already_reached_yuan"] == 100000


def test_p_sub_3_each_level_once_before_2023_08_01(make_history):
    """P-SUB-3 (each level once): municipal 2021 = ¥100,000 and provincial 2022 = ¥150,000,
    both in full; a national title 2023-07-31 has no award under V2020-36."""
    inst = make_history(slots=0)
    DemonstrationTitleFactory(institution=inst, level="municipal", conferred_on=D(2021, 5, 1))
    DemonstrationTitleFactory(institution=inst, level="provincial", conferred_on=D(2022, 5, 1))
    DemonstrationTitleFactory(institution=inst, level="national", conferred_on=D(2023, 7, 31))
    assert entitlement_for(institution=inst, year=2021).total_yuan == Decimal("100000.00")
    assert entitlement_for(institution=inst, year=2022).total_yuan == Decimal("150000.00")
    assert entitlement_for(institution=inst, year=2023).items == ()


def test_p_v2023_1_lower_title_after_higher_pays_nothing(make_history):
    """P-V2023-1 (highest level): provincial 2023-09-01 = ¥150,000; a municipal title later
    pays max(100,000 − 150,000, 0) = nothing; a national one 2024 pays 200,000 − 150,000 =
    ¥50,000; the comprehensive centre award ¥500,000 separately."""
    inst = make_history(slots=0)
    DemonstrationTitleFactory(institution=inst, level="provincial", conferred_on=D(2023, 9, 1))
    DemonstrationTitleFactory(institution=inst, level="municipal", conferred_on=D(2023, 10, 1))
    DemonstrationTitleFactory(institution=inst, level="national", conferred_on=D(2024, 3, 1))
    DemonstrationTitleFactory(
        institution=inst, level="comprehensive_centre", conferred_on=D(2024, 6, 1)
    )
    assert [i.amount_yuan for i in entitlement_for(institution=inst, year=2023).items] == [
        Decimal("150000.00")
    ]
    e2024 = entitlement_for(institution=inst, year=2024)
    assert {i.key.split("/")[-1]: i.amount_yuan for i in e2024.items} == {
        "national": Decimal("50000.00"),
        "comprehensive_centre": Decimal("500000.00"),
    }


def test_comprehensive_centre_none_before_v2023_1(make_history):
    """V2020-36 has no comprehensive centre award (None): no item in 2022."""
    inst = make_history(slots=0)
    DemonstrationTitleFactory(
        institution=inst, level="comprehensive_centre", conferred_on=D(2022, 6, 1)
    )
    assert entitlement_for(institution=inst, year=2022).items == ()


def test_years_out_of_range(on_2026_12_01, make_history):
    """Years before the policy (2020) → year_out_of_range; after this year →
    year_not_started."""
    inst = make_history()
    with pytest.raises(DomainError) as exc:
        entitlement_for(institution=inst, year=2019)
    assert exc.value.code == "year_out_of_range"
    with pytest.raises(DomainError) as exc:
        entitlements_for_year(year=2027)
    assert exc.value.code == "year_not_started"
