"""Which department supervises what (P-ORG-2) and the checklists it inspects against.

The departments with a supervisory duty over care institutions: 区卫健局 health care
(P-SUP-1), 区市场监管局 food, 区消防救援大队 and 区住建局 fire, 区公安分局 security, 区教体局 the
integrated kindergarten–nurseries it registered (P-REG-10). The checklists are a versioned
data file of this app (data/checklists.yaml): items change with inspection practice, not
with a policy version, and an inspection keeps the version it was recorded against.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from tuoyu.core.scope import HEALTH_BUREAU, KINDERGARTEN_AUTHORITY

SUPERVISING_DEPARTMENTS = (
    HEALTH_BUREAU,
    "market_regulation",
    "fire_rescue",
    "housing",
    "public_security",
    KINDERGARTEN_AUTHORITY,
)
PUBLIC_SECURITY = "public_security"


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    text: str
    ref: str


@dataclass(frozen=True)
class Checklist:
    version: str
    department_code: str
    title: str
    items: tuple[ChecklistItem, ...]

    def item(self, code: str) -> ChecklistItem | None:
        return next((i for i in self.items if i.code == code), None)


@lru_cache(maxsize=1)
def _data() -> dict:
    return yaml.safe_load((Path(__file__).parent / "data" / "checklists.yaml").read_text("utf-8"))


def checklist_for(department_code: str) -> Checklist | None:
    data = _data()
    entry = data["departments"].get(department_code)
    if entry is None:
        return None
    items = tuple(ChecklistItem(**item) for item in entry["items"])
    return Checklist(str(data["version"]), department_code, entry["title"], items)


def supervises(department_code: str | None) -> bool:
    return department_code in SUPERVISING_DEPARTMENTS
