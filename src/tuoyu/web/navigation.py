"""The navigation registry: each app registers its entries (and home cards) in its
AppConfig.ready(); the shell shows an entry when the user holds its permission (`rules`).
The shell itself knows no domain app ([house] point 1)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavEntry:
    """An entry of the navigation (and a tile of the home page).

    [accounts-ux] point 2: `descriptions` are (permission, text) variants of `description`
    — the first whose permission the user holds replaces it, so a tile never names an
    action the user cannot take; `badge(user)` returns how many items wait for the user
    there (an int; 0 or None shows no badge), counted by one aggregate query, and
    `badge_label` says what the number counts (the badge's accessible name)."""

    label: str
    url_name: str
    permission: str | None
    icon: str
    description: str = ""
    order: int = 100
    descriptions: tuple[tuple[str, str], ...] = ()
    badge: Callable[[object], int | None] | None = None
    badge_label: str = ""
    # [scale] #10 point 4: the badge as querysets whose row counts add up to it (empty: no
    # badge). Every entry's querysets of a request are counted in one statement
    # (`count_together`), where a `badge` callable costs a query of its own.
    badge_queries: Callable[[object], Iterable[QuerySet]] | None = None

    def description_for(self, user) -> str:
        for permission, text in self.descriptions:
            if user.has_perm(permission):
                return text
        return self.description


@dataclass(frozen=True)
class HomeCard:
    """A card on the home page: `template` is rendered with what `context(request)` returns;
    None from `context` leaves the card out for that user."""

    name: str
    template: str
    permission: str | None
    context: Callable[[object], dict | None]
    order: int = 100


_ENTRIES: dict[str, NavEntry] = {}
_CARDS: dict[str, HomeCard] = {}

HOME = NavEntry(_("首页"), "web:home", None, "house", order=0)


def register(*entries: NavEntry) -> None:
    """Register navigation entries; registering a url name again replaces its entry."""
    for entry in entries:
        _ENTRIES[entry.url_name] = entry


def register_card(card: HomeCard) -> None:
    _CARDS[card.name] = card


def registered_entries() -> list[NavEntry]:
    return sorted([HOME, *_ENTRIES.values()], key=lambda e: (e.order, e.url_name))


def count_together(querysets: list[QuerySet]) -> list[int]:
    """The row count of each queryset, all in one statement (`SELECT (SELECT COUNT(*) FROM
    (…)), …`); a queryset that can match nothing (`.none()`, `__in=[]`) is 0 without SQL."""
    parts, params, slots = [], [], []
    for qs in querysets:
        try:
            sql, p = qs.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:
            slots.append(None)
            continue
        slots.append(len(parts))
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS badge_{len(parts)})")
        params.extend(p)
    counts: list = []
    if parts:
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(parts), params)
            counts = list(cursor.fetchone())
    return [0 if slot is None else int(counts[slot]) for slot in slots]


def _badges(user, entries: list[NavEntry]) -> dict[str, int]:
    """The badges of `entries` for `user`: `badge_queries` counted in one statement, then
    any `badge` callable (kept once per request on the user, like `memo`)."""
    grouped = {e.url_name: list(e.badge_queries(user)) for e in entries if e.badge_queries}
    flat = [qs for group in grouped.values() for qs in group]
    counts = iter(count_together(flat))
    out = {name: sum(next(counts) for _ in group) for name, group in grouped.items()}
    for e in entries:
        if e.badge and not e.badge_queries:
            out[e.url_name] = e.badge(user) or 0
    return out


def entries_for(user) -> list[dict]:
    shown = []
    for entry in registered_entries():
        if entry.permission and not user.has_perm(entry.permission):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            # A capability whose pages are not installed; test_navigation keeps ours complete.
            continue
        shown.append((entry, url))
    badges = memo(user, "web.navigation.badges", lambda: _badges(user, [e for e, _ in shown]))
    return [
        {
            "label": entry.label,
            "url": url,
            "url_name": entry.url_name,
            "icon": entry.icon,
            "description": entry.description_for(user),
            "badge": badges.get(entry.url_name, 0),
            "badge_label": entry.badge_label,
        }
        for entry, url in shown
    ]


def memo(user, key: str, compute: Callable[[], object]):
    """A count computed once per request: the home card and the navigation badge of the
    same queue share it (kept on the request's user object, which lives as long as the
    request)."""
    cache = getattr(user, "_tuoyu_work_counts", None)
    if cache is None:
        cache = {}
        user._tuoyu_work_counts = cache
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def cards_for(request) -> list[dict]:
    out = []
    for card in sorted(_CARDS.values(), key=lambda c: (c.order, c.name)):
        if card.permission and not request.user.has_perm(card.permission):
            continue
        context = card.context(request)
        if context is not None:
            out.append({"template": card.template, "context": context})
    return out
