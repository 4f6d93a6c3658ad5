"""How filings reacts to other apps' events ([house] point 3), registered in ready()."""

from __future__ import annotations

from tuoyu.core import events
from tuoyu.filings.services import filing_cancel
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


def register() -> None:
    events.subscribe(
        events.INSTITUTION_DEREGISTERED, cancel_filing_on_deregistration, in_transaction=True
    )
