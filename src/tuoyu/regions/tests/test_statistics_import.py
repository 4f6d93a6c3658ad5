"""Importing yearly statistics from Excel: all or nothing, every error with row, column and
code (POLICY §2 health management rate; P-NAT-3; P-REG-2: population figures are data)."""

from __future__ import annotations

import zipfile
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from tuoyu.audit.models import AuditEvent
from tuoyu.core.errors import DomainError
from tuoyu.regions import services
from tuoyu.regions.models import Region, RegionYearStatistic
from tuoyu.regions.services import IMPORT_HEADERS, region_statistics_import

from .conftest import DISTRICT, JINDONG_TOWNSHIPS, stat_row, xlsx

pytestmark = pytest.mark.django_db

DUOHU = "330703001"
DONGXIAO = "330703002"


def import_errors(user, file) -> list[tuple]:
    """(code, row, field) of every reported error; fails if the import succeeds."""
    with pytest.raises(DomainError) as exc:
        region_statistics_import(acting_user=user, file=file)
    return [(e.code, e.row, e.field) for e in exc.value.errors]


def stats_state() -> list[tuple]:
    return list(
        RegionYearStatistic.objects.order_by("region__code", "year").values_list(
            "region__code", "year", "resident_population", "hm_children_managed", "imported_at"
        )
    )


@pytest.fixture
def existing(jindong, health_user):
    """Statistics of 2023 already imported, so that a failed import could visibly damage
    them (a partial write or an update would change `stats_state()`)."""
    region_statistics_import(
        acting_user=health_user, file=xlsx([stat_row(c, 2023) for c in JINDONG_TOWNSHIPS])
    )
    return stats_state()


def test_good_file_creates_every_row(jindong, health_user, good_rows):
    result = region_statistics_import(acting_user=health_user, file=xlsx(good_rows))

    assert (result.created, result.updated, result.unchanged) == (12, 0, 0)
    assert result.years == (2024,)
    assert RegionYearStatistic.objects.filter(year=2024).count() == 12
    stat = RegionYearStatistic.objects.get(region__code=DUOHU, year=2024)
    assert stat.resident_population == 50_000
    assert (stat.children_age_0, stat.children_age_1, stat.children_age_2) == (410, 420, 430)
    assert stat.children_under_3 == 1_260
    assert (stat.hm_children_due, stat.hm_children_managed) == (1_250, 1_200)
    assert stat.health_management_rate == pytest.approx(0.96)
    assert stat.source == "妇幼保健信息系统导入"
    district = RegionYearStatistic.objects.get(region__code=DISTRICT, year=2024)
    assert district.resident_population == 550_000

    event = AuditEvent.objects.get(action="regions.statistics.saved")
    assert event.actor_username == "weijian"
    assert event.detail["created"] == 12
    assert event.detail["file"] == "统计.xlsx"
    assert f"{DUOHU}/2024" in event.detail["created_keys"]


def test_existing_year_is_updated_with_before_and_after_in_the_audit_event(existing, health_user):
    rows = [stat_row(DUOHU, 2023, hm_children_managed=1_234, resident_population=51_000)]
    rows += [stat_row(c, 2023) for c in JINDONG_TOWNSHIPS if c != DUOHU]

    result = region_statistics_import(acting_user=health_user, file=xlsx(rows))

    assert (result.created, result.updated, result.unchanged) == (0, 1, 10)
    stat = RegionYearStatistic.objects.get(region__code=DUOHU, year=2023)
    assert (stat.resident_population, stat.hm_children_managed) == (51_000, 1_234)
    event = AuditEvent.objects.filter(action="regions.statistics.saved").order_by("-seq")[0]
    assert event.changes == {
        f"{DUOHU}/2023": {
            "hm_children_managed": [1_200, 1_234],
            "resident_population": [50_000, 51_000],
        }
    }
    assert event.detail["updated"] == 1
    assert RegionYearStatistic.objects.count() == 11


def bad_cell(field: str, value, *, row_code: str = DONGXIAO) -> list[list]:
    """A valid first row, then a row with one bad value (spreadsheet row 3)."""
    return [stat_row(DUOHU), stat_row(row_code, **{field: value})]


