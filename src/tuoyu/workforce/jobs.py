"""Background jobs of workforce (declared here, run by tuoyu.jobs)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tuoyu.core.jobs import JobRunContext, periodic_job
from tuoyu.core.scope import HEALTH_BUREAU, Scope, ScopeKind

# The job reads as 区卫健局 does (every institution's roster).
DISTRICT_HEALTH = Scope(kind=ScopeKind.DEPARTMENT, department_code=HEALTH_BUREAU)


@periodic_job(
    "workforce.expiry_notices",
    schedule="daily",
    at="01:30",
    title=_("证书到期提醒"),
    description=_("每天列出在预警期内到期或已过期的证书与健康合格证，在机构页面提醒（P-HC-5）"),
    labels={"expiring": _("预警期内的证书"), "notified": _("新发出的提醒")},
)
def expiry_notices(run: JobRunContext) -> None:
    """One notice per certificate and expiry date (a unique key): a rerun of the day, or
    the next day, adds nothing for what was already notified."""
    from tuoyu.workforce.models import ExpiryNotice
    from tuoyu.workforce.selectors import expiring

    rows = expiring(acting_user=DISTRICT_HEALTH, day=run.day)
    run.set_count("expiring", len(rows))
    with transaction.atomic():
        before = ExpiryNotice.objects.count()
        ExpiryNotice.objects.bulk_create(
            [
                ExpiryNotice(
                    institution_id=c.institution_id,
                    certificate=c,
                    valid_until=c.valid_until,
                    notified_on=run.day,
                )
                for c in rows
            ],
            ignore_conflicts=True,
        )
        run.set_count("notified", ExpiryNotice.objects.count() - before)
    run.set_progress(1, 1)
