"""[hardening] point 5: two factors for 区卫健局 and platform operators (MLPS level 3).

Password, then a TOTP code (django-otp) or a recovery code, throttled like passwords;
enrolment by an inline QR code at the first login; recovery codes shown once and stored
hashed; reset by a colleague, never oneself; all audited. The suite runs with
TUOYU_REQUIRE_SECOND_FACTOR off (conftest.py); these tests turn it on."""

from __future__ import annotations

import io
import re
import time

import pytest
from django.core.management import call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tuoyu.accounts import services
from tuoyu.accounts.models import LoginAttempt
from tuoyu.accounts.rules import requires_second_factor
from tuoyu.audit.models import AuditEvent

PASSWORD = "pass-word-2020"


@pytest.fixture(autouse=True)
def second_factor_on(settings):
    settings.TUOYU_REQUIRE_SECOND_FACTOR = True


def code_for(device: TOTPDevice) -> str:
    """The next code the device accepts (a code is accepted once: `last_t`)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += (device.last_t + 1 - totp.t()) * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    """Enrol through the services, as the enrolment page does."""
    device = services.second_factor_enrolment_start(acting_user=user)
    return services.second_factor_enrolment_confirm(acting_user=user, token=code_for(device))


def _login(client, username, password=PASSWORD, ip="10.0.0.1", next_url=None):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post("/login/", data, REMOTE_ADDR=ip)


def _code(client, token, ip="10.0.0.1", next_url=None):
    data = {"token": token}
    if next_url:
        data["next"] = next_url
    return client.post("/login/second-factor/", data, REMOTE_ADDR=ip)


# --- who ---------------------------------------------------------------------------------


def test_the_rule_names_health_and_operators(
    health_user, market_user, finance_user, township_user, institution_user, system_user, make_user
):
    assert requires_second_factor(health_user)
    assert requires_second_factor(system_user)
    for user in (market_user, finance_user, township_user, institution_user):
        assert not requires_second_factor(user)
    assert not requires_second_factor(make_user("nostaff"))  # system scope, not staff


def test_other_accounts_log_in_with_the_password_alone(client, market_user):
    response = _login(client, "shichang")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


# --- enrolment at the first login -----------------------------------------------------------


def test_first_login_must_enrol_before_any_page(client, health_user):
    response = _login(client, "weijian", next_url="/audit/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/second-factor/enrol/?next=%2Faudit%2F"
    # no other page: the home page, the audit log, the token page all lead to enrolment
    for path in ("/", "/audit/", "/accounts/tokens/", "/institutions/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/second-factor/enrol/"), path
    # an htmx request is redirected as a whole page
    response = client.get("/institutions/", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith("/accounts/second-factor/enrol/")
    # the password step did not complete the login: no login event yet
    assert not AuditEvent.objects.filter(action="accounts.session.login").exists()
    assert AuditEvent.objects.filter(action="accounts.session.password_verified").exists()


def test_enrolment_shows_an_inline_qr_and_confirms_with_a_code(client, health_user):
    _login(client, "weijian")
    page = client.get("/accounts/second-factor/enrol/?next=/audit/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "otpauth" not in html  # the URI is in the QR, not in a link
    assert not re.search(r"<img[^>]+src=\"https?://", html)  # no external host
    device = TOTPDevice.objects.get(user=health_user, confirmed=False)
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', html).group(1)
    import base64

    assert base64.b32decode(secret.replace(" ", "")) == device.bin_key
    # reloading shows the same device
    client.get("/accounts/second-factor/enrol/")
    assert TOTPDevice.objects.filter(user=health_user).count() == 1
    # a wrong code is refused
    response = client.post("/accounts/second-factor/enrol/", {"token": "000000"})
    assert response.status_code == 400 and "验证码不正确" in response.content.decode()
    # the right one confirms, shows 10 recovery codes once, and the session is verified
    response = client.post(
        "/accounts/second-factor/enrol/", {"token": code_for(device), "next": "/audit/"}
    )
    html = response.content.decode()
    codes = re.findall(r"<li>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</li>", html)
    assert len(codes) == 10 and 'href="/audit/"' in html
    # stored hashed: no clear code in the database
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert len(stored) == 10 and not stored & set(codes)
    assert stored == {services.recovery_code_digest(c) for c in codes}
    assert client.get("/audit/").status_code == 200
    assert AuditEvent.objects.filter(action="accounts.second_factor.enrolled").count() == 1
    # once enrolled, the enrolment page can no longer replace the device
    assert client.get("/accounts/second-factor/enrol/").status_code == 302


def test_a_stolen_password_cannot_enrol_over_an_existing_device(client, health_user):
    enrol(health_user)
    _login(client, "weijian")
    response = client.get("/accounts/second-factor/enrol/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/second-factor/")
    response = client.post("/accounts/second-factor/enrol/", {"token": "123456"})
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=health_user).count() == 1
    with pytest.raises(services.DomainError):
        services.second_factor_enrolment_start(acting_user=health_user)


# --- the second step ---------------------------------------------------------------------


def test_login_with_a_device_asks_for_the_code(client, health_user):
    device, _ = enrol(health_user)
    response = _login(client, "weijian", next_url="/audit/")
    assert response["Location"] == "/login/second-factor/?next=%2Faudit%2F"
    assert client.get("/").status_code == 302
    page = client.get("/login/second-factor/?next=/audit/")
    assert page.status_code == 200 and "动态验证码" in page.content.decode()
    used = code_for(device)
    response = _code(client, used, next_url="/audit/")
    assert response.status_code == 302 and response["Location"] == "/audit/"
    assert client.get("/audit/").status_code == 200
    login = AuditEvent.objects.get(action="accounts.session.login")
    assert login.detail == {"second_factor": "totp"}
    assert LoginAttempt.objects.filter(factor="otp", signed_in=True).count() == 1
    # the same code a second time (another session) is refused: django-otp's last_t
    client.post("/logout/")
    _login(client, "weijian")
    assert _code(client, used).status_code == 400


def test_a_recovery_code_works_once(client, health_user):
    _, codes = enrol(health_user)
    _login(client, "weijian")
    response = _code(client, codes[0].upper().replace("-", " "))  # as a person might type it
    assert response.status_code == 302 and response["Location"] == "/"
    event = AuditEvent.objects.get(action="accounts.session.login")
    assert event.detail == {"second_factor": "recovery_code", "recovery_codes_left": 9}
    client.post("/logout/")
    _login(client, "weijian")
    response = _code(client, codes[0])
    assert response.status_code == 400 and "错误" in response.content.decode()


def test_wrong_codes_are_throttled_like_passwords(client, health_user):
    """4 wrong passwords, the right one, one wrong code: 5 failures lock the account (a
    right password does not clear the failures while the second factor is pending), and
    the locked half-login is ended."""
    enrol(health_user)
    for _ in range(4):
        _login(client, "weijian", "wrong")
    assert _login(client, "weijian")["Location"].startswith("/login/second-factor/")
    response = _code(client, "000000")
    assert response.status_code == 400 and "已被锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert "已被锁定" in _login(client, "weijian").content.decode()
    assert AuditEvent.objects.filter(action="accounts.session.second_factor_failed").count() == 1


def test_five_wrong_codes_lock_the_account(client, health_user):
    enrol(health_user)
    _login(client, "weijian")
    for i in range(4):
        response = _code(client, f"{i:06d}")
        assert response.status_code == 400 and "动态验证码或恢复码错误" in response.content.decode()
    response = _code(client, "999999")
    assert "已被锁定" in response.content.decode()
    # even the right code, after logging in again, is refused during the lock
    assert "已被锁定" in _login(client, "weijian").content.decode()
    assert LoginAttempt.objects.filter(factor="otp", succeeded=False).count() == 5


def test_api_bearer_tokens_are_unaffected(health_user, api_client):
    response = api_client(health_user).get("/api/v1/regions")
    assert response.status_code == 200


def test_force_login_without_the_factor_is_sent_to_verify(client, health_user):
    enrol(health_user)
    client.force_login(health_user)
    response = client.get("/audit/")
    assert response.status_code == 302
    assert response["Location"] == "/login/second-factor/?next=%2Faudit%2F"
    # logout and language switching stay open
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    assert client.post("/logout/").status_code == 302


# --- reset by a colleague ------------------------------------------------------------------


def _verified_client(client, user):
    device = services.second_factor_device(user) or enrol(user)[0]
    _login(client, user.username)
    _code(client, code_for(device))
    return client


def test_a_colleague_resets_a_lost_phone(client, health_user, make_user):
    colleague = make_user("weijian2", department="health")
    enrol(colleague)
    _verified_client(client, health_user)
    page = client.get("/accounts/second-factor/")
    html = page.content.decode()
    assert page.status_code == 200 and "weijian2" in html and "本人" in html
    assert f"/accounts/second-factor/{health_user.pk}/reset/" not in html  # not one's own
    response = client.post(f"/accounts/second-factor/{colleague.pk}/reset/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=colleague).exists()
    assert not StaticToken.objects.filter(device__user=colleague).exists()
    event = AuditEvent.objects.get(action="accounts.second_factor.reset")
    assert event.actor_username == "weijian" and event.object_id == str(colleague.pk)
    assert event.detail == {"totp": 1, "recovery_codes": 10}
    # the colleague enrols again at the next login
    other = type(client)()
    assert _login(other, "weijian2")["Location"].startswith("/accounts/second-factor/enrol/")


def test_nobody_resets_their_own_second_factor(client, health_user):
    _verified_client(client, health_user)
    response = client.post(f"/accounts/second-factor/{health_user.pk}/reset/", follow=True)
    assert "不能重置自己的二次验证" in response.content.decode()
    assert TOTPDevice.objects.filter(user=health_user).exists()
    with pytest.raises(services.DomainError):
        services.second_factor_reset(acting_user=health_user, user=health_user)


def test_reset_stays_within_the_department(client, health_user, market_user, system_user):
    enrol(system_user)
    _verified_client(client, health_user)
    assert client.post(f"/accounts/second-factor/{system_user.pk}/reset/").status_code == 404
    assert client.post(f"/accounts/second-factor/{market_user.pk}/reset/").status_code == 404
    assert TOTPDevice.objects.filter(user=system_user).exists()
    other = type(client)()
    other.force_login(market_user)
    assert other.get("/accounts/second-factor/").status_code == 403
    assert other.post(f"/accounts/second-factor/{health_user.pk}/reset/").status_code == 403


# --- demo accounts -------------------------------------------------------------------------


def test_demo_accounts_get_the_published_secret_and_the_command_prints_it(db, client):
    from tuoyu.accounts import seeding

    class Ctx:
        shared: dict = {}

    seeding.generate(Ctx())
    device = TOTPDevice.objects.get(user__username="weijian")
    assert device.confirmed and device.key == seeding.DEMO_TOTP_KEY_HEX
    assert TOTPDevice.objects.filter(user__username="pingtai").exists()
    assert not TOTPDevice.objects.filter(user__username="shichang").exists()
    out, err = io.StringIO(), io.StringIO()
    call_command("demo_accounts", stdout=out, stderr=err)
    assert all(len(line.split("\t")) == 4 for line in out.getvalue().splitlines())
    assert "JBSWY3DPEHPK3PXP" in err.getvalue() and "oathtool --totp -b" in err.getvalue()
    assert "weijian" in err.getvalue()
    # the demo account logs in with the password and the code oathtool would print
    _login(client, "weijian", seeding.DEMO_PASSWORD)
    assert _code(client, code_for(device)).status_code == 302
    # a real secret is never printed
    TOTPDevice.objects.filter(user__username="weijian").update(key="00" * 20)
    TOTPDevice.objects.filter(user__username="pingtai").update(key="11" * 20)
    err = io.StringIO()
    call_command("demo_accounts", stdout=io.StringIO(), stderr=err)
    assert err.getvalue() == ""
