"""[hardening] point 2: /admin/ is no second door. Its login page sends people to /login/
(the throttled, audited door); only platform operators (system scope, staff) — with their
second factor where it is enforced — see the admin, and its logout is audited."""

import pytest

from tuoyu.accounts.models import LoginAttempt
from tuoyu.audit.models import AuditEvent

PASSWORD = "pass-word-2020"


def test_admin_login_page_sends_to_the_door(client, db):
    response = client.get("/admin/login/?next=/admin/regions/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/admin/regions/"
    # the admin index of an anonymous visitor ends at /login/ as well
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/login/?next=/admin/")


def test_admin_login_form_authenticates_nobody_and_a_lock_holds(client, system_user):
    """10 wrong passwords, then the right one, posted to the admin's own login form: no
    session; the account locked at /login/ stays locked at every door."""
    for i in range(10):
        client.post(
            "/admin/login/?next=/admin/",
            {"username": "yunwei", "password": f"wrong{i}", "next": "/admin/"},
        )
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "yunwei", "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
    # the real door: 5 failures lock; the right password then fails there and at /admin/
    for i in range(5):
        client.post("/login/", {"username": "yunwei", "password": f"wrong{i}"})
    response = client.post("/login/", {"username": "yunwei", "password": PASSWORD})
    assert "已被锁定" in response.content.decode()
    client.post("/admin/login/", {"username": "yunwei", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert LoginAttempt.objects.filter(username="yunwei").count() == 5


@pytest.mark.parametrize(
    ("kind", "staff", "status"),
    [
        ("system", True, 200),
        ("system", False, 403),
        ("health", True, 403),  # a department user with is_staff is no platform operator
        ("health", False, 403),
        ("institution", True, 403),
    ],
)
def test_admin_only_for_platform_operators(client, make_user, institution, kind, staff, status):
    if kind == "system":
        user = make_user("op", is_staff=staff)
    elif kind == "institution":
        user = make_user("op", institution=institution, is_staff=staff)
    else:
        user = make_user("op", department=kind, is_staff=staff)
    client.force_login(user)
    response = client.get("/admin/", follow=True)
    assert response.status_code == status


def test_operator_reaches_admin_through_the_door_and_logout_is_audited(client, system_user):
    response = client.post(
        "/login/", {"username": "yunwei", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert AuditEvent.objects.filter(
        action="accounts.session.login", actor_username="yunwei"
    ).exists()
    client.post("/admin/logout/")
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(
        action="accounts.session.logout", actor_username="yunwei"
    ).exists()


def test_admin_needs_the_second_factor(client, settings, system_user):
    settings.TUOYU_REQUIRE_SECOND_FACTOR = True
    client.force_login(system_user)  # a password-only session
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/second-factor/enrol/")
    from django.test import RequestFactory

    from tuoyu.accounts.admin_site import AdminSite

    request = RequestFactory().get("/admin/")
    request.user = system_user
    system_user.is_verified = lambda: False
    assert not AdminSite().has_permission(request)
    system_user.is_verified = lambda: True
    assert AdminSite().has_permission(request)


def test_otp_devices_are_not_editable_in_the_admin(client, system_user):
    """Second factors change only through accounts' audited services (enrol, reset)."""
    client.force_login(system_user)
    html = client.get("/admin/").content.decode()
    assert "otp_totp" not in html and "otp_static" not in html
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
