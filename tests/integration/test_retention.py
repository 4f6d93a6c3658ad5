"""Retention of personal data ([operations] point 3, P-RET-1..4): the registry of
tuoyu.core.retention, the nightly job that anonymises what is past its period, audited per
batch, and the rule for disabled accounts (P-RET-4)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tuoyu import policy
from tuoyu.audit.models import AuditEvent
from tuoyu.core import retention
from tuoyu.jobs.retention import retention_run_rule

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 6, 1)


def _disabled(user, when: dt.date):
    user.disabled_at = timezone.make_aware(dt.datetime.combine(when, dt.time(10)))
    user.is_active = False
    user.save(update_fields=["disabled_at", "is_active"])
    return user


def test_accounts_rule_is_registered_with_its_policy_period():
    rule = retention.get_rule("accounts.disabled_users")
    assert rule is not None
    assert rule.policy_key == "retention.account_after_disabling_years"
    assert policy.at(DAY).retention.account_after_disabling_years == 2


def test_register_refuses_bans_and_blacklists():
    """Bans and blacklist entries are kept as the law requires: never a retention rule."""
    with pytest.raises(ValueError, match="kept by law"):
        retention.register(
            retention.RetentionRule(
                name="workforce.bans",
                policy_key="retention.staff_after_leaving_years",
                label="x",
                due=lambda cutoff: None,
                anonymise=lambda records, now: 0,
            )
        )
    assert retention.get_rule("workforce.bans") is None


def test_cutoff_handles_leap_day():
    assert retention.cutoff(dt.date(2028, 2, 29), 2) == dt.date(2026, 2, 28)
    assert retention.cutoff(DAY, 3) == dt.date(2023, 6, 1)


def test_p_ret_4_disabled_account_past_period_is_anonymised_in_audited_batches(make_user):
    old = [
        _disabled(make_user(f"old{i}", display_name=f"张三{i}"), dt.date(2024, 1, 5))
        for i in range(5)
    ]
    recent = _disabled(make_user("recent", display_name="李四"), dt.date(2025, 1, 5))
    active = make_user("active", display_name="王五")
    rule = retention.get_rule("accounts.disabled_users")
    small = retention.RetentionRule(**{**rule.__dict__, "batch_size": 2})
    before = AuditEvent.objects.filter(action="jobs.retention.anonymised").count()

    assert retention_run_rule(small, day=DAY) == 5

    for user in old:
        user.refresh_from_db()
        assert user.display_name == "" and user.email == ""
        assert user.username == f"anon-{user.pk}"
        assert not user.has_usable_password()
    recent.refresh_from_db()
    active.refresh_from_db()
    assert (recent.display_name, active.display_name) == ("李四", "王五")
    events = AuditEvent.objects.filter(action="jobs.retention.anonymised").order_by("id")
    assert events.count() - before == 3  # batches of 2, 2, 1
    assert [e.detail["anonymised"] for e in events[before:]] == [2, 2, 1]
    assert events.last().detail["cutoff"] == "2024-06-01"
    # A rerun finds nothing more: anonymised records drop out of the rule.
    assert retention_run_rule(small, day=DAY) == 0


def test_registered_throwaway_rule_runs_through_the_job(make_user):
    """A rule over an existing model (accounts.User), registered like an app's, runs in the
    periodic job core.retention."""
    from tuoyu.accounts.models import User
    from tuoyu.jobs.runner import execute_run
    from tuoyu.jobs.services import job_enqueue

    target = make_user("throwaway", display_name="赵六")

    def due(cutoff):
        return User.objects.filter(username="throwaway")

    def anonymise(users, *, now):
        for u in users:
            u.username = "throwaway-done"
            u.save(update_fields=["username"])
        return len(users)

    retention.register(
        retention.RetentionRule(
            name="tests.throwaway",
            policy_key="retention.complaint_after_closing_years",
            label="测试",
            due=due,
            anonymise=anonymise,
        )
    )
    try:
        run_id = job_enqueue(
            "core.retention", run_key="retention-test", rerun=False, actor=None, params={}
        )
        outcome = execute_run(run_id)
    finally:
        retention.unregister("tests.throwaway")
    target.refresh_from_db()
    assert target.username == "throwaway-done"
    from tuoyu.jobs.models import JobRun

    run = JobRun.objects.get(pk=run_id)
    assert run.status == JobRun.Status.SUCCEEDED, (outcome, run.error)
    assert run.counts.get("anonymised") == 1


def test_policy_page_shows_the_retention_periods(client, health_user):
    """P-RET-1..4 are policy data and the policy page shows them with their units."""
    client.force_login(health_user)
    page = client.get("/policy/").content.decode()
    for text in (
        "个人信息保存期限",
        "婴幼儿离园后个人信息保存",
        "从业人员离职后个人信息保存",
        "投诉办结后投诉人信息保存",
        "账号停用后姓名与邮箱保存",
        "P-RET-4",
    ):
        assert text in page, text


def test_p_ret_5_login_attempts_past_a_year_are_deleted():
    """P-RET-5: a login attempt (login name, network address) is deleted after a year."""
    from tuoyu.accounts.models import LoginAttempt

    def attempt(day: dt.date, name: str):
        return LoginAttempt.objects.create(
            username=name,
            ip="10.0.0.8",
            succeeded=False,
            at=timezone.make_aware(dt.datetime.combine(day, dt.time(9))),
        )

    old = [attempt(dt.date(2025, 5, 1), f"old{i}") for i in range(3)]
    kept = attempt(dt.date(2025, 6, 2), "kept")
    rule = retention.get_rule("accounts.login_attempts")
    assert policy.at(DAY).retention.login_attempts_years == 1
    assert retention_run_rule(rule, day=DAY) == 3
    assert not LoginAttempt.objects.filter(pk__in=[a.pk for a in old]).exists()
    assert LoginAttempt.objects.filter(pk=kept.pk).exists()
    event = AuditEvent.objects.filter(action="jobs.retention.anonymised").last()
    assert event.detail["rule"] == "accounts.login_attempts" and event.detail["anonymised"] == 3


def test_p_ret_6_a_practitioners_credit_event_loses_the_person_after_five_years(make_filed):
    """P-RET-6: after five years the event keeps its points, not the person."""
    from tests.factories import CreditEventFactory
    from tuoyu.core.identifiers import make_id_number
    from tuoyu.supervision.models import CreditEvent
    from tuoyu.supervision.services.credit import practitioner_credit, rating_recompute

    institution = make_filed(name="金东区信用期限托育有限公司")
    id_number = make_id_number("330703", dt.date(1990, 3, 1), 17)
    old, recent = (
        CreditEventFactory(
            institution=institution,
            kind="penalty",
            points=-10,
            occurred_on=day,
            source=f"decision:{n}",
            person_name="赵六",
            id_number=id_number,
            public=False,
        )
        for n, day in ((1, dt.date(2021, 5, 31)), (2, dt.date(2021, 6, 2)))
    )
    rule = retention.get_rule("supervision.practitioner_credit")
    assert policy.at(DAY).retention.practitioner_credit_years == 5
    assert retention_run_rule(rule, day=DAY) == 1
    old = CreditEvent.objects.get(pk=old.pk)
    assert (old.person_name, old.id_number) == ("", "")
    assert old.is_person and old.points == -10  # still a person's event, not the institution's
    # the person is found by the ID number only with the recent event
    assert [e.pk for e in practitioner_credit(id_number, DAY)[2]] == [recent.pk]
    rating_recompute(institution.pk, DAY)  # the institution's score ignores both
    assert retention_run_rule(rule, day=DAY) == 0


def test_p_ret_3_an_answered_complaint_loses_the_complainants_phone_after_three_years():
    """P-RET-3: the complainant's phone goes three years after the reply; the complaint,
    its category and reply stay for the statistics and the credit file."""
    from tests.factories import ComplaintFactory
    from tuoyu.supervision.models import Complaint

    def answered(day: dt.date, phone: str):
        return ComplaintFactory(
            status=Complaint.Status.ANSWERED,
            answered_at=timezone.make_aware(dt.datetime.combine(day, dt.time(15))),
            contact_phone=phone,
            reply="经核查已整改。",
        )

    old = answered(dt.date(2023, 5, 30), "13800001111")
    kept = answered(dt.date(2023, 6, 2), "13800002222")
    rule = retention.get_rule("supervision.complaint_closed")
    assert policy.at(DAY).retention.complaint_after_closing_years == 3
    assert retention_run_rule(rule, day=DAY) == 1
    old = Complaint.objects.get(pk=old.pk)
    assert not old.contact_phone and old.anonymised_at is not None
    assert old.reply == "经核查已整改。" and old.category == "health_care"
    assert Complaint.objects.get(pk=kept.pk).contact_phone
