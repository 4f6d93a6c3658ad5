"""P-SUB-4: the ledger is append-only in the database itself (migration 0002): an UPDATE or
a DELETE of a booked entry is refused by a trigger, on PostgreSQL and on SQLite, even as raw
SQL; a wrong payment is corrected by a clawback (a new negative entry)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from tests.factories.subsidies import LedgerEntryFactory
from tuoyu.subsidies.models import LedgerEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry():
    if connection.vendor == "sqlite":
        # a live-server test may have left the flush allowance (see migration 0002)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM subsidies_ledger_unlock")
    return LedgerEntryFactory(amount_yuan=Decimal("50000.00"))


def test_update_refused_by_the_database(entry):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE subsidies_ledgerentry SET amount_yuan = 1 WHERE id = %s", [entry.pk])
    assert LedgerEntry.objects.get(pk=entry.pk).amount_yuan == Decimal("50000.00")


def test_orm_update_refused_too(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(reason="改过")


def test_delete_refused_by_the_database(entry):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM subsidies_ledgerentry WHERE id = %s", [entry.pk])
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


def test_insert_still_allowed(entry):
    LedgerEntryFactory()
    assert LedgerEntry.objects.count() == 2
