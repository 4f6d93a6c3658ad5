"""Start-up validation: a district's edited copy of the YAML fails loudly, naming file, line
and key path; a complete copy loads (policy as data, P-REG-2)."""

import textwrap
from datetime import date

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from tuoyu import policy
from tuoyu.policy.tests.conftest import BASE_FILE, V2023_FILE


def _error(path) -> policy.PolicyDataError:
    with pytest.raises(policy.PolicyDataError) as exc:
        policy.load(path)
    return exc.value


def test_shipped_data_loads():
    book = policy.load()
    assert [v.id for v in book.versions()] == ["V2020-36", "V2021-VAC", "V2023-1", "V2023-HCP"]
    assert book.coverage() == "2020-10-31 起"


def test_unchanged_copy_loads(data_copy):
    assert policy.load(data_copy.path).at(date(2024, 1, 1)).subsidy.comprehensive_centre_yuan


def test_p_sub_1_typo_in_a_key_fails_with_file_line_and_key_path(data_copy):
    """A misspelt parameter (new_class_afordable_yuan) is refused, not silently ignored."""
    data_copy.replace(BASE_FILE, "new_class_affordable_yuan:", "new_class_afordable_yuan:")
    err = _error(data_copy.path)
    assert isinstance(err, ImproperlyConfigured)
    text = str(err)
    assert BASE_FILE in text
    assert "parameters.subsidy.new_class_afordable_yuan" in text
    assert "未知的键" in text and "unknown key" in text
    assert "did you mean: parameters.subsidy.new_class_affordable_yuan" in text
    assert err.key == "parameters.subsidy.new_class_afordable_yuan"
    assert err.file.endswith(BASE_FILE)
    line = next(
        n
        for n, t in enumerate(data_copy.file(BASE_FILE).read_text().splitlines(), 1)
        if "new_class_afordable_yuan" in t
    )
    assert err.problems[0].line == line


def test_typo_in_a_section_of_an_override_version(data_copy):
    data_copy.replace(V2023_FILE, "  fees:", "  fee:")
    err = _error(data_copy.path)
    assert err.file.endswith(V2023_FILE)
    assert err.key == "parameters.fee"
    assert "parameters.fees" in str(err)


def test_typo_in_a_leaf_field(data_copy):
    data_copy.replace(
        BASE_FILE,
        "{value: 1600, ref: P-SUB-2, confidence: A",
        "{value: 1600, ref: P-SUB-2, confidense: A",
    )
    err = _error(data_copy.path)
    keys = {p.key for p in err.problems}
    assert "parameters.subsidy.operating_per_slot_year_yuan.confidense" in keys
    assert "parameters.subsidy.operating_per_slot_year_yuan.confidence" in keys


def test_p_sub_2_missing_required_parameter_fails(data_copy):
    """The base version must set every parameter: deleting P-SUB-2's amount fails."""
    data_copy.replace(
        BASE_FILE,
        "    operating_per_slot_year_yuan:\n"
        "      {value: 1600, ref: P-SUB-2, confidence: A, source: 金区政办〔2020〕36号 三（五）14}\n",
        "",
    )
    err = _error(data_copy.path)
    assert [p.key for p in err.problems] == ["parameters.subsidy.operating_per_slot_year_yuan"]
    assert err.file.endswith(BASE_FILE)
    assert "缺少参数" in str(err) and "missing parameter" in str(err)
    assert "V2020-36" in str(err)


