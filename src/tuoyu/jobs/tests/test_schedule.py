"""The scheduler's decisions: pure functions of the schedule and a fixed clock."""

import datetime as dt
import zoneinfo

from tuoyu.core.jobs import JobSpec
from tuoyu.jobs.schedule import current_period, due_runs, latest_due, period_of

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def spec(name="tests.job", **kw) -> JobSpec:
    kw.setdefault("schedule", "daily")
    return JobSpec(name=name, func=lambda run: None, title="t", **kw)


def test_daily_before_its_time_the_previous_day_is_the_latest_due():
    daily = spec(at="02:00")
    assert latest_due(daily, at(2025, 3, 2, 1, 59)).key == "2025-03-01"
    assert latest_due(daily, at(2025, 3, 2, 2, 0)).key == "2025-03-02"
    period = latest_due(daily, at(2025, 3, 2, 23, 0))
    assert period.day == dt.date(2025, 3, 2)
    assert period.due_at == at(2025, 3, 2, 2, 0)


def test_which_day_is_asia_shanghai_not_utc():
    daily = spec(at="02:00")
    # 2025-03-01 18:30 UTC is 2025-03-02 02:30 in Beijing
    now = dt.datetime(2025, 3, 1, 18, 30, tzinfo=dt.UTC)
    assert latest_due(daily, now).key == "2025-03-02"


def test_weekly_uses_iso_weeks_and_its_weekday():
    weekly = spec(schedule="weekly", weekday=4, at="06:00")  # Friday
    assert period_of(weekly, dt.date(2025, 3, 3)).day == dt.date(2025, 3, 7)  # Mon → Fri
    assert latest_due(weekly, at(2025, 3, 7, 6, 0)).key == "2025-W10"
    assert latest_due(weekly, at(2025, 3, 6, 12, 0)).key == "2025-W09"
    assert latest_due(weekly, at(2025, 3, 6, 12, 0)).day == dt.date(2025, 2, 28)


def test_monthly_before_its_day_the_previous_month_is_due():
    monthly = spec(schedule="monthly", day=1, at="03:00")
    assert latest_due(monthly, at(2025, 3, 1, 2, 0)).key == "2025-02"
    assert latest_due(monthly, at(2025, 3, 1, 3, 0)).key == "2025-03"
    assert latest_due(monthly, at(2025, 1, 1, 0, 0)).key == "2024-12"
    assert latest_due(spec(schedule="monthly", day=15), at(2025, 3, 10)).day == dt.date(2025, 2, 15)


def test_due_runs_skips_what_already_ran_and_one_off_jobs():
    a, b = spec("tests.a"), spec("tests.b", at="23:00")
    once = JobSpec(name="tests.once", func=lambda run: None, title="t")
    now = at(2025, 3, 2, 8, 0)
    due = due_runs([a, b, once], now, existing={("tests.a", "2025-03-02")})
    assert [(s.name, p.key) for s, p in due] == [("tests.b", "2025-03-01")]
    assert due_runs([a], now, existing={("tests.a", "2025-03-02")}) == []


def test_a_manual_run_is_for_the_current_period_never_a_future_day():
    daily = spec(at="02:00")
    assert current_period(daily, at(2025, 3, 2, 1, 0)).key == "2025-03-02"
    weekly = spec(schedule="weekly", weekday=4)
    period = current_period(weekly, at(2025, 3, 3, 9, 0))
    assert (period.key, period.day) == ("2025-W10", dt.date(2025, 3, 3))


def test_schedules_are_described_in_chinese():
    from tuoyu.jobs.schedule import describe

    assert describe(spec(at="02:00")) == "每天 02:00"
    assert describe(spec(schedule="weekly", weekday=0, at="06:30")) == "每周一 06:30"
    assert describe(spec(schedule="monthly", day=1, at="03:00")) == "每月 1 日 03:00"
