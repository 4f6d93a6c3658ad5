"""[hardening] point 14 on the registration paths: a push the database refused because of
another writer runs again (no 500); an upload is checked without writing and then written
in one short, set-based transaction, so it no longer holds SQLite's write lock for seconds.
Concurrent threads on a real database: tests/integration/test_sqlite_concurrency.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from tuoyu.audit.models import AuditEvent
from tuoyu.core import db
from tuoyu.core.errors import DomainError
from tuoyu.institutions.models import Institution, RegistrationEvent
from tuoyu.institutions.services import registration as services
from tuoyu.institutions.services import registration_import

from .conftest import DUOHU, excel_row, new_uscc, registration_body, xlsx_upload

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture(autouse=True)
def no_pauses(monkeypatch):
    monkeypatch.setattr(db.time, "sleep", lambda seconds: None)


def fail_first(monkeypatch, module, name, times=1, error="database is locked"):
    real = getattr(module, name)
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] <= times:
            raise OperationalError(error)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, flaky)
    return calls


# --- the push ------------------------------------------------------------------------------


def test_a_push_refused_by_a_locked_database_is_run_again(push, district, market_user, monkeypatch):
    """Before: the OperationalError went up as a 500."""
    calls = fail_first(monkeypatch, services, "_receive", times=2)
    body = registration_body()
    response = push(market_user, body)
    assert response.status_code == 201, response.content
    assert calls["n"] == 3
    assert Institution.objects.filter(uscc=body["uscc"]).count() == 1
    assert RegistrationEvent.objects.count() == 1


def test_a_push_while_the_database_stays_busy_is_503_database_busy(
    push, district, market_user, monkeypatch
):
    fail_first(monkeypatch, services, "_receive", times=99)
    response = push(market_user, registration_body())
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/problem+json")
    assert [e["code"] for e in response.json()["errors"]] == ["database_busy"]
    assert "稍后重试" in response.json()["errors"][0]["message"]
    assert not Institution.objects.exists()


def test_a_serialization_failure_is_run_again(push, district, market_user, monkeypatch):
    """PostgreSQL's 40001 takes the same path."""
    real = services._receive
    calls = {"n": 0}

    class Driver(Exception):
        sqlstate = "40001"

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            error = OperationalError("could not serialize access")
            raise error from Driver()
        return real(**kwargs)

    monkeypatch.setattr(services, "_receive", flaky)
    assert push(market_user, registration_body()).status_code == 201
    assert calls["n"] == 2


def test_the_entry_form_gets_the_retry_too(client, district, market_user, monkeypatch):
    from django.urls import reverse

    fail_first(monkeypatch, services, "_receive", times=1)
    client.force_login(market_user)
    page = client.get(reverse("institutions:registration_new")).content.decode()
    import re

    event_id = re.search(r'name="event_id" value="([^"]+)"', page).group(1)
    response = client.post(
        reverse("institutions:registration_new"),
        {
            "event_id": event_id,
            "action": "registered",
            "uscc": new_uscc(),
            "name": "金华市金东区表单托育有限公司",
            "legal_form": "company",
            "for_profit": "true",
            "township_code": DUOHU,
            "occurred_at": "2024-05-06T10:30",
        },
    )
    assert response.status_code == 302
    assert RegistrationEvent.objects.filter(channel="form").count() == 1


# --- the upload ----------------------------------------------------------------------------


def rows(n: int, **values) -> list[list]:
    return [
        excel_row(
            action="登记",
            uscc=new_uscc(),
            name=f"金华市金东区批量{i}号托育有限公司",
            legal_form="企业",
            for_profit="营利性",
            township_code=DUOHU,
            occurred_at=dt.datetime(2024, 7, 1, 9, 0),
            **values,
        )
        for i in range(n)
    ]


