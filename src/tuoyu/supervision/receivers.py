"""How supervision reacts to other apps' events (registered in AppConfig.ready())."""

from __future__ import annotations

from tuoyu import policy
from tuoyu.core import events


def count_outbreak_alert(*, institution_id, alert_id, acting_user) -> None:
    """An outbreak alert (children, P-HC-6) counts for the institution's risk (P-SUP-4).
    The signal is stored now; the score is recomputed by a job, off the request path of
    the check batch that raised the alert (10–20 % of a batch of 5,000 in the profile). One
    run per institution and day (`run_key`), queued again (`rerun`) once it has finished,
    so a later alert of the day is counted too."""
    from tuoyu.core.jobs import enqueue_job
    from tuoyu.supervision.models import RiskSignal
    from tuoyu.supervision.services import risk_signal_record

    today = policy.today()
    risk_signal_record(
        institution_id=institution_id,
        kind=RiskSignal.Kind.OUTBREAK_ALERT,
        ref_id=str(alert_id),
        occurred_on=today,
        recompute=False,
    )
    enqueue_job(
        "supervision.risk_recompute_institution",
        run_key=f"risk:{institution_id}:{today.isoformat()}",
        rerun=True,
        institution_id=institution_id,
    )


TITLE_WORDS = {
    "municipal": "获评市级示范托育机构",
    "provincial": "获评省级示范托育机构",
    "national": "获评全国示范托育机构",
    "comprehensive_centre": "建成综合托育服务中心",
}


def credit_demonstration_title(
    *, institution_id, title_id, level, conferred_on, acting_user
) -> None:
    """A demonstration title recorded by 区卫健局 in subsidies (P-SUB-3, P-V2023-1) is a
    positive credit event of the demonstration kind (P-SUP-5), points from policy data;
    once per title (the source names it)."""
    from tuoyu.institutions.models import Institution
    from tuoyu.supervision.models import CreditEvent
    from tuoyu.supervision.services import credit_event_record

    institution = Institution.objects.filter(pk=institution_id).first()
    if institution is None:
        return
    credit_event_record(
        acting_user=acting_user,
        institution=institution,
        kind=CreditEvent.Kind.DEMONSTRATION,
        occurred_on=conferred_on,
        # The level's words (the payload carries the subsidies app's code; never shown).
        description=TITLE_WORDS.get(str(level), "获评示范托育机构"),
        source=f"title:{title_id}",
    )


def register() -> None:
    # After commit: the alert stands whatever happens to the score.
    events.subscribe(events.OUTBREAK_ALERT_RAISED, count_outbreak_alert)
    # After commit: the credit event follows a title that stands.
    events.subscribe(events.DEMONSTRATION_TITLE_CONFERRED, credit_demonstration_title)
