"""`tuoyu seed`: deterministic, realistic demo and scale data, one generator per app.

Each app that owns data provides `<app>/seeding.py` with `generate(ctx)`, and may add
`generate_after_all(ctx)` for what needs the other apps' data first. The runner asks every
installed tuoyu app in INSTALLED_APPS order, which follows the floors (lowest first), so
core names no app ([house] point 7). Each generator gets its own random stream derived from
the seed and the app name, so adding a generator never changes another app's data.

At scale ([scale] point 1) a generator streams its rows in chunks (`ctx.stream`, through
`core.bulk.bulk_insert`, one transaction per chunk) so memory stays flat whatever the
count; the run ends with the statistics refresh of `core.db.refresh_statistics` (the
planner sees the data the seed wrote) and reports rows written, rows/s and peak RSS.
Services that accept only the platform's own district (`settings.TUOYU_DISTRICT_CODE`)
are called for another district's rows inside `jurisdiction(code)`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib
import importlib.util
import random
import resource
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from tqdm import tqdm

from tuoyu.core import clock

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
    """What a scale makes. Only counts that a generator actually makes are declared here;
    an app that adds a generator (children, staff, daily checks…) derives its volume from
    these (e.g. children per filed slot) or adds its own field with its generator."""

    name: str
    region_root_code: str  # what load_regions loads
    institutions: int
    # At most this many institutions per in-progress state (not filed, draft, in review,
    # returned, awaiting decision, change pending, changed, cancelled) in EVERY district;
    # the rest of a district's institutions are filed.
    per_state_per_district: int = 15


SCALES = {
    # Jindong itself: ~30 institutions (the demo district).
    "district": Scale("district", "330703", 30),
    # Small multi-district scale for tests: Zhoushan's 4 districts, every state in each.
    "test": Scale("test", "3309", 100, per_state_per_district=1),
    "city": Scale("city", "3307", 600, per_state_per_district=2),
    "province": Scale("province", "33", 5_000, per_state_per_district=1),
}
CHUNK = 5_000  # rows per chunk (and per transaction) of `SeedContext.stream`


@contextlib.contextmanager
def jurisdiction(code: str):
    """Run the services as the platform of district `code` would: they accept townships of
    `settings.TUOYU_DISTRICT_CODE` only (filing facts, chain townships, filing numbers).
    For seeding a province, district by district; a no-op for the platform's own district."""
    from django.conf import settings

    if code == settings.TUOYU_DISTRICT_CODE:
        yield
        return
    from django.test.utils import override_settings

    with override_settings(TUOYU_DISTRICT_CODE=code):
        yield


@dataclass
class SeedContext:
    scale: Scale
    seed: int
    district_code: str
    today: dt.date
    stdout: Any = None
    quiet: bool = False
    # Weeks of day-by-day history the generators make where they make any (daily checks):
    # short by default, so the suites' many seeds stay quick; `make demo` asks for a year.
    history_weeks: int = 4
    rng: random.Random = field(default_factory=random.Random)
    shared: dict = field(default_factory=dict)  # generators hand results to later ones
    streamed: dict = field(default_factory=dict)  # model label → rows written by `stream`

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

    def stream(self, model, rows: Iterable, *, chunk: int = CHUNK) -> int:
        """Write the unsaved `model` instances that `rows` yields, `chunk` at a time, each
        chunk in its own transaction (`core.bulk.bulk_insert`: COPY / executemany); `rows`
        should be a generator so that no list of all rows is ever held. Returns the count."""
        from tuoyu.core.bulk import bulk_insert

        written = 0
        iterator: Iterator = iter(rows)
        while batch := list(islice(iterator, chunk)):
            written += bulk_insert(model, batch, batch_size=chunk)
        label = model._meta.label_lower
        self.streamed[label] = self.streamed.get(label, 0) + written
        return written


def row_counts() -> dict[str, int]:
    """Rows in every table of the tuoyu apps (auto-created many-to-many tables included)."""
    from django.apps import apps

    labels = {c.label for c in apps.get_app_configs() if c.name.startswith("tuoyu.")}
    counts: dict[str, int] = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in labels or not model._meta.managed or model._meta.proxy:
            continue
        counts[model._meta.db_table] = model._base_manager.count()
    return counts


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
    history_weeks: int = 4,
) -> SeedContext:
    ctx = SeedContext(
        scale=SCALES[scale],
        seed=seed,
        district_code=district_code,
        today=today or clock.today(),
        stdout=stdout,
        quiet=quiet,
        history_weeks=history_weeks,
    )
    before = row_counts()
    started = time.perf_counter()
    for phase in PHASES:
        for app, module in generators():
            step = getattr(module, phase, None)
            if step is None or (only and app not in only):
                continue
            ctx.rng = ctx.rng_for(app if phase == "generate" else f"{app}:{phase}")
            ctx.log(f"生成 {app} 数据…")
            step(ctx)
    generated = time.perf_counter() - started
    # Large writes end with fresh planner statistics ([scale] point 4).
    from tuoyu.core.db import refresh_statistics

    refresh_statistics()
    after = row_counts()
    rows = sum(after.values()) - sum(before.values())
    seconds = time.perf_counter() - started
    ctx.shared["report"] = {
        "rows": rows,
        "tables": {t: n - before.get(t, 0) for t, n in after.items() if n != before.get(t, 0)},
        "generate_seconds": generated,
        "seconds": seconds,
        "rows_per_second": rows / seconds if seconds else 0.0,
        "peak_rss_mib": peak_rss_mib(),
    }
    return ctx
