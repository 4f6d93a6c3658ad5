"""The registry of personal-data retention rules ([operations] point 3, PIPL art. 19 and 47:
personal information is kept no longer than its purpose needs; children's data is sensitive
personal information).

An app that keeps personal records registers, in its `AppConfig.ready()`, one rule per kind
of record whose relationship with the platform ends (a child's withdrawal, a staff member's
leaving, a closed complaint, a disabled account). The periodic job `core.retention`
(declared by the jobs app) runs every rule each night: for the run's day it computes the
cut-off `day − period` from the policy parameter the rule names, asks the rule for the
records whose relationship ended before the cut-off and that are not yet anonymised, and
hands them to the rule in batches, one transaction and one audit event per batch.

Core knows no app and no policy: a rule names its policy parameter by its dotted key (as
`tuoyu.policy.labels` does), and the runner resolves it.

    # tuoyu/workforce/retention.py
    from django.utils.translation import gettext_lazy as _
    from tuoyu.core.retention import RetentionRule, register

    def _due(cutoff):
        # Staff who left before the cut-off and still carry their name.
        from tuoyu.workforce.models import StaffMember
        return StaffMember.objects.filter(left_on__lt=cutoff, anonymised_at__isnull=True)

    def _anonymise(records, *, now):
        # Names and ID numbers go; the row, its dates, its institution and its counts stay,
        # so past years' indicators do not change.
        for staff in records:
            staff.name = f"已匿名{staff.pk}"
            staff.id_number = ""          # PersonalDataField: the ciphertext is gone
            staff.anonymised_at = now
            staff.save(update_fields=["name", "id_number", "id_number_index", "anonymised_at"])
        return len(records)

    def register_retention():
        register(RetentionRule(
            name="workforce.staff_left",
            policy_key="retention.staff_after_leaving_years",
            label=LEFT_STAFF,    # a lazy translation of 离职从业人员
            ends=LEAVING_DATE,  # a lazy translation of 离职日期
            due=_due,
            anonymise=_anonymise,
        ))

    # tuoyu/workforce/apps.py, in ready():  from tuoyu.workforce.retention import
    # register_retention; register_retention()

Rules:

- `due(cutoff)` returns a queryset (ordered or not; the runner orders by pk) of the records
  past their period on the cut-off date and not yet anonymised. Anonymised records must
  drop out of it, or the job would never finish: that is what makes a rerun harmless.
- `anonymise(records, now=...)` receives a list of at most `batch_size` model instances
  inside a transaction, replaces or removes names, ID numbers, phones, notes — whatever
  identifies a person — keeps the row, its dates, relations and counted fields, and returns
  how many it anonymised. It writes no audit event itself (the runner writes one per batch).
- Bans and blacklist entries (P-WF bans, institution and person blacklists) are kept as the
  law requires and are never registered here: `register` refuses a rule whose name says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_NAME_PARTS = 2
# Records that the law requires to be kept: never anonymised by a retention rule.
_KEPT_BY_LAW = ("ban", "blacklist")


@dataclass(frozen=True)
class RetentionRule:
    #: "app.what", e.g. "accounts.disabled_users"; also the audit event's object id.
    name: str
    #: The policy parameter holding the period in years, e.g. "retention.account_after_disabling_years".
    policy_key: str
    #: Chinese (lazy) name of the records, shown on the job's page and the policy page.
    label: Any
    #: The queryset of records past the period on a cut-off date, not yet anonymised.
    due: Callable[[dt.date], Any] = field(compare=False)
    #: Anonymises a list of records (in the runner's transaction); returns how many.
    anonymise: Callable[..., int] = field(compare=False)
    #: Chinese (lazy): the event that ends the relationship, from which the period counts.
    ends: Any = ""
    batch_size: int = 200


_REGISTRY: dict[str, RetentionRule] = {}


def register(rule: RetentionRule) -> RetentionRule:
    """Add `rule` (registering the same rule again, as a re-run ready() does, is harmless)."""
    parts = rule.name.split(".")
    if len(parts) != _NAME_PARTS or not all(parts):
        raise ValueError(f"retention rule name {rule.name!r} must look like 'app.records'")
    if any(word in rule.name for word in _KEPT_BY_LAW):
        raise ValueError(f"retention rule {rule.name!r}: bans and blacklists are kept by law")
    if not rule.policy_key.startswith("retention."):
        raise ValueError(f"retention rule {rule.name!r}: the period must be a retention.* key")
    if rule.batch_size < 1:
        raise ValueError(f"retention rule {rule.name!r}: batch_size must be positive")
    _REGISTRY[rule.name] = rule
    return rule


def unregister(name: str) -> None:
    """For tests that register throw-away rules."""
    _REGISTRY.pop(name, None)


def get_rule(name: str) -> RetentionRule | None:
    return _REGISTRY.get(name)


def all_rules() -> list[RetentionRule]:
    return sorted(_REGISTRY.values(), key=lambda r: r.name)


def cutoff(day: dt.date, years: int) -> dt.date:
    """`day` `years` years earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