def test_the_upload_checks_every_row_without_writing_then_writes_in_one_short_step(
    market_user, district, monkeypatch
):
    """The first check of the rows reads only, outside any transaction (no write lock);
    the write's number of statements does not grow with the rows (set-based)."""
    seen = []
    real_plan = registration_import.registration_events_plan

    def plan(**kwargs):
        with CaptureQueriesContext(connection) as queries:
            result = real_plan(**kwargs)
        seen.append(
            (
                kwargs.get("lock", False),
                db._in_transaction(connection),
                [q["sql"].split()[0] for q in queries if q["sql"].split()[0] in WRITES],
            )
        )
        return result

    monkeypatch.setattr(registration_import, "registration_events_plan", plan)

    def write_statements(n: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            registration_import.registration_events_import(
                acting_user=market_user, file=xlsx_upload(rows(n))
            )
        return sum(q["sql"].split()[0] in WRITES for q in queries)

    write_statements(1)  # the first creates the audit chain's head
    few, many = write_statements(5), write_statements(120)

    assert seen[0] == (False, False, [])  # the check: no transaction, nothing written
    assert seen[1][:2] == (True, True)  # again under the lock, inside the write
    assert few == many  # before: several statements per row
    assert Institution.objects.count() == 126


def test_the_upload_is_one_audit_event_over_the_events_it_stored(market_user, district):
    result = registration_import.registration_events_import(
        acting_user=market_user, file=xlsx_upload(rows(3))
    )
    assert (result.created, result.by_action) == (3, {"registered": 3})
    audit = AuditEvent.objects.get(action="institutions.registration.imported")
    assert audit.detail["bulk"]["count"] == 3
    assert sorted(audit.detail["bulk"]["ids"]) == sorted(
        str(pk) for pk in RegistrationEvent.objects.values_list("pk", flat=True)
    )
    assert audit.detail["rows"] == 3 and audit.detail["authority"] == "market_regulation"
    assert not AuditEvent.objects.filter(action="institutions.registration.registered").exists()
    events = RegistrationEvent.objects.select_related("institution")
    assert all(e.response["institution_id"] == e.institution_id for e in events)


def test_a_push_between_the_check_and_the_write_is_seen_by_the_write(
    market_user, district, monkeypatch
):
    """A USCC of the file registered by a push after the first check: the write checks
    again under the lock, reports the row, writes nothing."""
    file_rows = rows(3)
    taken = file_rows[1][2]  # the USCC of spreadsheet row 3
    real_plan = registration_import.registration_events_plan

    def plan(**kwargs):
        result = real_plan(**kwargs)
        if not kwargs.get("lock"):
            services.registration_event_receive(
                acting_user=market_user, data=registration_body(uscc=taken)
            )
        return result

    monkeypatch.setattr(registration_import, "registration_events_plan", plan)
    with pytest.raises(DomainError) as exc_info:
        registration_import.registration_events_import(
            acting_user=market_user, file=xlsx_upload(file_rows)
        )
    assert [(e.row, e.field, e.code) for e in exc_info.value.errors] == [
        (3, "统一社会信用代码", "already_registered")
    ]
    assert list(Institution.objects.values_list("uscc", flat=True)) == [taken]


def test_an_upload_refused_by_a_locked_database_is_written_again(
    market_user, district, monkeypatch
):
    calls = fail_first(monkeypatch, services, "registration_events_write", times=1)
    monkeypatch.setattr(
        registration_import, "registration_events_write", services.registration_events_write
    )
    result = registration_import.registration_events_import(
        acting_user=market_user, file=xlsx_upload(rows(4))
    )
    assert result.created == 4 and calls["n"] == 2
    assert Institution.objects.count() == 4


def test_register_change_and_deregister_in_one_file(market_user, district):
    """The rows of one file see the rows before them (P-REG-11: in row order)."""
    uscc = new_uscc()
    base = {"uscc": uscc, "township_code": DUOHU}
    upload = xlsx_upload(
        [
            excel_row(
                action="登记",
                name="金华市金东区甲托育有限公司",
                legal_form="企业",
                for_profit="营利性",
                occurred_at=dt.datetime(2024, 7, 1, 9, 0),
                **base,
            ),
            excel_row(
                action="变更",
                name="金华市金东区乙托育有限公司",
                occurred_at=dt.datetime(2024, 7, 2, 9, 0),
                **base,
            ),
            excel_row(action="注销", uscc=uscc, occurred_at=dt.datetime(2024, 7, 3, 9, 0)),
        ]
    )
    result = registration_import.registration_events_import(acting_user=market_user, file=upload)
    assert result.by_action == {"registered": 1, "changed": 1, "deregistered": 1}
    inst = Institution.objects.get(uscc=uscc)
    assert inst.name == "金华市金东区乙托育有限公司"
    assert inst.registration_status == "deregistered"
    assert inst.filing_status == "cancelled"  # P-FIL-3
    answers = [
        e.response["registration_status"] for e in RegistrationEvent.objects.order_by("occurred_at")
    ]
    assert answers == ["registered", "registered", "deregistered"]
    changed = RegistrationEvent.objects.get(action="changed")
    assert changed.changes == {"name": ["金华市金东区甲托育有限公司", "金华市金东区乙托育有限公司"]}
