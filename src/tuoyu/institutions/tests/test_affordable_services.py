"""P-MODE-2 affordable (普惠性) designations: rules, error codes, history, periods."""

from __future__ import annotations

import datetime as dt

import pytest

from tuoyu.audit.models import AuditEvent
from tuoyu.core.errors import DomainError
from tuoyu.institutions.models import AffordableDesignation, Institution
from tuoyu.institutions.selectors.affordable import (
    affordable_days,
    affordable_designations,
    affordable_on,
    affordable_periods,
)
from tuoyu.institutions.services.affordable import (
    affordable_close_on_cancellation,
    affordable_designate,
    affordable_withdraw,
)
from tuoyu.institutions.tests.conftest import pdf_upload

D = dt.date


@pytest.fixture
def filed(make_filed):
    return make_filed(filed_on=D(2023, 3, 1))


def designate(user, institution, starts_on, ends_on=None, ref="金东卫〔2023〕1号", **kw):
    return affordable_designate(
        acting_user=user,
        institution=institution,
        starts_on=starts_on,
        ends_on=ends_on,
        decision_ref=ref,
        **kw,
    )


def test_designate_records_decision_and_audit(health_user, filed, media_root):
    d = designate(health_user, filed, D(2023, 8, 1), decision_document=pdf_upload())
    assert (d.starts_on, d.ends_on, d.decided_by) == (D(2023, 8, 1), None, health_user)
    assert d.decision_document.name.endswith(".pdf")
    event = AuditEvent.objects.get(action="institutions.affordable.designated")
    assert event.changes["starts_on"] == [None, "2023-08-01"]


def test_only_health_bureau_designates(township_user, filed):
    with pytest.raises(DomainError) as e:
        designate(township_user, filed, D(2023, 8, 1))
    assert e.value.code == "out_of_scope" and e.value.status == 403


@pytest.mark.parametrize(
    "state",
    [
        {"filing_status": "not_filed", "filing_number": None},
        {"filing_status": "in_review", "filing_number": None},
        {"filing_status": "cancelled"},
        {"registration_status": "deregistered"},
    ],
)
def test_only_filed_not_cancelled_institutions(health_user, filed, state):
    Institution.objects.filter(pk=filed.pk).update(**state)
    with pytest.raises(DomainError) as e:
        designate(health_user, filed, D(2023, 8, 1))
    assert e.value.code == "institution_not_filed"
    assert not AffordableDesignation.objects.exists()


def test_end_before_start_is_refused(health_user, filed):
    with pytest.raises(DomainError) as e:
        designate(health_user, filed, D(2024, 1, 1), D(2023, 12, 31))
    assert e.value.code == "date_order" and e.value.errors[0].field == "ends_on"


def test_not_before_filing(health_user, filed):
    with pytest.raises(DomainError) as e:
        designate(health_user, filed, D(2023, 2, 28))
    assert e.value.code == "affordable_before_filing"
    designate(health_user, filed, D(2023, 3, 1))  # the filing day itself is fine


def test_decision_ref_required(health_user, filed):
    with pytest.raises(DomainError) as e:
        designate(health_user, filed, D(2023, 8, 1), ref="  ")
    assert e.value.code == "required" and e.value.errors[0].field == "decision_ref"


def test_decision_document_must_be_pdf(health_user, filed):
    with pytest.raises(DomainError) as e:
        designate(
            health_user, filed, D(2023, 8, 1), decision_document=pdf_upload("x.pdf", b"hello")
        )
    assert (
        e.value.code == "file_type_not_allowed" and e.value.errors[0].field == "decision_document"
    )


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (D(2023, 12, 31), None),  # starts on the last day of the existing one
        (D(2023, 1, 1), D(2023, 8, 1)),  # ends on its first day
        (D(2023, 9, 1), D(2023, 9, 30)),  # inside
        (D(2023, 4, 1), D(2024, 6, 1)),  # around
    ],
)
def test_overlapping_designations_refused(health_user, filed, start, end):
    Institution.objects.filter(pk=filed.pk).update(filed_on=D(2022, 1, 1))
    designate(health_user, filed, D(2023, 8, 1), D(2023, 12, 31), ref="A")
    with pytest.raises(DomainError) as e:
        designate(health_user, filed, start, end, ref="B")
    assert e.value.code == "affordable_overlap" and e.value.status == 409


def test_open_ended_designation_blocks_any_later_one(health_user, filed):
    designate(health_user, filed, D(2023, 8, 1), ref="A")
    with pytest.raises(DomainError) as e:
        designate(health_user, filed, D(2030, 1, 1), ref="B")
    assert e.value.code == "affordable_overlap"


def test_adjacent_designations_allowed(health_user, filed):
    designate(health_user, filed, D(2023, 8, 1), D(2023, 12, 31), ref="A")
    designate(health_user, filed, D(2024, 1, 1), ref="B")
    designate(health_user, filed, D(2023, 4, 1), D(2023, 7, 31), ref="C")
    assert AffordableDesignation.objects.filter(institution=filed).count() == 3


