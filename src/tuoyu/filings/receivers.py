"""How filings reacts to other apps' events ([house] point 3), registered in ready()."""

from __future__ import annotations

from tuoyu.core import events
from tuoyu.filings.services import (
    filing_cancel,
    filing_deadlines_recompute,
    filing_premises_pushed,
)
from tuoyu.institutions.models import Institution


def cancel_filing_on_deregistration(*, institution_id, acting_user, cancelled_on, reason) -> None:
    """P-FIL-3: a deregistration cancels the filing — closes classes, withdraws an open
    application, ends 普惠 status — in the deregistration's own transaction."""
    filing_cancel(
        institution=Institution.objects.get(pk=institution_id),
        acting_user=acting_user,
        reason=reason,
        cancelled_on=cancelled_on,
        source="deregistration",
    )


def recompute_deadlines_on_holiday_notice(*, year, acting_user) -> None:
    """P-FIL-2: a year's holiday notice entered (or replaced) makes the deadlines that were
    "期限待定" computable, and may move those that run through the year — recomputed in the
    notice's own transaction."""
    filing_deadlines_recompute(year=year, acting_user=acting_user)


def change_filing_on_premises_push(
    *, institution_id, acting_user, address, township_code, event_id, occurred_at
) -> None:
    """P-FIL-3: a registration push moved a filed (or in-review) institution's premises,
    which the push did not overwrite: open a change filing with the pushed premises (or
    record them on the application already open, see `filing_premises_pushed`), in the
    push's own transaction — a failure refuses the push as a whole."""
    filing_premises_pushed(
        acting_user=acting_user,
        institution=Institution.objects.get(pk=institution_id),
        address=address,
        township_code=township_code,
        event_id=event_id,
        occurred_at=occurred_at,
    )


def register() -> None:
    events.subscribe(
        events.INSTITUTION_DEREGISTERED, cancel_filing_on_deregistration, in_transaction=True
    )
    events.subscribe(
        events.HOLIDAY_NOTICE_SAVED, recompute_deadlines_on_holiday_notice, in_transaction=True
    )
    events.subscribe(
        events.REGISTRATION_PREMISES_CHANGED, change_filing_on_premises_push, in_transaction=True
    )
