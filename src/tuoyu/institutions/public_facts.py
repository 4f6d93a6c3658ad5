"""What other apps add to the public listing (API-CONTRACT §6) without institutions importing
them ([house] point 3): the children app counts enrolment per class (vacancies), the
supervision app gives the credit rating (P-SUP-5) and the last inspection. Each registers a
provider in its AppConfig.ready(); a provider answers for a whole page at once (one query,
however many rows), and answers only public facts.

Until such an app is installed, nothing is registered: vacancies equal capacity, and
`credit_rating` and `last_inspection` are null, as the contract says.
"""

from __future__ import annotations

from collections.abc import Callable

# class ids → {class id: children enrolled}
EnrolmentCounter = Callable[[list[int]], dict[int, int]]
# institution ids → {institution id: {"credit_rating": …, "last_inspection": {…}}}
InstitutionFacts = Callable[[list[int]], dict[int, dict]]

PUBLIC_FACT_FIELDS = frozenset({"credit_rating", "last_inspection"})

_enrolment: dict[str, EnrolmentCounter] = {}
_facts: dict[str, InstitutionFacts] = {}


def _name(func) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def register_enrolment_counter(func: EnrolmentCounter) -> EnrolmentCounter:
    _enrolment[_name(func)] = func
    return func


def register_institution_facts(func: InstitutionFacts) -> InstitutionFacts:
    _facts[_name(func)] = func
    return func


def unregister(func) -> None:
    _enrolment.pop(_name(func), None)
    _facts.pop(_name(func), None)


def enrolled_by_class(class_ids: list[int]) -> dict[int, int]:
    """Children enrolled per class, summed over the registered counters."""
    out: dict[int, int] = {}
    if not class_ids:
        return out
    for counter in _enrolment.values():
        for class_id, n in counter(class_ids).items():
            out[class_id] = out.get(class_id, 0) + n
    return out


def institution_facts(institution_ids: list[int]) -> dict[int, dict]:
    """Public facts per institution from the registered providers; a provider may name only
    the contract's fields (a personal value can never slip into the public answer)."""
    out: dict[int, dict] = {}
    if not institution_ids:
        return out
    for provider in _facts.values():
        for institution_id, facts in provider(institution_ids).items():
            unknown = set(facts) - PUBLIC_FACT_FIELDS
            if unknown:
                raise ValueError(f"公开名录不接受这些字段：{sorted(unknown)}")
            out.setdefault(institution_id, {}).update(facts)
    return out
