"""The daily certificate expiry job (workforce.jobs, P-HC-5) run by the jobs app: it
notifies in the app once per certificate and expiry date, whatever the reruns."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from tests.factories import CertificateFactory, StaffMemberFactory
from tuoyu.jobs.models import JobRun
from tuoyu.jobs.runner import execute_run
from tuoyu.jobs.services import scheduler_tick
from tuoyu.workforce.models import ExpiryNotice

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
JOB = "workforce.expiry_notices"
DAY = dt.date(2025, 6, 10)

pytestmark = pytest.mark.django_db


def run_for(day: dt.date) -> JobRun:
    now = dt.datetime.combine(day, dt.time(2, 30), tzinfo=SH)
    (run,) = [r for r in scheduler_tick(now=now) if r.job_name == JOB]
    execute_run(run.pk)
    run.refresh_from_db()
    return run


def test_expiry_job_notifies_once(make_institution):
    institution = make_institution()
    soon = StaffMemberFactory(institution=institution)
    CertificateFactory(
        staff=soon, valid_from=dt.date(2024, 6, 20), valid_until=DAY + dt.timedelta(days=10)
    )
    renewed = StaffMemberFactory(institution=institution)
    CertificateFactory(
        staff=renewed, valid_from=dt.date(2024, 6, 1), valid_until=DAY - dt.timedelta(days=1)
    )
    CertificateFactory(staff=renewed, valid_from=DAY, valid_until=DAY + dt.timedelta(days=365))
    far = StaffMemberFactory(institution=institution)
    CertificateFactory(staff=far, valid_from=DAY, valid_until=DAY + dt.timedelta(days=200))
    run = run_for(DAY)
    assert run.status == JobRun.Status.SUCCEEDED, run.error
    assert list(ExpiryNotice.objects.values_list("certificate__staff", flat=True)) == [soon.pk]
    execute_run(run.pk)  # a rerun of the same day adds nothing
    run_for(DAY + dt.timedelta(days=1))
    assert ExpiryNotice.objects.count() == 1
