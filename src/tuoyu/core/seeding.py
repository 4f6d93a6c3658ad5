"""`tuoyu seed`: deterministic, realistic demo and scale data, one generator per app.

Each app that owns data provides `<app>/seeding.py` with `generate(ctx)`, and may add
`generate_after_all(ctx)` for what needs the other apps' data first. The runner asks every
installed tuoyu app in INSTALLED_APPS order, which follows the floors (lowest first), so
core names no app ([house] point 7). Each generator gets its own random stream derived from
the seed and the app name, so adding a generator never changes another app's data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import importlib.util
import random
from dataclasses import dataclass, field
from typing import Any

from tqdm import tqdm

PHASES = ("generate", "generate_after_all")


def generators() -> list[tuple[str, object]]:
    """(app label, seeding module) of every installed tuoyu app that has one, in
    INSTALLED_APPS order."""
    from django.apps import apps

    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("tuoyu."):
            continue
        module_name = f"{config.name}.seeding"
        if module_name == __name__ or importlib.util.find_spec(module_name) is None:
            continue
        found.append((config.label, importlib.import_module(module_name)))
    return found


@dataclass(frozen=True)
class Scale:
    name: str
    region_root_code: str  # what load_regions loads
    institutions: int
    children: int
    staff: int


SCALES = {
    # Jindong itself: ~30 institutions, 1,500 children in care.
    "district": Scale("district", "330703", 30, 1_500, 300),
    "city": Scale("city", "3307", 600, 24_000, 12_000),
    "province": Scale("province", "33", 5_000, 200_000, 100_000),
}


@dataclass
class SeedContext:
    scale: Scale
    seed: int
    district_code: str
    today: dt.date
    stdout: Any = None
    quiet: bool = False
    rng: random.Random = field(default_factory=random.Random)
    shared: dict = field(default_factory=dict)  # generators hand results to later ones

    @property
    def region_root_code(self) -> str:
        return self.scale.region_root_code

    @property
    def year(self) -> int:
        return self.today.year

    def rng_for(self, name: str) -> random.Random:
        digest = hashlib.sha256(f"{self.seed}:{name}".encode()).digest()
        return random.Random(int.from_bytes(digest[:8], "big"))

    def progress(self, iterable, *, total: int | None = None, desc: str = ""):
        return tqdm(
            iterable,
            total=total,
            desc=desc,
            disable=self.quiet,
            unit="条",
            leave=False,
            file=None,
        )

    def log(self, message: str) -> None:
        if self.stdout is not None and not self.quiet:
            self.stdout.write(message)


def has_data() -> bool:
    """Whether any app reports data of its own (`has_data()` in its seeding module)."""
    return any(module.has_data() for _app, module in generators() if hasattr(module, "has_data"))


def run(
    *,
    scale: str,
    seed: int,
    district_code: str,
    today: dt.date | None = None,
    stdout=None,
    quiet: bool = False,
    only: list[str] | None = None,
) -> SeedContext:
    ctx = SeedContext(
        scale=SCALES[scale],
        seed=seed,
        district_code=district_code,
        today=today or dt.date.today(),
        stdout=stdout,
        quiet=quiet,
    )
    for phase in PHASES:
        for app, module in generators():
            step = getattr(module, phase, None)
            if step is None or (only and app not in only):
                continue
            ctx.rng = ctx.rng_for(app if phase == "generate" else f"{app}:{phase}")
            ctx.log(f"生成 {app} 数据…")
            step(ctx)
    return ctx
