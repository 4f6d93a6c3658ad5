"""The random draw of 双随机、一公开 (P-SUP-4), reproducible by anyone from what the plan page
shows: the seed, the population with its weights, the inspectors.

Method (written on the plan page, docs/supervision.md):
1. The population is the department's inspectable institutions, sorted by USCC, each with
   its draw weight 1 + risk score (higher risk, drawn more often; nobody has weight 0).
2. `random.Random(seed)` (Python's Mersenne Twister, seeded with the seed string) draws one
   u in [0, 1) per institution in that order; the key is u ** (1 / weight) (weighted
   sampling without replacement, Efraimidis–Spirakis 2006). The N largest keys are drawn
   (ties: the smaller USCC).
3. The inspectors, sorted by user name, are shuffled by `random.Random(seed + ":inspectors")`;
   the i-th drawn institution (in draw order) goes to inspector i mod their number.
"""

from __future__ import annotations

import random
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

# The method as the plan page shows it (the module docstring says the same for developers).
METHOD = _(
    "1. 总体为本部门可检查的全部机构，按统一社会信用代码排序，每家的抽取权重为 1 + 风险评分"
    "（风险越高，被抽中的机会越大；没有权重为 0 的机构）。\n"
    "2. 以公示的随机种子初始化 Python 的 random.Random（梅森旋转算法），按上述顺序为每家机构"
    "抽一个 [0, 1) 之间的数 u，排序键为 u 的（1 / 权重）次方（Efraimidis–Spirakis 2006 "
    "加权不放回抽样）；排序键最大的 N 家被抽中（相同时取代码较小者）。\n"
    "3. 检查人员按用户名排序后，以“种子:inspectors”初始化的随机数打乱；按抽中顺序，第 i 家"
    "机构由第 i 名（按人数取余）检查人员检查。"
)


def draw(
    population: list[tuple[str, Decimal | float | str]], n: int, seed: str
) -> list[tuple[str, float]]:
    """The `n` drawn (uscc, key) of `population` [(uscc, weight)], highest key first."""
    rng = random.Random(seed)
    keyed = []
    for uscc, weight in sorted(population, key=lambda p: p[0]):
        u = rng.random()
        keyed.append((uscc, u ** (1.0 / float(weight))))
    keyed.sort(key=lambda k: (-k[1], k[0]))
    return keyed[:n]


def pair(drawn: list[str], inspectors: list[str], seed: str) -> list[tuple[str, str]]:
    """Pair each drawn USCC with an inspector's user name."""
    pool = sorted(inspectors)
    random.Random(f"{seed}:inspectors").shuffle(pool)
    return [(uscc, pool[i % len(pool)]) for i, uscc in enumerate(drawn)]
