"""How supervision reacts to other apps' events (registered in AppConfig.ready())."""

from __future__ import annotations

from tuoyu import policy
from tuoyu.core import events


def count_outbreak_alert(*, institution_id, alert_id, acting_user) -> None:
    """An outbreak alert (children, P-HC-6) counts for the institution's risk (P-SUP-4)."""
    from tuoyu.supervision.models import RiskSignal
    from tuoyu.supervision.services import risk_signal_record

    risk_signal_record(
        institution_id=institution_id,
        kind=RiskSignal.Kind.OUTBREAK_ALERT,
        ref_id=str(alert_id),
        occurred_on=policy.today(),
    )


def register() -> None:
    # After commit: the alert stands whatever happens to the score.
    events.subscribe(events.OUTBREAK_ALERT_RAISED, count_outbreak_alert)
