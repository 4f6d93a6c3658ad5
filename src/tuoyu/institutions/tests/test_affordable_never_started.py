"""Issue #7 point 4 (P-MODE-2): a filing cancelled before a 普惠 designation starts leaves it
with no affordable day. It used to be closed at `max(cancelled_on, starts_on)` and so kept
one affordable day (cancelled 2024-06-30, designated from 2024-09-01 → affordable on
2024-09-01, `affordable_days(2024) = 1`), which P-SUB-2 would pay."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from tuoyu.audit.models import AuditEvent
from tuoyu.institutions.models import AffordableDesignation, Institution
from tuoyu.institutions.selectors.affordable import (
    affordable_days,
    affordable_designations,
    affordable_on,
    affordable_periods,
)
from tuoyu.institutions.selectors.directory import directory_annotate
from tuoyu.institutions.services.affordable import affordable_designate
from tuoyu.institutions.services.filing_state import institution_filing_cancel

D = dt.date
YEAR = (D(2024, 1, 1), D(2024, 12, 31))


@pytest.fixture
def filed(make_filed):
    return make_filed(filed_on=D(2024, 1, 10))


def _designate(user, institution, starts_on, ref="金东卫〔2024〕9号"):
    return affordable_designate(
        acting_user=user, institution=institution, starts_on=starts_on, decision_ref=ref
    )


def test_p_mode_2_cancelled_before_start_gives_no_affordable_day(health_user, filed):
    """The issue's example: cancelled 2024-06-30, designated from 2024-09-01."""
    d = _designate(health_user, filed, D(2024, 9, 1))
    outcome = institution_filing_cancel(
        acting_user=health_user, institution=filed, cancelled_on=D(2024, 6, 30), reference="x"
    )
    assert outcome["affordable_designations_closed"] == 1
    d.refresh_from_db()
    assert d.never_started and d.is_withdrawn
    assert d.ends_on == D(2024, 8, 31)  # the day before its start: an empty period
    assert not d.applies_on(D(2024, 9, 1))
    assert affordable_days(filed, *YEAR) == 0
    assert affordable_periods(filed, *YEAR) == []
    assert affordable_days(filed, D(2024, 9, 1), D(2030, 12, 31)) == 0
    qs = Institution.objects.filter(pk=filed.pk)
    assert not affordable_on(qs, D(2024, 9, 1)).get().affordable
    assert "未开始" in d.withdrawal_reason
    # the history row stays (never deleted), with the audit of its closing
    assert AffordableDesignation.objects.filter(institution=filed).count() == 1
    event = AuditEvent.objects.get(action="institutions.affordable.closed_on_cancellation")
    assert event.changes["ends_on"] == [None, "2024-08-31"]


def test_p_mode_2_cancelled_on_the_first_day_keeps_that_day(health_user, filed):
    """Cancelled on the day the designation starts: the filing stood that day, so one day."""
    _designate(health_user, filed, D(2024, 9, 1))
    institution_filing_cancel(
        acting_user=health_user, institution=filed, cancelled_on=D(2024, 9, 1), reference="x"
    )
    assert affordable_days(filed, *YEAR) == 1


def test_p_mode_2_running_designation_ends_on_the_cancellation_day(health_user, filed):
    _designate(health_user, filed, D(2024, 2, 1))
    institution_filing_cancel(
        acting_user=health_user, institution=filed, cancelled_on=D(2024, 6, 30), reference="x"
    )
    assert affordable_days(filed, *YEAR) == (D(2024, 6, 30) - D(2024, 2, 1)).days + 1


def test_p_mode_2_never_started_reads_as_ended_not_future(health_user, filed):
    _designate(health_user, filed, D(2024, 9, 1), ref="never")
    institution_filing_cancel(
        acting_user=health_user, institution=filed, cancelled_on=D(2024, 6, 30), reference="x"
    )

    def refs(status, day):
        rows = affordable_designations(acting_user=health_user, status=status, on_date=day)
        return [r.decision_ref for r in rows]

    day = D(2024, 7, 15)  # before its would-be start
    assert refs("future", day) == []
    assert refs("current", day) == []
    assert refs("ended", day) == ["never"]
    assert refs("current", D(2024, 9, 1)) == []


def test_p_mode_2_directory_not_affordable_after_would_be_start(health_user, filed):
    _designate(health_user, filed, D(2024, 9, 1))
    institution_filing_cancel(
        acting_user=health_user, institution=filed, cancelled_on=D(2024, 6, 30), reference="x"
    )
    qs = directory_annotate(Institution.objects.filter(pk=filed.pk), on_date=D(2024, 10, 1))
    assert not qs.get().affordable


def test_p_mode_2_only_a_withdrawn_designation_may_end_before_it_starts(filed):
    """The DB keeps `ends_on >= starts_on` for a designation that is not withdrawn."""
    with pytest.raises(IntegrityError), transaction.atomic():
        AffordableDesignation.objects.create(
            institution=filed, starts_on=D(2024, 9, 1), ends_on=D(2024, 8, 31), decision_ref="x"
        )
