"""Demonstration titles (P-SUB-3, P-V2023-1): 区卫健局 records them; audited; the event
`demonstration_title_conferred` reaches its receivers on commit; a level twice is refused."""

from __future__ import annotations

import datetime as dt

import pytest

from tuoyu.audit.models import AuditEvent
from tuoyu.core import events
from tuoyu.core.errors import DomainError, OutOfScope
from tuoyu.subsidies.models import DemonstrationTitle
from tuoyu.subsidies.services.titles import demonstration_title_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(make_institution):
    return make_institution(filed=True, filed_on=dt.date(2021, 1, 4))


def record(user, institution, level="municipal", on=dt.date(2022, 5, 1), ref="金市卫〔2022〕8号"):
    return demonstration_title_record(
        acting_user=user, institution=institution, level=level, conferred_on=on, document_ref=ref
    )


def test_recorded_audited_and_announced_on_commit(
    filed, health_user, django_capture_on_commit_callbacks
):
    seen = []

    def spy(**payload):
        seen.append(payload)

    events.subscribe(events.DEMONSTRATION_TITLE_CONFERRED, spy)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            title = record(health_user, filed)
        assert seen == []  # not before the commit
        for callback in callbacks:
            callback()
    finally:
        events.unsubscribe(events.DEMONSTRATION_TITLE_CONFERRED, spy)
    assert seen == [
        {
            "institution_id": filed.pk,
            "title_id": title.pk,
            "level": "municipal",
            "conferred_on": dt.date(2022, 5, 1),
            "acting_user": health_user,
        }
    ]
    event = AuditEvent.objects.get(action="subsidies.title.recorded")
    assert event.object_id == str(title.pk)
    assert event.changes["level"] == [None, "municipal"]
    assert event.changes["document_ref"] == [None, "金市卫〔2022〕8号"]
    assert event.detail["institution_id"] == filed.pk


def test_same_level_twice_refused(filed, health_user):
    record(health_user, filed)
    with pytest.raises(DomainError) as exc:
        record(health_user, filed, on=dt.date(2023, 5, 1), ref="另一文号")
    assert exc.value.code == "title_already_recorded" and exc.value.status == 409
    assert DemonstrationTitle.objects.count() == 1
    record(health_user, filed, level="provincial", on=dt.date(2024, 5, 1))
    assert DemonstrationTitle.objects.count() == 2


def test_only_the_health_bureau_records(filed, finance_user):
    with pytest.raises(OutOfScope):
        record(finance_user, filed)


def test_unfiled_institution_refused(make_institution, health_user):
    with pytest.raises(DomainError) as exc:
        record(health_user, make_institution())
    assert exc.value.code == "title_institution_not_filed"


def test_fields_checked_together(filed, health_user, on_2026_12_01):
    with pytest.raises(DomainError) as exc:
        record(health_user, filed, level="county", on=dt.date(2027, 1, 1), ref="  ")
    assert {(e.field, str(e.code)) for e in exc.value.errors} == {
        ("level", "invalid_choice"),
        ("conferred_on", "future_date"),
        ("document_ref", "required"),
    }
