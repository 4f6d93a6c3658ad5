"""The tabs of an institution's page. institutions registers its own; an app above it (filings
today; workforce, children and supervision next) registers a tab for the institution data it
owns, so institutions never imports them ([house] points 2 and 3)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class InstitutionTab:
    key: str
    label: str
    template: str
    # (request, institution) → the pane's context; it reads through the owning app's
    # selectors, so the app's scope rules apply.
    context: Callable[[object, object], dict]
    order: int = 100


_TABS: dict[str, InstitutionTab] = {}


def register_tab(tab: InstitutionTab) -> None:
    _TABS[tab.key] = tab


def registered_tabs() -> list[InstitutionTab]:
    return sorted(_TABS.values(), key=lambda t: (t.order, t.key))


def tab_get(key: str) -> InstitutionTab | None:
    return _TABS.get(key)
