"""[hardening] points 3, 9 and 16: the login throttle counts, checks and records in one
step (parallel attempts are serialised on per-account and per-address rows), a success
clears only its account's failures, the per-address lock cannot be reset by an attacker's
own good login, a user name of any length is counted (never a 500), and a locked account
refused again and again appends one audit event per lock period, not one per refusal."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from tuoyu.accounts import services
from tuoyu.accounts.models import LoginAttempt, LoginThrottle, User
from tuoyu.audit.models import AuditEvent

PASSWORD = "pass-word-2020"


def _login(client, username, password, ip="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_spraying_accounts_from_one_address_locks_the_address(client, make_user, settings):
    """The attacker's own account logs in after every 3 failures: the address still locks
    after TUOYU_LOGIN_MAX_FAILURES_PER_IP failures (a success clears only its account)."""
    make_user("gongji", department="finance")
    make_user("weijian", department="health")
    limit = settings.TUOYU_LOGIN_MAX_FAILURES_PER_IP
    tried = 0
    for i in range(limit + 5):
        if i % 3 == 2:
            assert _login(client, "gongji", PASSWORD, ip="10.0.0.66").status_code == 302
            client.post("/logout/")
        response = _login(client, f"victim{i:02d}", "Summer2024!", ip="10.0.0.66")
        tried += 1
        if "您所在的网络地址" in response.content.decode():
            break
    # the limit-th failure locks: its own answer says so
    assert tried == limit
    assert LoginAttempt.objects.filter(ip="10.0.0.66", succeeded=False).count() == limit
    # the address stays locked, for the attacker's own account too
    assert "您所在的网络地址" in _login(client, "gongji", PASSWORD, ip="10.0.0.66").content.decode()
    assert (
        "您所在的网络地址" in _login(client, "weijian", PASSWORD, ip="10.0.0.66").content.decode()
    )
    # from elsewhere, every account is fine
    assert _login(client, "weijian", PASSWORD, ip="10.0.0.67").status_code == 302


def test_success_clears_only_its_own_account(client, make_user):
    make_user("weijian", department="health")
    make_user("caizheng", department="finance")
    for _ in range(4):
        _login(client, "weijian", "wrong", ip="10.0.1.1")
    assert _login(client, "caizheng", PASSWORD, ip="10.0.1.1").status_code == 302
    client.post("/logout/")
    response = _login(client, "weijian", "wrong", ip="10.0.1.2")
    assert "该账号" in response.content.decode() and "已被锁定" in response.content.decode()


def test_the_password_is_checked_only_after_the_attempt_is_recorded(health_user, monkeypatch):
    """The attempt is counted before its password is checked: a check that never returns
    (a killed worker, a timeout) still counts as a failure."""
    seen = []

    def check(self, raw):
        seen.append(LoginAttempt.objects.filter(username="weijian", succeeded=False).count())
        return False

    monkeypatch.setattr("tuoyu.accounts.models.User.check_password", check)
    with pytest.raises(services.DomainError):
        services.user_login_attempt(request=None, username="weijian", password="x", ip="10.0.2.1")
    assert seen == [1]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks: PostgreSQL (SQLite serialises writers by its IMMEDIATE transactions)",
)
@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_attempts_check_at_most_the_limit(make_user, settings, monkeypatch):
    """40 parallel wrong attempts on one account from 40 addresses: at most
    TUOYU_LOGIN_MAX_FAILURES password checks, every other attempt refused as locked."""
    make_user("weijian", department="health")
    checks = []
    lock = threading.Lock()
    original = User.check_password

    def slow_check(self, raw):
        import time

        with lock:
            checks.append(raw)
        time.sleep(0.05)  # widen the window a race would need
        return original(self, raw)

    monkeypatch.setattr("tuoyu.accounts.models.User.check_password", slow_check)
    barrier = threading.Barrier(40)
    outcomes = []

    def attempt(i):
        from django.db import connections

        try:
            barrier.wait()
            services.user_login_attempt(
                request=None, username="weijian", password=f"wrong{i}", ip=f"10.3.0.{i}"
            )
        except services.DomainError as exc:
            with lock:
                outcomes.append(str(exc.errors[0].code))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    limit = settings.TUOYU_LOGIN_MAX_FAILURES
    assert len(outcomes) == 40
    assert len(checks) <= limit
    assert LoginAttempt.objects.filter(username="weijian").count() == len(checks)
    assert outcomes.count("login_locked") >= 40 - limit


def test_a_very_long_user_name_is_counted_not_a_500(client, db):
    """[hardening] point 9: on PostgreSQL a name longer than the columns raised a 500 and
    the attempt went uncounted."""
    name = "a" * 5000
    for i in range(5):
        response = _login(client, name, "wrong", ip="10.0.4.1")
        assert response.status_code == 400, i
    assert LoginAttempt.objects.count() == 5
    attempt = LoginAttempt.objects.first()
    assert attempt.username == name[:150]
    event = AuditEvent.objects.filter(action="accounts.session.login_failed").first()
    assert len(event.object_id) == 64 and event.object_id.endswith("…")
    # the sixth is refused: the long name's account is locked like any other
    assert "已被锁定" in _login(client, name, "wrong", ip="10.0.4.2").content.decode()
    # and a long address, user agent and request id are cut, never refused
    response = client.post(
        "/login/",
        {"username": "b" * 400, "password": "x"},
        REMOTE_ADDR="10.0.4.3",
        HTTP_USER_AGENT="U" * 5000,
        HTTP_X_REQUEST_ID="r" * 500,
    )
    assert response.status_code == 400


def _age_attempts(minutes: int) -> None:
    for attempt in LoginAttempt.objects.all():
        LoginAttempt.objects.filter(pk=attempt.pk).update(
            at=attempt.at - dt.timedelta(minutes=minutes)
        )


def test_refusals_during_a_lock_append_one_event_per_lock_period(client, health_user):
    for _ in range(5):
        _login(client, "weijian", "wrong")
    for _ in range(30):
        response = _login(client, "weijian", PASSWORD)
        assert "已被锁定" in response.content.decode()
    refused = AuditEvent.objects.filter(action="accounts.session.login_refused_locked")
    assert refused.count() == 1
    row = LoginThrottle.objects.get(key="account:weijian")
    assert row.refused == 30
    # the lock ends: the next attempt reports the period's count once, then logs in
    _age_attempts(16)
    assert _login(client, "weijian", PASSWORD).status_code == 302
    summary = AuditEvent.objects.filter(action="accounts.session.lock_refusals")
    assert summary.count() == 1
    assert summary.get().detail["refused"] == 30
    assert summary.get().detail["locked_by"] == "account"
    row.refresh_from_db()
    assert row.refused == 0
    # a new lock period has its own first event
    client.post("/logout/")
    for _ in range(5):
        _login(client, "weijian", "wrong")
    _login(client, "weijian", PASSWORD)
    _login(client, "weijian", PASSWORD)
    assert refused.count() == 2


def test_refusals_are_in_the_security_log_without_flooding_it(client, health_user, caplog):
    for _ in range(5):
        _login(client, "weijian", "wrong")
    caplog.clear()
    with caplog.at_level("WARNING", logger="tuoyu.security"):
        for _ in range(25):
            _login(client, "weijian", PASSWORD)
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    assert 1 <= len(refusals) <= 3  # the first, the 10th: counts, not one line each
    assert any("10" in r.getMessage() for r in refusals)


def test_user_name_cannot_forge_security_log_lines(client, db, caplog):
    with caplog.at_level("WARNING", logger="tuoyu.security"):
        _login(client, "x\n2026-01-01 INFO login ok user=weijian", "wrong")
    assert all("\n" not in r.getMessage() for r in caplog.records)


def test_old_failures_outside_the_window_do_not_lock(client, health_user):
    old = timezone.now() - dt.timedelta(minutes=16)
    LoginAttempt.objects.bulk_create(
        [
            LoginAttempt(
                username="weijian", ip="10.0.0.1", ip_block="10.0.0.1", succeeded=False, at=old
            )
            for _ in range(25)
        ]
    )
    assert _login(client, "weijian", PASSWORD).status_code == 302


def test_ipv6_addresses_of_one_network_share_a_lock(client, make_user, settings):
    """Rotating addresses within one IPv6 /64 (one subscriber) does not escape the lock."""
    make_user("weijian", department="health")
    limit = settings.TUOYU_LOGIN_MAX_FAILURES_PER_IP
    for i in range(limit):
        _login(client, f"nobody{i}", "wrong", ip=f"2001:db8:1:2::{i + 1:x}")
    response = _login(client, "weijian", PASSWORD, ip="2001:db8:1:2::ffff")
    assert "您所在的网络地址" in response.content.decode()
    assert _login(client, "weijian", PASSWORD, ip="2001:db8:1:3::1").status_code == 302
