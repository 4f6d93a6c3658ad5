"""Shared pieces of the claims and ledger tests: a stand-in entitlement, standing providers
that find no problem, a funded fund (the filed institution and its account are fixtures in
conftest.py).

`entitled(monkeypatch, …)` replaces `tuoyu.subsidies.entitlements.entitlement_for` with one
answering the given items; the flow test `test_claims_flow.py::test_real_entitlement_*`
runs against the real computation."""

from __future__ import annotations

from decimal import Decimal

from tests.factories.subsidies import FundBudgetFactory, FundFactory
from tuoyu.institutions import standing
from tuoyu.subsidies import entitlements
from tuoyu.subsidies.entitlements import Entitlement, EntitlementItem

STANDING_KEYS = ("not_blacklisted", "no_open_critical_order", "not_suspended")
BANK = {
    "bank_account_name": "金东区阳光托育有限公司",
    "bank_name": "中国农业银行金华金东支行",
    "bank_account": "6228 4800 1234 5678 901",
}


def item(institution, n: int, amount="50000.00", ref="P-SUB-1", filed_on="2024-03-01"):
    return EntitlementItem(
        key=f"{institution.pk}/{ref}/class/{n}",
        policy_ref=ref,
        policy_version="V2023-1",
        description=f"新增班级建设补助（第{n}班）",
        quantity=Decimal("1"),
        unit_amount_yuan=Decimal(amount),
        amount_yuan=Decimal(amount),
        basis={"class_id": n, "class_filed_on": filed_on, "eligible_from": "2020-10-31"},
    )


def entitled(monkeypatch, institution, items, year=2024):
    """entitlement_for answers `items` for `institution` (any year), nothing for others."""

    def fake(*, institution: object, year: int) -> Entitlement:
        pk = getattr(institution, "pk", institution)
        mine = tuple(items) if pk == owner else ()
        return Entitlement(institution_id=pk, year=year, items=mine)

    owner = institution.pk
    monkeypatch.setattr(entitlements, "entitlement_for", fake)
    return items


def no_standing_problems(monkeypatch, problems: dict | None = None):
    """Register a provider for each standing key (restored after the test): `problems`
    {key: {institution id: [reasons]}} answers those, every other institution passes."""
    problems = problems or {}
    for key in STANDING_KEYS:
        answer = problems.get(key, {})
        monkeypatch.setitem(
            standing._providers,
            key,
            lambda ids, on, answer=answer: {i: r for i, r in answer.items() if i in ids},
        )


def funded(finance_user, *, year=2024, amount="1000000.00", pays_refs=(), code="district"):
    fund = FundFactory(code=code, pays_refs=list(pays_refs))
    FundBudgetFactory(fund=fund, year=year, amount_yuan=Decimal(amount), recorded_by=finance_user)
    return fund
