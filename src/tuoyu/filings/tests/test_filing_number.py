"""Filing numbers (P-REG-12 receipts): TY<district>-<year>-<seq>, unique, sequential per
year, safe under concurrent approvals."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from tuoyu.filings.models import FilingNumberSequence
from tuoyu.filings.services import filing_number_issue


@pytest.mark.django_db
def test_sequential_per_year():
    assert filing_number_issue(dt.date(2025, 12, 31)) == "TY330703-2025-0001"
    assert filing_number_issue(dt.date(2025, 1, 1)) == "TY330703-2025-0002"
    assert filing_number_issue(dt.date(2026, 1, 1)) == "TY330703-2026-0001"
    assert FilingNumberSequence.objects.get(year=2025).last_number == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("existing_year", [True, False], ids=["increment", "first-of-year"])
def test_concurrent_issues_never_share_a_number(existing_year):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL; SQLite serialises writers anyway")
    if existing_year:
        FilingNumberSequence.objects.create(year=2027, last_number=0)
    numbers: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker():
        try:
            barrier.wait()
            numbers.append(filing_number_issue(dt.date(2027, 3, 1)))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(numbers) == [f"TY330703-2027-{n:04d}" for n in range(1, 9)]
