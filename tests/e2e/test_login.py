"""Log in at /login in Chinese, land on the role's home page, log out; lockout message; the
two-step login of 区卫健局 (enrolment by QR code, then password and TOTP code)."""

import pytest

from tests.e2e.conftest import login, totp_code

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


def test_health_bureau_enrols_then_logs_in_with_two_factors(page, make_user, settings):
    """[hardening] point 5, the whole flow in the browser: the first login of 区卫健局 must
    enrol (the QR code is inline SVG, the key is shown for manual entry), the recovery
    codes are shown once; the next login asks for the 6-digit code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.TUOYU_REQUIRE_SECOND_FACTOR = True
    user = make_user("weijian", department="health", display_name="卫健局张科长")
    login(page, "weijian", "pass-word-2020")
    page.wait_for_url("**/accounts/second-factor/enrol/**")
    assert page.get_by_test_id("totp-qr").locator("svg").count() == 1
    page.screenshot(path="test-results/second-factor-enrol.png", full_page=True)
    page.goto("/audit/")  # no page before enrolment
    page.wait_for_url("**/accounts/second-factor/enrol/**")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page.get_by_placeholder("6 位验证码").fill(totp_code(device))
    page.get_by_role("button", name="完成绑定").click()
    codes = page.get_by_test_id("recovery-codes").locator("li")
    codes.first.wait_for()
    assert codes.count() == 10
    page.screenshot(path="test-results/second-factor-recovery-codes.png", full_page=True)
    page.get_by_role("link", name="我已保存，继续").click()
    page.wait_for_url("**/audit/")
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/login/")

    login(page, "weijian", "pass-word-2020", device=device)
    assert "欢迎，区卫健局" in page.content()
    assert page.get_by_role("link", name="审计日志").first.is_visible()