def test_missing_leaf_field_fails(data_copy):
    data_copy.replace(
        BASE_FILE,
        "{value: 20000, ref: P-SUB-1, confidence: A, source: 金区政办〔2020〕36号 三（五）13}",
        "{value: 20000, ref: P-SUB-1, confidence: A}",
    )
    err = _error(data_copy.path)
    assert err.key == "parameters.subsidy.new_class_other_yuan.source"


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        # money is a whole number of yuan: no decimals, no strings
        (
            "{value: 50000, ref: P-SUB-1",
            "{value: 50000.5, ref: P-SUB-1",
            "parameters.subsidy.new_class_affordable_yuan.value",
        ),
        (
            "{value: 50000, ref: P-SUB-1",
            '{value: "50000", ref: P-SUB-1',
            "parameters.subsidy.new_class_affordable_yuan.value",
        ),
        (
            "{value: 50000, ref: P-SUB-1",
            "{value: -5, ref: P-SUB-1",
            "parameters.subsidy.new_class_affordable_yuan.value",
        ),
        # a rate lies in 0..1
        (
            "value: 0.8\n      ref: P-TGT-4",
            "value: 80\n      ref: P-TGT-4",
            "parameters.indicators.parenting_pass_mark.value",
        ),
        # a choice must be one of the codes
        (
            "value: each_level_once",
            "value: each_level_one",
            "parameters.subsidy.demonstration_award_rule.value",
        ),
        # confidence is A, B or U
        (
            "{value: 1600, ref: P-SUB-2, confidence: A",
            "{value: 1600, ref: P-SUB-2, confidence: C",
            "parameters.subsidy.operating_per_slot_year_yuan.confidence",
        ),
        # a U number must explain itself
        (
            "hfmd_class_cases:\n        {value: 2, ref: P-HC-6, confidence: U, source: "
            "手足口病聚集性疫情判定标准（未与原文核实）,\n         note: 同一班级一周内 2 例及以上手足口病为聚集性疫情；未与官方原文核实}",
            "hfmd_class_cases:\n        {value: 2, ref: P-HC-6, confidence: U, source: x}",
            "parameters.health.outbreak.hfmd_class_cases",
        ),
        # a trend target has no number; a rate target needs one
        (
            "{value: null, kind: trend, baseline_year: 2020, deadline: 2025-12-31, ref: P-TGT-10",
            "{value: 0.5, kind: trend, baseline_year: 2020, deadline: 2025-12-31, ref: P-TGT-10",
            "parameters.targets.community_coverage_2025",
        ),
        (
            "{value: 0.90, kind: rate, deadline: 2020-12-31, ref: P-TGT-3",
            "{value: null, kind: rate, deadline: 2020-12-31, ref: P-TGT-3",
            "parameters.targets.health_management_rate_2020",
        ),
        # a bad P-id
        (
            "{value: 1600, ref: P-SUB-2,",
            "{value: 1600, ref: sub2,",
            "parameters.subsidy.operating_per_slot_year_yuan.ref",
        ),
        # dates
        ("effective_from: 2020-10-31", "effective_from: 2020-13-31", "version.effective_from"),
    ],
)
def test_wrong_values_fail_with_their_key_path(data_copy, old, new, key):
    data_copy.replace(BASE_FILE, old, new)
    err = _error(data_copy.path)
    assert key in [p.key for p in err.problems], str(err)
    assert BASE_FILE in str(err)


def test_yaml_base_60_ratio_is_refused(data_copy):
    """`1:3` would be read by YAML 1.1 as 63: refused rather than misread."""
    data_copy.replace(
        BASE_FILE, "children_per_caregiver: {value: 3,", "children_per_caregiver: {value: 1:3,"
    )
    err = _error(data_copy.path)
    assert "1:3" in str(err) and err.problems[0].line


def test_duplicate_key_is_refused(data_copy):
    data_copy.replace(
        V2023_FILE,
        "  fees:\n",
        "  fees:\n    affordable_max_prepay_months: {value: 3, ref: P-V2023-1, confidence: A, "
        "source: x}\n",
    )
    err = _error(data_copy.path)
    assert "duplicate key" in str(err) and err.file.endswith(V2023_FILE)


def test_yaml_syntax_error_names_file_and_line(data_copy):
    data_copy.write("2030-01-01_bad.yaml", "version: {id: X\nparameters: [\n")
    err = _error(data_copy.path)
    assert err.file.endswith("2030-01-01_bad.yaml") and err.problems[0].line


def test_bare_number_instead_of_leaf_mapping(data_copy):
    data_copy.write(
        "2030-01-01_V2030.yaml",
        textwrap.dedent(
            """\
            version: {id: V2030, title: t, source: s, confidence: A, effective_from: 2030-01-01}
            parameters:
              subsidy:
                new_class_affordable_yuan: 60000
            """
        ),
    )
    err = _error(data_copy.path)
    assert err.key == "parameters.subsidy.new_class_affordable_yuan"
    assert "{value: …" in err.problems[0].message


def test_empty_or_missing_directory(tmp_path):
    assert "no *.yaml" in str(_error(tmp_path))
    assert "not found" in str(_error(tmp_path / "nope"))


def test_duplicate_version_id(data_copy):
    text = data_copy.file(V2023_FILE).read_text()
    data_copy.write("2024-01-01_copy.yaml", text.replace("2023-08-01", "2024-01-01"))
    assert "duplicate version id" in str(_error(data_copy.path))


def test_two_versions_starting_the_same_day_setting_the_same_key_are_ambiguous(data_copy):
    text = data_copy.file(V2023_FILE).read_text()
    data_copy.write("2023-08-01_other.yaml", text.replace("id: V2023-1", "id: V2023-2"))
    err = _error(data_copy.path)
    assert "same day" in str(err)


