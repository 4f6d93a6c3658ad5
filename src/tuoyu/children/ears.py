"""Aberration detection on daily symptom counts: the CDC Early Aberration Reporting System
(EARS) methods C1, C2 and C3 (Hutwagner et al., "The bioterrorism preparedness and response
Early Aberration Reporting System (EARS)", J Urban Health 2003; the `earsC` methods of the
R package `surveillance`).

For the count x[t] of day t:

- C1 ("mild"): baseline the 7 days t−7 … t−1; C1 = (x[t] − mean) / sd; a signal when > 3.
- C2 ("medium"): baseline the 7 days t−9 … t−3 (a 2-day guard band); C2 likewise; > 3.
- C3 ("ultra"): C3 = Σ_{i=0..2} max(0, C2[t−i] − 1); a signal when > 2.

sd is the sample standard deviation of the baseline. A baseline of constant counts (sd 0,
often all zeros in a township) would make any case infinite: sd is floored at
`MIN_SD` = 0.5 cases (a decision of the platform, stated here; the original system floors it
too), so that one case after a silent week is no signal but three are.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

BASELINE_DAYS = 7
GUARD_DAYS = 2
THRESHOLD_C1_C2 = 3.0
THRESHOLD_C3 = 2.0
MIN_SD = 0.5


@dataclass(frozen=True)
class Signal:
    method: str
    statistic: float
    threshold: float

    @property
    def flagged(self) -> bool:
        return self.statistic > self.threshold


def _c(series: list[int], t: int, lag: int) -> float | None:
    start, end = t - lag - BASELINE_DAYS, t - lag
    if start < 0:
        return None
    base = series[start:end]
    sd = max(statistics.stdev(base), MIN_SD)
    return (series[t] - statistics.fmean(base)) / sd


def c1(series: list[int], t: int | None = None) -> Signal | None:
    t = len(series) - 1 if t is None else t
    s = _c(series, t, 0)
    return None if s is None else Signal("C1", s, THRESHOLD_C1_C2)


def c2(series: list[int], t: int | None = None) -> Signal | None:
    t = len(series) - 1 if t is None else t
    s = _c(series, t, GUARD_DAYS)
    return None if s is None else Signal("C2", s, THRESHOLD_C1_C2)


def c3(series: list[int], t: int | None = None) -> Signal | None:
    t = len(series) - 1 if t is None else t
    parts = [_c(series, t - i, GUARD_DAYS) for i in range(3)]
    if any(p is None for p in parts):
        return None
    return Signal("C3", sum(max(0.0, p - 1) for p in parts), THRESHOLD_C3)


def ears(series: list[int]) -> list[Signal]:
    """C1, C2 and C3 for the last day of `series` (oldest first); those computable."""
    return [s for s in (c1(series), c2(series), c3(series)) if s is not None]
