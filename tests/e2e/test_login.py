"""Log in at /login in Chinese, land on the role's home page, log out; lockout message."""

import pytest

from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_login_home_logout(page, make_user):
    make_user("weijian", department="health", display_name="卫健局张科长")
    login(page, "weijian", "pass-word-2020")
    page.wait_for_url("**/")
    assert "欢迎，区卫健局" in page.content()
    assert page.get_by_role("link", name="审计日志").first.is_visible()
    page.screenshot(path="test-results/home-weijian.png", full_page=True)
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/login/")
    assert "您已安全退出" in page.content()


def test_institution_home_shows_only_its_own_things(page, make_user, make_institution):
    inst = make_institution(name="金华市金东区小橡树托育有限公司")
    make_user("jg01", institution=inst)
    login(page, "jg01", "pass-word-2020")
    page.wait_for_url("**/")
    html = page.content()
    assert "小橡树" in html
    assert "审计日志" not in html


def test_lockout_message_after_five_failures(page, make_user):
    make_user("weijian", department="health")
    for _ in range(5):
        login(page, "weijian", "wrong-password")
    login(page, "weijian", "pass-word-2020")
    error = page.get_by_test_id("login-error")
    assert "已被锁定" in error.inner_text()