def test_override_version_outside_the_base_range_is_incomplete(data_copy):
    """A partial version in force on a day when no complete version is (here: it starts
    before the base) would leave parameters without a value: refused at load time."""
    data_copy.replace(V2023_FILE, "effective_from: 2023-08-01", "effective_from: 2020-01-01")
    err = _error(data_copy.path)
    assert {p.key for p in err.problems} >= {"parameters.subsidy.new_class_affordable_yuan"}
    assert "2020-01-01" in str(err)


def test_end_before_start_is_refused(data_copy):
    data_copy.replace(V2023_FILE, "effective_to: 2026-07-31", "effective_to: 2023-07-31")
    assert _error(data_copy.path).key == "version"


def test_consistency_across_merged_versions(data_copy):
    """After merging, national ≥ provincial ≥ municipal under highest_level_difference."""
    data_copy.replace(
        V2023_FILE, "{value: 200000, ref: P-V2023-1", "{value: 120000, ref: P-V2023-1"
    )
    err = _error(data_copy.path)
    assert err.key == "parameters.subsidy"
    assert "V2023-1" in str(err) and V2023_FILE in str(err)


def test_gap_between_versions_is_a_date_error_not_a_load_error(data_copy):
    """A base that ends, and a complete restatement that starts later, leave a gap: dates in
    the gap raise PolicyDateError; dates on both sides resolve."""
    data_copy.replace(BASE_FILE, "effective_to: null", "effective_to: 2029-12-31")
    text = data_copy.file(BASE_FILE).read_text()
    data_copy.write(
        "2031-01-01_V2031.yaml",
        text.replace("id: V2020-36", "id: V2031")
        .replace("effective_from: 2020-10-31", "effective_from: 2031-01-01")
        .replace("effective_to: 2029-12-31", "effective_to: null")
        .replace("{value: 50000, ref: P-SUB-1", "{value: 80000, ref: P-SUB-1"),
    )
    book = policy.load(data_copy.path)
    assert book.at(date(2029, 12, 31)).subsidy.new_class_affordable_yuan == 50000
    assert book.at(date(2031, 1, 1)).subsidy.new_class_affordable_yuan == 80000
    with pytest.raises(policy.PolicyDateError) as exc:
        book.at(date(2030, 6, 1))
    assert "2020-10-31 至 2029-12-31；2031-01-01 起" in exc.value.message
    with pytest.raises(policy.PolicyDateError):
        book.periods(date(2029, 12, 1), date(2031, 1, 31))


def test_district_copy_with_changed_number_through_tuoyu_policy_dir(data_copy):
    """P-REG-2: another district supplies its own YAML via TUOYU_POLICY_DIR; data, not code."""
    data_copy.replace(BASE_FILE, "{value: 50000, ref: P-SUB-1", "{value: 60000, ref: P-SUB-1")
    with override_settings(TUOYU_POLICY_DIR=str(data_copy.path)):
        assert policy.data_dir() == data_copy.path
        assert policy.at(date(2024, 1, 1)).subsidy.new_class_affordable_yuan == 60000
    assert policy.at(date(2024, 1, 1)).subsidy.new_class_affordable_yuan == 50000


def test_environment_variable_selects_the_directory(data_copy, monkeypatch):
    monkeypatch.setenv("TUOYU_POLICY_DIR", str(data_copy.path))
    assert policy.data_dir() == data_copy.path
    monkeypatch.delenv("TUOYU_POLICY_DIR")
    assert policy.data_dir() == policy.DEFAULT_DIR


def test_app_ready_fails_loudly_on_a_typo(data_copy):
    """PolicyConfig.ready() validates at start-up: ImproperlyConfigured, Chinese + English,
    naming file and key."""
    data_copy.replace(BASE_FILE, "new_class_affordable_yuan:", "new_class_afordable_yuan:")
    config = apps.get_app_config("policy")
    with (
        override_settings(TUOYU_POLICY_DIR=str(data_copy.path)),
        pytest.raises(ImproperlyConfigured) as exc,
    ):
        config.ready()
    text = str(exc.value)
    assert "政策数据有误" in text and "invalid policy data" in text
    assert BASE_FILE in text and "subsidy.new_class_afordable_yuan" in text
    # leaving the override reloads the shipped data
    assert policy.at(date(2024, 1, 1)).subsidy.new_class_affordable_yuan == 50000


def test_policy_check_command(data_copy, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    call_command("policy_check", str(data_copy.path), "--date", "2023-08-01")
    out = capsys.readouterr().out
    assert "V2023-1" in out and "200000 元" in out and "policy data valid" in out
    data_copy.replace(BASE_FILE, "new_class_affordable_yuan:", "new_class_afordable_yuan:")
    with pytest.raises(CommandError, match="new_class_afordable_yuan"):
        call_command("policy_check", str(data_copy.path))
