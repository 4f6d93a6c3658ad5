"""Every number of POLICY.md lives in policy data and names its rule (P-REG-2: districts
change numbers, not code)."""

import datetime as dt

import pytest

from tuoyu import policy

# The rules of POLICY.md that state numbers the platform uses. Each must be the `ref` of at
# least one parameter in force on these dates.
NUMERIC_RULES = {
    # targets 2020 and 2025 (§2)
    "P-TGT-1", "P-TGT-2", "P-TGT-3", "P-TGT-4", "P-TGT-5", "P-TGT-6", "P-TGT-7", "P-TGT-8",
    "P-TGT-9", "P-TGT-10", "P-TGT-11", "P-TGT-12", "P-TGT-13",
    # national standards (§9.1), filing (§9.2), health care (§9.3), indicators (§9.4)
    "P-STD-1", "P-STD-2", "P-STD-3", "P-STD-4", "P-STD-5", "P-FIL-2",
    "P-HC-1", "P-HC-2", "P-HC-4", "P-HC-5", "P-HC-6", "P-NAT-1", "P-NAT-3",
    # money (§7)
    "P-SUB-1", "P-SUB-2", "P-TAX-1",
}  # fmt: skip


# P-STD-5 (家庭托育点管理办法（试行）) is in force only from 2023-11-14 (issue #7 point 8).
LATER_RULES = {dt.date(2021, 6, 1): {"P-STD-5"}, dt.date(2024, 6, 1): set()}


@pytest.mark.parametrize("day", sorted(LATER_RULES))
def test_every_numeric_rule_is_policy_data(day):
    refs = {p.meta.ref for p in policy.parameters_at(day)}
    expected = NUMERIC_RULES - LATER_RULES[day]
    assert refs >= expected, sorted(expected - refs)
    assert not refs & LATER_RULES[day]


def test_later_version_cites_its_own_rule():
    """P-V2023-1 changes the demonstration awards from 2023-08-01 (P-SUB-3 before)."""
    refs_2024 = {p.key: p.meta.ref for p in policy.parameters_at(dt.date(2024, 6, 1))}
    assert refs_2024["subsidy.demonstration_national_yuan"] == "P-V2023-1"
    refs_2021 = {p.key: p.meta.ref for p in policy.parameters_at(dt.date(2021, 6, 1))}
    assert refs_2021["subsidy.demonstration_provincial_yuan"] == "P-SUB-3"


def test_targets_carry_their_deadlines():
    """P-TGT-1/2 are due 2020-12-31, P-TGT-6..9 2025-12-31 (§2)."""
    targets = policy.at(dt.date(2021, 6, 1)).targets
    assert targets.new_institutions_2020.deadline == dt.date(2020, 12, 31)
    assert targets.new_slots_2020.value == 50
    assert targets.health_management_rate_2025.deadline == dt.date(2025, 12, 31)
    assert targets.township_affordable_coverage_2025.value == 1