@pytest.mark.parametrize(
    ("rows", "code", "field"),
    [
        (bad_cell("code", "330703999"), "unknown_region", "区划代码"),
        (bad_cell("code", "330702001"), "unknown_region", "区划代码"),  # 婺城区, not ours
        (bad_cell("code", "330703001001"), "unknown_region", "区划代码"),  # a village
        (bad_cell("code", None), "required", "区划代码"),
        ([stat_row(DUOHU), stat_row(DUOHU)], "duplicate_row", "区划代码"),
        (bad_cell("births", -1), "negative_value", "出生人数"),
        (bad_cell("children_age_1", "-3"), "negative_value", "1岁儿童数"),
        (bad_cell("resident_population", 12.5), "not_integer", "常住人口"),
        (bad_cell("hm_children_due", "很多"), "not_integer", "应管理儿童数"),
        (bad_cell("children_age_2", True), "not_integer", "2岁儿童数"),
        (bad_cell("children_age_0", None), "required", "0岁儿童数"),
        (bad_cell("children_age_0", 10**10), "value_too_large", "0岁儿童数"),
        (bad_cell("year", "二〇二四"), "not_integer", "年度"),
        (bad_cell("year", 1999), "year_out_of_range", "年度"),
        (bad_cell("year", timezone.localdate().year + 1), "year_out_of_range", "年度"),
        (
            bad_cell("hm_children_managed", 1_251),
            "inconsistent_counts",
            "健康管理人数",
        ),
        (
            bad_cell("hm_children_systematic", 1_201),
            "inconsistent_counts",
            "系统管理人数",
        ),
    ],
)
def test_a_bad_row_is_reported_with_row_column_and_code_and_nothing_is_imported(
    existing, health_user, rows, code, field
):
    errors = import_errors(health_user, xlsx(rows))

    assert errors == [(code, 3, field)]
    assert stats_state() == existing


def test_every_bad_row_is_reported_at_once(existing, health_user):
    rows = [
        stat_row(DUOHU),
        stat_row("330703999"),
        stat_row(DONGXIAO, births=-5, hm_children_managed=2_000),
        [],  # blank lines are skipped but keep their number
        stat_row("330703101", year=1990),
    ]
    errors = import_errors(health_user, xlsx(rows))
    assert errors == [
        ("unknown_region", 3, "区划代码"),
        ("negative_value", 4, "出生人数"),
        ("inconsistent_counts", 4, "健康管理人数"),
        ("year_out_of_range", 6, "年度"),
    ]
    assert stats_state() == existing


def test_duplicate_row_names_the_first_occurrence(jindong, health_user):
    with pytest.raises(DomainError) as exc:
        region_statistics_import(
            acting_user=health_user,
            file=xlsx([stat_row(DUOHU), stat_row(DONGXIAO), stat_row(DUOHU)]),
        )
    assert "第 2 行重复" in exc.value.errors[0].message
    assert exc.value.errors[0].row == 4


def test_same_region_different_years_is_no_duplicate(jindong, health_user):
    result = region_statistics_import(
        acting_user=health_user, file=xlsx([stat_row(DUOHU, 2022), stat_row(DUOHU, 2023)])
    )
    assert result.created == 2


def test_numbers_typed_as_text_or_whole_floats_are_accepted(jindong, health_user):
    rows = [stat_row(int(DUOHU), resident_population="50000", births=400.0, year="2024")]
    region_statistics_import(acting_user=health_user, file=xlsx(rows))
    stat = RegionYearStatistic.objects.get(region__code=DUOHU)
    assert (stat.resident_population, stat.births, stat.year) == (50_000, 400, 2024)


def test_wrong_headers_name_expected_and_found(existing, health_user):
    headers = list(IMPORT_HEADERS)
    headers[3], headers[4] = headers[4], headers[3]
    with pytest.raises(DomainError) as exc:
        region_statistics_import(
            acting_user=health_user, file=xlsx([stat_row(DUOHU)], headers=headers)
        )
    errors = exc.value.errors
    assert [(e.code, e.row, e.field) for e in errors] == [
        ("header_mismatch", 1, "常住人口"),
        ("header_mismatch", 1, "出生人数"),
    ]
    assert "应为“常住人口”" in errors[0].message
    assert "实际为“出生人数”" in errors[0].message
    assert stats_state() == existing


def test_missing_and_extra_columns_are_header_mismatches(existing, health_user):
    missing = list(IMPORT_HEADERS[:-1])
    errors = import_errors(health_user, xlsx([stat_row(DUOHU)[:-1]], headers=missing))
    assert errors == [("header_mismatch", 1, "系统管理人数")]

    extra = [*IMPORT_HEADERS, "备注"]
    errors = import_errors(health_user, xlsx([stat_row(DUOHU)], headers=extra))
    assert errors == [("header_mismatch", 1, "备注")]
    assert stats_state() == existing


