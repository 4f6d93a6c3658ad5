"""An institution's standing on a day, as other apps judge it, without institutions (or the
app asking) importing them ([house] point 3).

The subsidy review (P-SUB-1..3, eligibility rules as policy data) asks "is this institution
blacklisted, does it have an open critical rectification order, is its staffing short?" — facts
owned by supervision and workforce, apps on the subsidies' own floor that it may not import.
Each owner registers a provider under a key in its AppConfig.ready(); a provider answers for
many institutions at once (one query, however many ids) with, per institution that has a
problem, the reasons in words for people.

Keys are the names the policy data's rule lists use (e.g. ``not_blacklisted``). A key nobody
registered answers "no problem found" and is reported by `unregistered()`, so a review can say
that the rule could not be checked rather than pass it silently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

# (institution ids, day) → {institution id: [reason in words, …]} (only ids with a problem)
StandingProvider = Callable[[list[int], dt.date], dict[int, list[str]]]

_providers: dict[str, StandingProvider] = {}


def register_standing(key: str, provider: StandingProvider) -> StandingProvider:
    _providers[key] = provider
    return provider


def unregister_standing(key: str) -> None:
    _providers.pop(key, None)


def registered() -> frozenset[str]:
    return frozenset(_providers)


def unregistered(keys: Iterable[str]) -> list[str]:
    return [k for k in keys if k not in _providers]


def standing_problems(
    keys: Iterable[str], institution_ids: Iterable[int], on: dt.date
) -> dict[str, dict[int, list[str]]]:
    """{key: {institution id: reasons}} for each registered key asked for."""
    ids = sorted(set(institution_ids))
    out: dict[str, dict[int, list[str]]] = {}
    for key in keys:
        provider = _providers.get(key)
        out[key] = provider(ids, on) if provider and ids else {}
    return out
