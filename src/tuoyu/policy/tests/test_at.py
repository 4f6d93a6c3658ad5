"""Reading the shipped policy through typed accessors (`policy.at`, `policy.ref`, …)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tuoyu import policy
from tuoyu.policy.labels import label_for

BEFORE = date(2023, 7, 31)  # last day of the 2020 rules alone
FROM = date(2023, 8, 1)  # P-V2023-1 in force
LAST = date(2026, 7, 31)  # last day of P-V2023-1
AFTER = date(2026, 8, 1)  # P-V2023-1 expired: the 2020 rules apply again
VAC_FROM = date(2021, 2, 9)  # P-HC-4: 儿童入托、入学预防接种证查验办法 (V2021-VAC)
HCP_FROM = date(2023, 11, 14)  # P-STD-5: 家庭托育点管理办法（试行） (V2023-HCP)


@pytest.mark.parametrize("day", [date(2020, 10, 31), BEFORE, FROM, LAST, AFTER, date(2030, 1, 1)])
def test_p_sub_1_new_class_amounts_on_both_sides_of_2023_08_01(day):
    """P-SUB-1: ¥50,000 per new class of an affordable institution, ¥20,000 otherwise;
    P-V2023-1 does not change them."""
    sub = policy.at(day).subsidy
    assert sub.new_class_affordable_yuan == 50000
    assert sub.new_class_other_yuan == 20000
    assert type(sub.new_class_affordable_yuan) is int


@pytest.mark.parametrize("day", [BEFORE, FROM, AFTER])
def test_p_sub_2_operating_subsidy_per_filed_slot(day):
    """P-SUB-2: ¥1,600 per slot per year; basis (Decision) filed slots, prorated by days."""
    sub = policy.at(day).subsidy
    assert sub.operating_per_slot_year_yuan == 1600
    assert sub.operating_basis == "filed_slots"
    assert sub.operating_prorated_by_days is True


def test_p_sub_3_demonstration_awards_before_p_v2023_1():
    """P-SUB-3 on 2023-07-31: provincial ¥150,000, municipal ¥100,000, no national award,
    each level paid once."""
    sub = policy.at(BEFORE).subsidy
    assert sub.demonstration_provincial_yuan == 150000
    assert sub.demonstration_municipal_yuan == 100000
    assert sub.demonstration_national_yuan is None
    assert sub.demonstration_award_rule == "each_level_once"
    assert sub.comprehensive_centre_yuan is None
    assert policy.at(BEFORE).fees.affordable_max_prepay_months is None


@pytest.mark.parametrize("day", [FROM, date(2024, 12, 31), LAST])
def test_p_v2023_1_demonstration_awards_from_2023_08_01(day):
    """P-V2023-1 from 2023-08-01 for 3 years: national ¥200,000 / provincial ¥150,000 /
    municipal ¥100,000, highest level once with the difference paid on promotion;
    comprehensive centre ¥500,000; at most 6 months prepaid."""
    p = policy.at(day)
    assert p.subsidy.demonstration_national_yuan == 200000
    assert p.subsidy.demonstration_provincial_yuan == 150000
    assert p.subsidy.demonstration_municipal_yuan == 100000
    assert p.subsidy.demonstration_award_rule == "highest_level_difference"
    assert p.subsidy.comprehensive_centre_yuan == 500000
    assert p.fees.affordable_max_prepay_months == 6
    assert p.subsidy.demonstration_yuan("national") == 200000


def test_p_v2023_1_expires_and_the_2020_rules_apply_again():
    """After 2026-07-31 (no later version) the base version's P-SUB-3 rule is back."""
    p = policy.at(AFTER)
    assert p.subsidy.demonstration_award_rule == "each_level_once"
    assert p.subsidy.demonstration_national_yuan is None
    assert p.fees.affordable_max_prepay_months is None
    ids = [v.id for v in policy.versions_at(AFTER)]
    assert ids[0] == "V2020-36" and "V2023-1" not in ids


def test_p_v2023_1_a_year_spanning_two_versions_is_split():
    """P-V2023-1: 'a year that spans two versions is split' — periods() gives each stretch
    with its own rule (2023-07-31 vs 2023-08-01)."""
    parts = policy.periods(date(2023, 1, 1), date(2023, 12, 31))
    # P-STD-5 (home care points) starts 2023-11-14: a third stretch.
    assert [(p.start, p.end) for p in parts] == [
        (date(2023, 1, 1), BEFORE),
        (FROM, HCP_FROM - timedelta(days=1)),
        (HCP_FROM, date(2023, 12, 31)),
    ]
    assert [p.policy.subsidy.demonstration_award_rule for p in parts] == [
        "each_level_once",
        "highest_level_difference",
        "highest_level_difference",
    ]
    assert sum(p.days for p in parts) == 365
    assert parts[1].version_ids == ("V2020-36", "V2021-VAC", "V2023-1")
    assert parts[2].version_ids == ("V2020-36", "V2021-VAC", "V2023-1", "V2023-HCP")
    # a year inside one version is one period
    assert len(policy.periods(date(2024, 1, 1), date(2024, 12, 31))) == 1