def raw_file(content: bytes, name: str = "统计.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def zip_without_workbook() -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("hello.txt", "不是工作簿")
    return out.getvalue()


def truncated_xlsx() -> bytes:
    good = xlsx([stat_row(DUOHU)]).read()
    return good[: len(good) // 2]


@pytest.mark.parametrize(
    "content",
    [
        "区划代码,年度\n330703001,2024\n".encode(),  # a CSV
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,  # an old .xls
        zip_without_workbook(),
        truncated_xlsx(),
    ],
    ids=["csv", "xls", "zip", "truncated"],
)
def test_malformed_or_non_xlsx_file_is_file_invalid(existing, health_user, content):
    assert import_errors(health_user, raw_file(content)) == [("file_invalid", None, "file")]
    assert stats_state() == existing


def test_empty_inputs_are_file_empty(existing, health_user):
    assert import_errors(health_user, raw_file(b"")) == [("file_empty", None, "file")]
    # a workbook with no cells at all
    assert import_errors(health_user, xlsx([], headers=None)) == [("file_empty", 1, "file")]
    # headers but no data
    assert import_errors(health_user, xlsx([[None] * 11, []])) == [("file_empty", 2, "file")]
    assert stats_state() == existing


def test_file_over_5_mb_is_refused_before_reading(existing, health_user):
    big = raw_file(b"PK\x03\x04" + b"\0" * (5 * 1024 * 1024))
    with pytest.raises(DomainError) as exc:
        region_statistics_import(acting_user=health_user, file=big)
    assert (exc.value.code, exc.value.status) == ("file_too_large", 413)
    assert "5 MB" in exc.value.message
    assert stats_state() == existing


def test_too_many_rows_is_refused(existing, health_user, monkeypatch):
    monkeypatch.setattr(services, "MAX_IMPORT_ROWS", 3)
    rows = [stat_row(c) for c in list(JINDONG_TOWNSHIPS)[:4]]
    assert import_errors(health_user, xlsx(rows)) == [("too_many_rows", 5, "file")]
    assert stats_state() == existing


def test_error_list_is_capped(jindong, health_user, monkeypatch):
    monkeypatch.setattr(services, "MAX_REPORTED_ERRORS", 5)
    rows = [stat_row(f"3307039{i:02d}") for i in range(20)]
    errors = import_errors(health_user, xlsx(rows))
    assert [code for code, *_ in errors] == ["unknown_region"] * 5 + ["too_many_errors"]


def test_the_data_sheet_is_found_by_name_after_other_sheets(jindong, health_user):
    wb = Workbook()
    wb.active.title = "填写说明"
    wb.active.append(["随便写点什么"])
    data = wb.create_sheet("统计数据")
    data.append(list(IMPORT_HEADERS))
    data.append(stat_row(DUOHU))
    out = BytesIO()
    wb.save(out)
    result = region_statistics_import(acting_user=health_user, file=raw_file(out.getvalue()))
    assert result.created == 1


@pytest.mark.parametrize("who", ["township_user", "education_user", "institution_user"])
def test_only_the_health_bureau_and_operators_may_import(request, jindong, who):
    user = request.getfixturevalue(who)
    with pytest.raises(DomainError) as exc:
        region_statistics_import(acting_user=user, file=xlsx([stat_row(DUOHU)]))
    assert (exc.value.code, exc.value.status) == ("out_of_scope", 403)
    assert RegionYearStatistic.objects.count() == 0


def test_platform_operator_may_import(jindong, system_user):
    result = region_statistics_import(acting_user=system_user, file=xlsx([stat_row(DUOHU)]))
    assert result.created == 1


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    due=st.integers(0, 5_000),
    managed=st.integers(0, 5_000),
    systematic=st.integers(0, 5_000),
)
def test_counts_rule_managed_le_due_and_systematic_le_managed(
    jindong, health_user, due, managed, systematic
):
    """P-NAT-3: managed ≤ due and systematic ≤ managed, else `inconsistent_counts`."""
    row = stat_row(
        DUOHU,
        hm_children_due=due,
        hm_children_managed=managed,
        hm_children_systematic=systematic,
    )
    file = xlsx([row])
    if managed <= due and systematic <= managed:
        region_statistics_import(acting_user=health_user, file=file)
        stat = RegionYearStatistic.objects.get(region__code=DUOHU, year=2024)
        assert (stat.hm_children_due, stat.hm_children_managed) == (due, managed)
    else:
        codes = {code for code, *_ in import_errors(health_user, file)}
        assert codes == {"inconsistent_counts"}


def test_database_refuses_inconsistent_counts_too(jindong):
    from django.db import IntegrityError, transaction

    region = Region.objects.get(code=DUOHU)
    values = dict(zip(services.STAT_FIELDS, stat_row(DUOHU)[3:], strict=True))
    values["hm_children_managed"] = values["hm_children_due"] + 1
    with pytest.raises(IntegrityError), transaction.atomic():
        RegionYearStatistic.objects.create(
            region=region, year=2024, imported_at=timezone.now(), **values
        )
