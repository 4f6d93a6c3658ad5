"""Demo data for `tuoyu seed`: the division tree and plausible yearly statistics.

Deterministic for a given `ctx.rng` seed: townships are visited in code order and every
random draw happens in the same order on every run; a rerun updates nothing.
"""

from __future__ import annotations

from collections import defaultdict

from tuoyu.regions.models import STAT_FIELDS, Region
from tuoyu.regions.services import (
    SOURCE_SEED,
    StatisticRow,
    region_statistics_save_many,
    regions_load_from_division,
)

FIRST_YEAR = 2020


def _township_series(rng, years: list[int]) -> dict[int, dict[str, int]]:
    """Figures per year for one township: population 20,000–120,000 drifting a little each
    year; under-3s ≈ 2.5 % of residents, split by single year of age; births ≈ under-3s / 3
    ± 10 %; due ≈ under-3s; managed 92–98 % of due; systematic 85–95 % of managed."""
    population = rng.randint(20_000, 120_000)
    out = {}
    for year in years:
        population = max(1_000, round(population * rng.uniform(0.985, 1.02)))
        under_3 = round(population * 0.025 * rng.uniform(0.85, 1.15))
        weights = [rng.uniform(0.9, 1.1) for _ in range(3)]
        ages = [round(under_3 * w / sum(weights)) for w in weights]
        under_3 = sum(ages)
        due = round(under_3 * rng.uniform(0.97, 1.0))
        managed = round(due * rng.uniform(0.92, 0.98))
        out[year] = {
            "resident_population": population,
            "births": round(under_3 / 3 * rng.uniform(0.9, 1.1)),
            "children_age_0": ages[0],
            "children_age_1": ages[1],
            "children_age_2": ages[2],
            "hm_children_due": due,
            "hm_children_managed": managed,
            "hm_children_systematic": round(managed * rng.uniform(0.85, 0.95)),
        }
    return out


def has_data() -> bool:
    return Region.objects.exists()


def generate(ctx) -> None:
    counts = regions_load_from_division(code=ctx.region_root_code)
    ctx.log(
        f"区划：{counts['name']}（{counts['code']}）新增 {counts['created']}，"
        f"更新 {counts['updated']}，共 {sum(counts['levels'].values())} 个"
    )
    root = ctx.region_root_code
    years = list(range(FIRST_YEAR, ctx.year + 1))
    townships = list(
        Region.objects.filter(code__startswith=root, level=Region.Level.TOWNSHIP).order_by("code")
    )
    districts = {
        r.code: r for r in Region.objects.filter(code__startswith=root, level=Region.Level.DISTRICT)
    }
    rows: list[StatisticRow] = []
    totals: dict[tuple[str, int], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(STAT_FIELDS, 0)
    )
    for township in ctx.progress(townships, total=len(townships), desc="镇乡街道年度统计"):
        for year, values in _township_series(ctx.rng, years).items():
            rows.append(StatisticRow(region=township, year=year, values=values))
            district_total = totals[(township.code[:6], year)]
            for name, value in values.items():
                district_total[name] += value
    # The district rows are the sums of their townships (as the health system reports them).
    for (district_code, year), values in sorted(totals.items()):
        if district_code in districts:
            rows.append(StatisticRow(region=districts[district_code], year=year, values=values))
    result = region_statistics_save_many(
        rows=rows, source=SOURCE_SEED, detail={"seed": True, "root": root}
    )
    ctx.log(
        f"年度统计 {years[0]}–{years[-1]}：{len(townships)} 个镇乡街道，"
        f"新增 {result.created}，更新 {result.updated}，未变化 {result.unchanged}"
    )