def test_withdraw_sets_end_and_keeps_history(health_user, filed):
    d = designate(health_user, filed, D(2023, 8, 1))
    affordable_withdraw(
        acting_user=health_user,
        designation=d,
        withdrawn_on=D(2024, 5, 31),
        withdrawal_ref="金东卫〔2024〕9号",
        reason="年度评估不合格",
    )
    d.refresh_from_db()
    assert d.ends_on == D(2024, 5, 31) and d.decision_ref == "金东卫〔2023〕1号"
    assert d.withdrawal_ref == "金东卫〔2024〕9号" and d.withdrawn_by == health_user
    assert d.is_withdrawn
    event = AuditEvent.objects.get(action="institutions.affordable.withdrawn")
    assert event.changes["ends_on"] == [None, "2024-05-31"]
    # A new designation may follow the withdrawn one.
    designate(health_user, filed, D(2024, 6, 1), ref="新认定")
    assert AffordableDesignation.objects.filter(institution=filed).count() == 2


def test_withdraw_rules(health_user, filed, township_user):
    d = designate(health_user, filed, D(2023, 8, 1), D(2024, 7, 31))
    kwargs = {"designation": d, "withdrawal_ref": "撤字1号", "reason": "原因"}
    with pytest.raises(DomainError) as e:
        affordable_withdraw(acting_user=health_user, withdrawn_on=D(2023, 7, 31), **kwargs)
    assert e.value.code == "date_order" and e.value.errors[0].field == "withdrawn_on"
    with pytest.raises(DomainError) as e:
        affordable_withdraw(acting_user=health_user, withdrawn_on=D(2024, 8, 1), **kwargs)
    assert e.value.code == "affordable_already_ended"
    with pytest.raises(DomainError) as e:
        affordable_withdraw(
            acting_user=health_user,
            designation=d,
            withdrawn_on=D(2024, 1, 1),
            withdrawal_ref="",
            reason="原因",
        )
    assert e.value.code == "required" and e.value.errors[0].field == "withdrawal_ref"
    with pytest.raises(DomainError) as e:
        affordable_withdraw(acting_user=township_user, withdrawn_on=D(2024, 1, 1), **kwargs)
    assert e.value.code == "out_of_scope"
    affordable_withdraw(acting_user=health_user, withdrawn_on=D(2023, 8, 1), **kwargs)  # = start
    with pytest.raises(DomainError) as e:
        affordable_withdraw(acting_user=health_user, withdrawn_on=D(2023, 8, 1), **kwargs)
    assert e.value.code == "affordable_already_withdrawn" and e.value.status == 409


def test_affordable_on_annotation(health_user, filed, make_filed):
    other = make_filed()
    designate(health_user, filed, D(2023, 8, 1), D(2023, 12, 31))
    qs = Institution.objects.filter(pk__in=[filed.pk, other.pk])

    def flags(day):
        return dict(affordable_on(qs, day).values_list("pk", "affordable"))

    assert flags(D(2023, 7, 31)) == {filed.pk: False, other.pk: False}
    assert flags(D(2023, 8, 1)) == {filed.pk: True, other.pk: False}
    assert flags(D(2023, 12, 31)) == {filed.pk: True, other.pk: False}
    assert flags(D(2024, 1, 1)) == {filed.pk: False, other.pk: False}


def test_affordable_periods_clip_and_merge(health_user, filed):
    designate(health_user, filed, D(2023, 8, 1), D(2023, 12, 31), ref="A")
    designate(health_user, filed, D(2024, 1, 1), D(2024, 3, 31), ref="B")  # adjacent: one
    designate(health_user, filed, D(2024, 10, 1), ref="C")
    periods = affordable_periods(filed, D(2024, 1, 1), D(2024, 12, 31))
    assert [(p.start, p.end) for p in periods] == [
        (D(2024, 1, 1), D(2024, 3, 31)),
        (D(2024, 10, 1), D(2024, 12, 31)),
    ]
    assert affordable_days(filed, D(2024, 1, 1), D(2024, 12, 31)) == 91 + 92
    whole = affordable_periods(filed.pk, D(2023, 1, 1), D(2024, 6, 30))
    assert [(p.start, p.end) for p in whole] == [(D(2023, 8, 1), D(2024, 3, 31))]
    assert affordable_periods(filed, D(2022, 1, 1), D(2022, 12, 31)) == []


def test_close_on_cancellation(health_user, filed):
    d = designate(health_user, filed, D(2023, 8, 1))
    assert (
        affordable_close_on_cancellation(
            acting_user=health_user,
            institution=filed,
            cancelled_on=D(2025, 2, 1),
            reference="备案注销",
        )
        == 1
    )
    d.refresh_from_db()
    assert d.ends_on == D(2025, 2, 1) and d.is_withdrawn


def test_designations_list_by_status_and_scope(health_user, filed, make_filed, make_user, district):
    today = dt.date(2024, 6, 1)
    designate(health_user, filed, D(2023, 8, 1), D(2023, 12, 31), ref="ended")
    designate(health_user, filed, D(2024, 1, 1), ref="current")
    other = make_filed(township=district["dongxiao"])
    designate(health_user, other, D(2024, 9, 1), ref="future")

    def refs(user, status=None):
        rows = affordable_designations(acting_user=user, status=status, on_date=today)
        return sorted(r.decision_ref for r in rows)

    assert refs(health_user) == ["current", "ended", "future"]
    assert refs(health_user, "current") == ["current"]
    assert refs(health_user, "future") == ["future"]
    assert refs(health_user, "ended") == ["ended"]
    assert refs(make_user("duohu", township="duohu")) == ["current", "ended"]
