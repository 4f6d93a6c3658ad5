"""P-SUB-4 under concurrency (PostgreSQL; SQLite serialises writers anyway): two threads
paying the same claim → exactly one payment, the other item_already_paid; two claims racing
for the same item → exactly one claim, the other item_already_claimed; two payments from a
fund whose balance covers only one → the fund is never overdrawn (fund_balance_exceeded);
claim numbers never shared."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from tuoyu.core.errors import DomainError
from tuoyu.subsidies.models import Claim, LedgerEntry, Payment
from tuoyu.subsidies.selectors.ledger import fund_balance
from tuoyu.subsidies.services.claims import claim_approve, claim_pay, claim_review, claim_submit
from tuoyu.subsidies.tests.claims_support import (
    BANK,
    entitled,
    funded,
    item,
    no_standing_problems,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _race(n, fn):
    """Run fn(i) in n threads released together; → (results, DomainError codes)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL; SQLite serialises writers anyway")
    results, codes, errors = [], [], []
    barrier = threading.Barrier(n)

    def worker(i):
        try:
            barrier.wait()
            results.append(fn(i))
        except DomainError as exc:
            codes.append(exc.code)
        except BaseException as exc:  # anything else fails the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results, codes


def _approved(user, institution, keys, health_user, finance_user):
    claim = claim_submit(
        acting_user=user, institution=institution, year=2024, item_keys=keys, **BANK
    )
    claim_review(acting_user=health_user, claim=claim, approve=True)
    claim_approve(acting_user=finance_user, claim=claim, approve=True)
    return claim


def test_two_threads_paying_the_same_claim(
    monkeypatch, filed_institution, filed_user, health_user, finance_user
):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    (a,) = entitled(monkeypatch, filed_institution, [item(filed_institution, 1)])
    no_standing_problems(monkeypatch)
    fund = funded(finance_user)
    claim = _approved(filed_user, filed_institution, [a.key], health_user, finance_user)

    results, codes = _race(
        2,
        lambda i: claim_pay(
            acting_user=finance_user,
            claim=claim,
            fund=fund,
            voucher_number=f"RACE-{i}",
            paid_on=dt.date(2024, 11, 20),
        ),
    )
    assert len(results) == 1 and codes == ["item_already_paid"]
    assert Payment.objects.count() == 1
    assert LedgerEntry.objects.filter(item_key=a.key).count() == 1
    assert fund_balance(fund, 2024) == Decimal("950000.00")


def test_two_claims_racing_for_the_same_item(monkeypatch, filed_institution, filed_user):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    (a,) = entitled(monkeypatch, filed_institution, [item(filed_institution, 1)])
    results, codes = _race(
        2,
        lambda i: claim_submit(
            acting_user=filed_user,
            institution=filed_institution,
            year=2024,
            item_keys=[a.key],
            **BANK,
        ),
    )
    assert len(results) == 1 and codes == ["item_already_claimed"]
    assert Claim.objects.count() == 1


def test_concurrent_payments_never_overdraw_the_fund(
    monkeypatch, filed_institution, filed_user, health_user, finance_user
):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    a, b = entitled(
        monkeypatch, filed_institution, [item(filed_institution, 1), item(filed_institution, 2)]
    )
    no_standing_problems(monkeypatch)
    fund = funded(finance_user, amount="80000.00")  # one claim of 50,000 fits, not two
    claims = [
        _approved(filed_user, filed_institution, [k], health_user, finance_user)
        for k in (a.key, b.key)
    ]
    results, codes = _race(
        2,
        lambda i: claim_pay(
            acting_user=finance_user,
            claim=claims[i],
            fund=fund,
            voucher_number=f"OD-{i}",
            paid_on=dt.date(2024, 11, 20),
        ),
    )
    assert len(results) == 1 and codes == ["fund_balance_exceeded"]
    assert fund_balance(fund, 2024) == Decimal("30000.00")


def test_concurrent_claims_never_share_a_number(monkeypatch, filed_institution, filed_user):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    items = entitled(
        monkeypatch, filed_institution, [item(filed_institution, n) for n in range(1, 7)]
    )
    results, codes = _race(
        6,
        lambda i: (
            claim_submit(
                acting_user=filed_user,
                institution=filed_institution,
                year=2024,
                item_keys=[items[i].key],
                **BANK,
            ).number
        ),
    )
    assert not codes
    assert sorted(results) == [f"BZ2024-{n:06d}" for n in range(1, 7)]
