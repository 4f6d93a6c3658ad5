"""The daily "registered but not filed in time" job (institutions.jobs) end to end."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from tuoyu import policy
from tuoyu.jobs.models import JobRun
from tuoyu.jobs.runner import execute_run
from tuoyu.jobs.services import scheduler_tick

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
JOB = "institutions.unfiled_reminders"
DAY = dt.date(2025, 6, 10)


def registered_days_before(day: dt.date, days: int) -> dt.datetime:
    return dt.datetime.combine(day - dt.timedelta(days=days), dt.time(10, 0), tzinfo=SH)


@pytest.fixture
def institutions(make_institution):
    deadline = policy.at(DAY).filing.registration_to_filing_deadline_days
    return {
        "overdue": make_institution(
            name="金东区逾期未备案托育园", registered_at=registered_days_before(DAY, deadline + 3)
        ),
        "in_time": make_institution(
            name="金东区新登记托育园", registered_at=registered_days_before(DAY, deadline)
        ),
        "filed": make_institution(
            name="金东区已备案托育园",
            registered_at=registered_days_before(DAY, deadline + 30),
            filing_status="filed",
            filing_number="JD-2025-0001",
        ),
        "deregistered": make_institution(
            name="金东区已注销托育园",
            registered_at=registered_days_before(DAY, deadline + 30),
            registration_status="deregistered",
        ),
    }


def run_for(day: dt.date) -> JobRun:
    now = dt.datetime.combine(day, dt.time(2, 30), tzinfo=SH)
    (run,) = [r for r in scheduler_tick(now=now) if r.job_name == JOB]
    execute_run(run.pk)
    run.refresh_from_db()
    return run


@pytest.mark.django_db
def test_the_daily_run_counts_the_overdue_unfiled_institutions(institutions):
    run = run_for(DAY)
    assert run.status == JobRun.Status.SUCCEEDED, run.error
    assert run.period_key == DAY.isoformat() and run.day == DAY
    assert run.counts == {"checked": 2, "overdue": 1}
    assert run.result["overdue_institutions"] == ["金东区逾期未备案托育园"]
    deadline = policy.at(DAY).filing.registration_to_filing_deadline_days
    assert run.result["deadline_days"] == deadline


@pytest.mark.django_db
def test_the_next_day_the_other_is_overdue_too_and_the_first_day_is_kept(institutions):
    first = run_for(DAY)
    second = run_for(DAY + dt.timedelta(days=1))
    assert second.pk != first.pk and second.counts == {"checked": 2, "overdue": 2}
    assert second.result["overdue_institutions"] == ["金东区逾期未备案托育园", "金东区新登记托育园"]
    first.refresh_from_db()
    assert first.counts == {"checked": 2, "overdue": 1}


@pytest.mark.django_db
def test_the_run_page_lists_the_overdue_institutions(client, make_user, institutions):
    run = run_for(DAY)
    client.force_login(make_user("weijian", department="health"))
    html = client.get(reverse("jobs:run", args=[run.pk])).content.decode()
    assert "已登记未备案提醒" in html and "逾期未备案机构名单" in html
    assert "金东区逾期未备案托育园" in html and "金东区新登记托育园" not in html
