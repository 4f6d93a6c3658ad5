"""Login in Chinese, throttling (5 failures in 15 minutes, per account and per IP), logout."""

import datetime as dt

import pytest
from django.utils import timezone

from tuoyu.accounts.models import LoginAttempt
from tuoyu.audit.models import AuditEvent

PASSWORD = "pass-word-2020"


@pytest.fixture
def weijian(make_user):
    return make_user("weijian", department="health", password=PASSWORD)


def _login(client, username, password, ip="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_page_is_chinese(client, db):
    response = client.get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "用户登录" in html and "密码" in html
    assert 'lang="zh-hans"' in html


def test_login_lands_on_role_home_and_logout(client, weijian):
    response = _login(client, "weijian", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/")
    html = home.content.decode()
    assert "区卫健局" in html and "审计日志" in html  # the health bureau may read the audit log
    client.post("/logout/")
    # [accounts-ux] point 7: logged out, `/` is the public start page, not the home
    assert 'data-testid="public-start"' in client.get("/").content.decode()
    assert client.get("/audit/").status_code == 302
    assert AuditEvent.objects.filter(
        action="accounts.session.logout", actor_username="weijian"
    ).exists()


def test_wrong_password_is_refused_and_logged(client, weijian):
    response = _login(client, "weijian", "wrong")
    assert response.status_code == 400
    assert "用户名或密码错误" in response.content.decode()
    assert AuditEvent.objects.filter(
        action="accounts.session.login_failed", object_id="weijian"
    ).exists()
    assert LoginAttempt.objects.filter(username="weijian", succeeded=False).count() == 1


def test_account_locks_after_five_failures_even_with_right_password(client, weijian):
    for i in range(5):
        _login(client, "weijian", "wrong", ip=f"10.0.0.{i + 10}")  # other IPs: the account locks
    response = _login(client, "weijian", PASSWORD, ip="10.9.9.9")
    assert response.status_code == 400
    html = response.content.decode()
    assert "已被锁定" in html and "该账号" in html
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="accounts.session.login_refused_locked").exists()


def test_ip_locks_after_failures_across_accounts(client, weijian, make_user, settings):
    settings.TUOYU_LOGIN_MAX_FAILURES_PER_IP = 5  # default 20: a shared office address
    for i in range(5):
        _login(client, f"nobody{i}", "wrong", ip="10.0.0.66")
    response = _login(client, "weijian", PASSWORD, ip="10.0.0.66")
    assert "您所在的网络地址" in response.content.decode()
    # the same account from another address is fine
    assert _login(client, "weijian", PASSWORD, ip="10.0.0.67").status_code == 302


def test_failures_older_than_window_do_not_count(client, weijian):
    old = timezone.now() - dt.timedelta(minutes=16)
    LoginAttempt.objects.bulk_create(
        [LoginAttempt(username="weijian", ip="10.0.0.1", succeeded=False, at=old)] * 5
    )
    assert _login(client, "weijian", PASSWORD).status_code == 302


def test_four_failures_then_success_resets(client, weijian):
    for _ in range(4):
        _login(client, "weijian", "wrong")
    assert _login(client, "weijian", PASSWORD).status_code == 302
    client.post("/logout/")
    for _ in range(4):
        _login(client, "weijian", "wrong")
    assert _login(client, "weijian", PASSWORD).status_code == 302


def test_open_redirect_is_refused(client, weijian):
    response = client.post(
        "/login/", {"username": "weijian", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