def test_p_sub_1_ref_names_p_id_source_and_version():
    """Every number carries its P-id and source (PolicyEngine-style metadata)."""
    meta = policy.ref("subsidy.new_class_affordable_yuan", BEFORE)
    assert meta.ref == "P-SUB-1"
    assert "金区政办〔2020〕36号" in meta.source
    assert meta.confidence == "A"
    assert meta.version == "V2020-36"
    assert meta.file.endswith(".yaml")


def test_p_v2023_1_ref_changes_with_the_version_in_force():
    assert policy.ref("subsidy.demonstration_award_rule", BEFORE).ref == "P-SUB-3"
    meta = policy.ref("subsidy.demonstration_award_rule", FROM)
    assert (meta.ref, meta.version, meta.version_to) == ("P-V2023-1", "V2023-1", LAST)


def test_ref_unknown_key_suggests_the_right_one():
    with pytest.raises(policy.PolicyKeyError, match="new_class_affordable_yuan"):
        policy.ref("subsidy.new_class_afordable_yuan", FROM)


def test_out_of_range_date_raises_the_documented_error():
    """Before 36号文 took effect (2020-10-31) no version is in force."""
    with pytest.raises(policy.PolicyDateError) as exc:
        policy.at(date(2020, 10, 30))
    assert exc.value.code == "policy_not_in_force"
    assert "2020-10-30" in exc.value.message
    assert "2020-10-31" in exc.value.message
    with pytest.raises(policy.PolicyDateError):
        policy.ref("subsidy.new_class_affordable_yuan", date(1999, 1, 1))
    with pytest.raises(policy.PolicyDateError):
        policy.parameters_at(date(2019, 12, 31))
    with pytest.raises(policy.PolicyDateError):
        policy.periods(date(2020, 10, 1), date(2020, 12, 31))


def test_p_std_1_class_standards_accessor():
    """§9.1: class types with Chinese name, ages, size and minimum caregiver ratio."""
    classes = policy.at(FROM).classes
    assert classes["toddler_small"].max_children == 15
    assert classes["infant"].name_zh == "乳儿班"
    assert classes["infant"].children_per_caregiver == Decimal(3)
    assert classes["toddler_large"].caregiver_ratio == "1:7"
    assert classes["toddler_large"].min_caregivers(15) == 3
    assert (classes["mixed"].min_age_months, classes["mixed"].max_age_months) == (18, 36)
    assert [k for k, _c in classes.items()] == ["infant", "toddler_small", "toddler_large", "mixed"]
    # P-STD-1: under 6 months fits no class type; 12 months is toddler_small, not infant
    assert classes.for_age(5) == []
    assert classes.for_age(12) == ["toddler_small"]
    assert classes.for_age(20) == ["toddler_small", "mixed"]
    with pytest.raises(KeyError):
        classes["nursery"]


def test_p_std_and_decisions_are_marked_unverified():
    """[U] numbers and Decisions say so in the data (POLICY.md §9)."""
    day = FROM
    assert policy.at(day).classes["mixed"].children_per_caregiver == 5
    for key in (
        "classes.mixed.children_per_caregiver",
        "standards.area_per_child_m2",
        "standards.full_time_health_worker_threshold_children",
        "filing.registration_to_filing_deadline_days",
        "indicators.parenting_pass_mark",
    ):
        meta = policy.ref(key, day)
        assert meta.confidence == "U", key
        assert meta.note, key
    assert policy.ref("filing.registration_to_filing_deadline_days", day).decision
    assert policy.at(day).filing.registration_to_filing_deadline_days == 30


def test_p_std_p_fil_p_hc_numbers():
    p = policy.at(FROM)
    s = p.standards
    assert (s.min_age_months, s.area_per_child_m2, s.health_observation_room_min_m2) == (6, 3, 6)
    assert (s.cctv_retention_days, s.outdoor_hours_per_day) == (90, 2)
    hcp = policy.at(HCP_FROM).standards  # P-STD-5 from 2023-11-14
    assert (hcp.home_care_point_max_children, hcp.home_care_point_children_per_caregiver) == (5, 3)
    assert s.full_time_health_worker_threshold_children == 150
    assert (p.filing.receipt_working_days, p.filing.rejection_notice_working_days) == (5, 15)
    h = p.health
    assert h.reexam_after_absence_months == 3  # P-HC-1
    assert (h.exams_per_year_under_1, h.exams_per_year_1_to_3) == (4, 2)  # P-HC-2
    assert h.vaccination_check_within_days == 30  # P-HC-4
    o = h.outbreak  # P-HC-6
    assert (o.class_similar_cases_same_day, o.class_similar_cases_in_window) == (3, 5)
    assert o.class_similar_window_days == 3
    assert (o.hfmd_class_cases, o.hfmd_class_window_days) == (2, 7)
    assert (o.hfmd_institution_cases, o.hfmd_institution_window_days) == (5, 7)
    assert list(o.symptoms) == ["fever", "rash", "diarrhoea", "vomiting", "jaundice"]
    with pytest.raises(TypeError):
        o.symptoms["cough"] = "咳嗽"  # the cached policy is read-only


