"""Issue #7 point 8: rules that started after 2020-10-31 carry their own effective dates.

P-STD-5 (家庭托育点管理办法（试行）, published 2023-11-14) and P-HC-4 (儿童入托、入学预防接种证查验办法,
2021) sat in the base version and so applied years early. Each now has its own version that
*introduces* its parameters; before it, the parameter is not in force (`None`, `in_force`
False, left out of `parameters_at`) and the limit does not apply.
"""

import textwrap
from datetime import date

import pytest

from tuoyu import policy
from tuoyu.policy.tests.conftest import BASE_FILE

HCP_KEYS = (
    "standards.home_care_point_max_children",
    "standards.home_care_point_children_per_caregiver",
)
VAC_KEY = "health.vaccination_check_within_days"
HCP_FROM = date(2023, 11, 14)
VAC_FROM = date(2021, 2, 9)


@pytest.mark.parametrize("day", [date(2020, 10, 31), date(2021, 6, 1), date(2023, 11, 13)])
def test_p_std_5_home_care_point_limits_not_in_force_before_2023_11_14(day):
    s = policy.at(day).standards
    assert s.home_care_point_max_children is None
    assert s.home_care_point_children_per_caregiver is None
    for key in HCP_KEYS:
        assert policy.in_force(key, day) is False
        assert policy.value(key, day) is None
        assert policy.ref(key, day) is None
    assert not {p.key for p in policy.parameters_at(day)} & set(HCP_KEYS)


@pytest.mark.parametrize("day", [HCP_FROM, date(2024, 1, 1), date(2030, 1, 1)])
def test_p_std_5_home_care_point_limits_from_2023_11_14(day):
    s = policy.at(day).standards
    assert (s.home_care_point_max_children, s.home_care_point_children_per_caregiver) == (5, 3)
    for key in HCP_KEYS:
        assert policy.in_force(key, day) is True
        meta = policy.ref(key, day)
        assert (meta.ref, meta.version, meta.version_from) == ("P-STD-5", "V2023-HCP", HCP_FROM)


def test_p_hc_4_vaccination_check_has_its_own_effective_date():
    before, on = date(2021, 2, 8), VAC_FROM
    assert policy.at(before).health.vaccination_check_within_days is None
    assert not policy.in_force(VAC_KEY, before)
    assert policy.at(on).health.vaccination_check_within_days == 30
    meta = policy.ref(VAC_KEY, on)
    assert (meta.ref, meta.version) == ("P-HC-4", "V2021-VAC")


def test_the_base_version_no_longer_sets_the_later_rules():
    base = policy.versions()[0]
    assert base.id == "V2020-36"
    assert not set(base.keys) & {*HCP_KEYS, VAC_KEY}
    assert policy.later_keys() == {*HCP_KEYS, VAC_KEY}


def test_in_force_of_an_unknown_key_is_a_key_error():
    with pytest.raises(policy.PolicyKeyError):
        policy.in_force("standards.home_care_point_max_child", date(2024, 1, 1))


def test_a_later_rule_may_not_be_set_to_null(data_copy):
    """Absence means "not in force"; a leaf still needs a real value (no null limit)."""
    data_copy.replace(
        "2023-11-14_V2023-HCP.yaml", "{value: 5, ref: P-STD-5", "{value: null, ref: P-STD-5"
    )
    with pytest.raises(policy.PolicyDataError) as exc:
        policy.load(data_copy.path)
    assert "home_care_point_max_children" in str(exc.value)


def test_a_district_may_date_a_later_rule_differently(data_copy):
    """The effective date is data: a district that verified another date edits the file."""
    data_copy.replace(
        "2023-11-14_V2023-HCP.yaml", "effective_from: 2023-11-14", "effective_from: 2024-01-01"
    )
    book = policy.load(data_copy.path)
    assert book.at(date(2023, 12, 31)).standards.home_care_point_max_children is None
    assert book.at(date(2024, 1, 1)).standards.home_care_point_max_children == 5


def test_a_version_that_only_introduces_rules_covers_no_day_on_its_own(data_copy):
    """When the base ends, the open-ended P-STD-5 version alone is no policy: dates after it
    are a PolicyDateError (no version in force), not a load error."""
    data_copy.replace(BASE_FILE, "effective_to: null", "effective_to: 2029-12-31")
    book = policy.load(data_copy.path)
    assert book.at(date(2029, 12, 31)).standards.home_care_point_max_children == 5
    with pytest.raises(policy.PolicyDateError):
        book.at(date(2030, 1, 1))
    assert book.coverage() == "2020-10-31 至 2029-12-31"


def test_a_new_version_may_introduce_a_later_rule_only(data_copy):
    """A district adds a version that introduces a later rule; before it the rule is off."""
    (data_copy.path / "2021-02-09_V2021-VAC.yaml").unlink()
    data_copy.write(
        "2022-03-01_D-VAC.yaml",
        textwrap.dedent(
            """\
            version: {id: D-VAC, title: t, source: s, confidence: A, effective_from: 2022-03-01}
            parameters:
              health:
                vaccination_check_within_days:
                  {value: 20, ref: P-HC-4, source: s, confidence: A}
            """
        ),
    )
    book = policy.load(data_copy.path)
    assert book.at(date(2022, 2, 28)).health.vaccination_check_within_days is None
    assert book.at(date(2022, 3, 1)).health.vaccination_check_within_days == 20