def test_p_tgt_targets_with_deadlines_and_trends():
    t = policy.at(date(2021, 1, 1)).targets
    assert t.new_institutions_2020.value == 3
    assert t.new_institutions_2020.deadline == date(2020, 12, 31)
    assert t.health_management_rate_2020.value == Decimal("0.90")
    assert t.health_management_rate_2025.value == Decimal("0.95")
    assert t.health_management_rate_2025.met(Decimal("0.951")) is True
    assert t.health_management_rate_2025.met(Decimal("0.94")) is False
    for trend in (t.community_coverage_2025, t.nursery_class_rate_2025, t.enrolment_rate_2025):
        assert trend.kind == "trend" and trend.value is None
        assert trend.met(Decimal("0.5"), baseline=Decimal("0.4")) is True
    assert t.slots_per_1000_2025.value == Decimal("4.5")  # P-NAT-1
    share = t.affordable_slot_share_2025
    assert (share.value, share.comparison) == (Decimal("0.6"), ">")
    assert share.met(Decimal("0.6")) is False


def test_ratios_are_decimal_never_float():
    p = policy.at(FROM)
    for value in (
        p.indicators.parenting_pass_mark,
        p.tax.care_income_counted_share,
        p.standards.min_window_floor_ratio,
        p.targets.health_management_rate_2025.value,
    ):
        assert isinstance(value, Decimal)
    assert p.indicators.parenting_pass_mark == Decimal("0.8")
    assert p.indicators.health_management_definition == "any_followup"  # P-NAT-3


def test_parameters_at_lists_every_key_with_meta_and_a_label():
    params = policy.parameters_at(HCP_FROM)
    assert [p.key for p in params] == list(policy.keys())
    # before P-STD-5 the home-care-point limits are not in force, so not listed
    before = [p.key for p in policy.parameters_at(FROM)]
    every = policy.keys()
    assert before == [k for k in every if not k.startswith("standards.home_care_point")]
    by_key = {p.key: p for p in params}
    _key, value, meta = by_key["subsidy.new_class_affordable_yuan"]
    assert (value, meta.ref) == (50000, "P-SUB-1")
    assert by_key["subsidy.demonstration_national_yuan"].meta.version == "V2023-1"
    for p in params:
        assert label_for(p.key).label, p.key
        assert p.meta.ref and p.meta.source and p.meta.confidence in "ABU"


def test_versions_listed_with_ranges():
    vs = policy.versions()
    assert [(v.id, v.effective_from, v.effective_to) for v in vs] == [
        ("V2020-36", date(2020, 10, 31), None),
        ("V2021-VAC", VAC_FROM, None),
        ("V2023-1", FROM, LAST),
        ("V2023-HCP", HCP_FROM, None),
    ]
    assert vs[2].ref == "P-V2023-1"
    assert set(vs[2].keys) == {
        "subsidy.demonstration_national_yuan",
        "subsidy.demonstration_provincial_yuan",
        "subsidy.demonstration_municipal_yuan",
        "subsidy.demonstration_award_rule",
        "subsidy.comprehensive_centre_yuan",
        "fees.affordable_max_prepay_months",
    }


def test_at_takes_aware_datetimes_in_asia_shanghai():
    """'Which day' is Chinese local time: 2023-07-31 16:30 UTC is 2023-08-01 in Shanghai."""
    utc = datetime(2023, 7, 31, 16, 30, tzinfo=ZoneInfo("UTC"))
    assert policy.at(utc).subsidy.demonstration_award_rule == "highest_level_difference"
    assert policy.at(None) == policy.at(policy.today())


def test_at_is_cached_and_reload_reads_again():
    assert policy.at(HCP_FROM) is policy.at(date(2024, 1, 1))
    # the same versions in force before and after P-V2023-1 give one object
    assert policy.at(AFTER) is policy.at(date(2030, 1, 1))
    assert policy.at(BEFORE) is policy.at(VAC_FROM)
    book = policy.get_book()
    policy.reload()
    assert policy.get_book() is not book
    assert policy.at(FROM).subsidy.new_class_affordable_yuan == 50000
