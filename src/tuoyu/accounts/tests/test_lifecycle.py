"""[accounts-ux] #9 point 1: the account lifecycle — activation codes (once, expiry,
wrong codes throttled, re-issue), the forced password change, administrators within their
own unit (404 outside), disabling (tokens and sessions stop at once), the operators'
command. Before: none of it existed; a new institution could never log in."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tuoyu.accounts import services
from tuoyu.accounts.catalogue import AccountsAction, AccountsError
from tuoyu.accounts.models import ActivationCode, User
from tuoyu.audit.models import AuditEvent
from tuoyu.core.errors import DomainError, NotFound

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Qiang-mima-2026!"


@pytest.fixture
def district_admin(make_user):
    return make_user("weijian", department="health", is_scope_admin=True)


@pytest.fixture
def duohu_admin(make_user):
    return make_user("duohu_admin", township="duohu", is_scope_admin=True)


@pytest.fixture
def dongxiao_user(make_user):
    return make_user("dongxiao1", township="dongxiao")


def _activate(client, username, code, password=NEW_PASSWORD, again=None, ip="10.1.0.1"):
    return client.post(
        reverse("accounts:activate"),
        {
            "username": username,
            "code": code,
            "password": password,
            "password_again": password if again is None else again,
        },
        REMOTE_ADDR=ip,
    )


def test_an_added_account_is_inactive_until_its_code_sets_the_password(client, duohu_admin):
    user, code = services.user_account_add(
        acting_user=duohu_admin, username="duohu2", display_name="李四"
    )
    assert user.township_id == duohu_admin.township_id  # the administrator's own unit
    assert not user.is_active and not user.has_usable_password()
    row = ActivationCode.objects.get(user=user)
    assert row.code_hash == services.activation_code_digest(code) and code not in row.code_hash
    assert row.expires_at - timezone.now() > dt.timedelta(days=29)

    response = _activate(client, "duohu2", code)

    assert response.status_code == 302 and response["Location"] == "/"
    user.refresh_from_db()
    assert user.is_active and user.check_password(NEW_PASSWORD)
    assert client.get("/").context["user"] == user  # logged in
    assert AuditEvent.objects.filter(
        action=AccountsAction.USER_ACTIVATED, object_id=str(user.pk)
    ).exists()


def test_a_code_works_once(client, duohu_admin):
    user, code = services.user_account_add(acting_user=duohu_admin, username="duohu3")
    assert _activate(client, "duohu3", code).status_code == 302
    again = _activate(Client(), "duohu3", code, password="Another-mima-2026")
    assert again.status_code == 400
    assert "激活码" in again.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_an_expired_code_is_refused(client, duohu_admin):
    user, code = services.user_account_add(acting_user=duohu_admin, username="duohu4")
    ActivationCode.objects.filter(user=user).update(expires_at=timezone.now() - dt.timedelta(1))
    response = _activate(client, "duohu4", code)
    assert response.status_code == 400
    user.refresh_from_db()
    assert not user.is_active


def test_a_wrong_code_is_refused_and_throttled_like_a_login(client, duohu_admin, settings):
    user, code = services.user_account_add(acting_user=duohu_admin, username="duohu5")
    for i in range(settings.TUOYU_LOGIN_MAX_FAILURES):
        response = _activate(client, "duohu5", "wrong-code", ip=f"10.2.0.{i}")
        assert response.status_code == 400
    assert AuditEvent.objects.filter(action=AccountsAction.USER_ACTIVATION_FAILED).count() == 5
    # Locked now: even the right code is not checked.
    response = _activate(client, "duohu5", code, ip="10.3.0.1")
    assert response.status_code == 400 and "已被锁定" in response.content.decode()
    user.refresh_from_db()
    assert not user.is_active


def test_reissuing_invalidates_the_old_code(client, duohu_admin):
    user, old = services.user_account_add(acting_user=duohu_admin, username="duohu6")
    _, new = services.user_activation_code_issue(acting_user=duohu_admin, user=user)
    assert ActivationCode.objects.filter(user=user, revoked_at__isnull=True).count() == 1
    assert _activate(client, "duohu6", old).status_code == 400
    assert _activate(client, "duohu6", new).status_code == 302
    event = (
        AuditEvent.objects.filter(action=AccountsAction.USER_ACTIVATION_CODE_ISSUED)
        .order_by("seq")
        .last()
    )
    assert event.detail["revoked_earlier"] == 1 and event.actor_id == duohu_admin.pk


def test_the_new_password_passes_djangos_validators_at_least_10(client, duohu_admin):
    _user, code = services.user_account_add(acting_user=duohu_admin, username="duohu7")
    response = _activate(client, "duohu7", code, password="Ab3$xyz9")  # 8 characters
    assert response.status_code == 400
    assert "10" in response.context["errors"]["password"]
    mismatch = _activate(client, "duohu7", code, again="something-else-2026")
    assert "不一致" in mismatch.context["errors"]["password_again"]
    # The code was not used up by a refused password.
    assert _activate(client, "duohu7", code).status_code == 302


def test_a_reset_account_must_change_its_password_first(client, district_admin, make_user):
    user = make_user("jiaoti1", department="education")
    temporary = services.user_password_reset(acting_user=district_admin, user=user)
    user.refresh_from_db()
    assert user.must_change_password

    assert client.post("/login/", {"username": "jiaoti1", "password": temporary}).status_code == 302
    change = reverse("accounts:password_change")
    for path in ("/", "/institutions/", reverse("accounts:tokens")):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == change, path
    assert client.get(change).status_code == 200
    response = client.post(
        change,
        {"current_password": temporary, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # the session survives the change
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password(NEW_PASSWORD)


def test_logout_stays_open_to_an_account_that_must_change(client, make_user):
    make_user("mc", department="finance", must_change_password=True)
    client.post("/login/", {"username": "mc", "password": "pass-word-2020"})
    assert client.post("/logout/").status_code == 302


# --- administrators within their own unit ---------------------------------------------------


def test_a_township_admin_manages_only_its_township(client, duohu_admin, dongxiao_user):
    client.force_login(duohu_admin)
    listing = client.get(reverse("accounts:users"))
    assert listing.status_code == 200
    assert "dongxiao1" not in listing.content.decode()
    assert client.get(reverse("accounts:user_detail", args=[dongxiao_user.pk])).status_code == 404
    response = client.post(reverse("accounts:user_disable", args=[dongxiao_user.pk]))
    assert response.status_code == 404
    dongxiao_user.refresh_from_db()
    assert dongxiao_user.is_active
    with pytest.raises(NotFound):
        services.user_disable(acting_user=duohu_admin, user=dongxiao_user)


def test_an_institution_admin_manages_only_its_institution(
    make_user, make_institution, institution
):
    admin = make_user("jg_admin", institution=institution, is_scope_admin=True)
    colleague = make_user("jg_colleague", institution=institution)
    other = make_user("jg_other", institution=make_institution())
    from tuoyu.accounts.selectors import users_managed

    assert set(users_managed(acting_user=admin)) == {admin, colleague}
    services.user_disable(acting_user=admin, user=colleague)
    with pytest.raises(NotFound):
        services.user_password_reset(acting_user=admin, user=other)
    new, _ = services.user_account_add(acting_user=admin, username="jg_new")
    assert new.institution_id == institution.pk


def test_the_district_admin_manages_the_whole_district(
    district_admin, dongxiao_user, institution_user, make_user
):
    operator = make_user("yunwei", is_staff=True)
    from tuoyu.accounts.selectors import users_managed

    managed = set(users_managed(acting_user=district_admin))
    assert {dongxiao_user, institution_user} <= managed and operator not in managed
    services.user_disable(acting_user=district_admin, user=institution_user)
    services.user_enable(acting_user=district_admin, user=institution_user)


def test_a_plain_user_manages_nobody(client, make_user, township_user):
    plain = make_user("plain", township="duohu")
    client.force_login(plain)
    assert client.get(reverse("accounts:users")).status_code == 403
    with pytest.raises(PermissionDenied):
        services.user_disable(acting_user=plain, user=township_user)


def test_no_one_disables_or_resets_oneself(duohu_admin):
    with pytest.raises(DomainError) as exc:
        services.user_disable(acting_user=duohu_admin, user=duohu_admin)
    assert exc.value.code == AccountsError.USER_SELF_MANAGE


# --- disabling stops tokens and sessions at once ---------------------------------------------


def test_disabling_stops_the_token_at_the_next_request(api_client, district_admin, market_user):
    client = api_client(market_user)
    assert client.get("/api/v1/regions").status_code == 200
    services.user_disable(acting_user=district_admin, user=market_user)
    assert client.get("/api/v1/regions").status_code == 401
    services.user_enable(acting_user=district_admin, user=market_user)
    assert client.get("/api/v1/regions").status_code == 200


def test_disabling_ends_the_session(client, district_admin, make_user):
    user = make_user("caizheng", department="finance")
    client.post("/login/", {"username": "caizheng", "password": "pass-word-2020"})
    assert client.get("/").context["user"] == user
    services.user_disable(acting_user=district_admin, user=user)
    # ModelBackend.get_user refuses an inactive user (user_can_authenticate): anonymous now.
    assert not client.get("/").context["user"].is_authenticated
    refused = client.post("/login/", {"username": "caizheng", "password": "pass-word-2020"})
    assert refused.status_code == 400
    event = AuditEvent.objects.get(action=AccountsAction.USER_DISABLED)
    assert event.actor_id == district_admin.pk and event.object_id == str(user.pk)


# --- the operators' command --------------------------------------------------------------------


def _command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("user_admin", *args, stdout=out, stderr=err)
    return out.getvalue().strip()


def test_the_command_does_the_lifecycle(client, district, departments, tmp_path):
    code = _command("create", "caizheng2", "--department", "finance", "--name", "王五", "--admin")
    user = User.objects.get(username="caizheng2")
    assert user.is_scope_admin and not user.is_active and user.department.code == "finance"
    new_code = _command("activation-code", "caizheng2", "--letter", str(tmp_path / "l.pdf"))
    assert (tmp_path / "l.pdf").read_bytes().startswith(b"%PDF")
    assert _activate(client, "caizheng2", code).status_code == 400  # re-issued: old one void
    assert _activate(client, "caizheng2", new_code).status_code == 302
    _command("disable", "caizheng2")
    user.refresh_from_db()
    assert not user.is_active and user.disabled_at
    _command("enable", "caizheng2")
    temporary = _command("reset", "caizheng2")
    user.refresh_from_db()
    assert user.is_active and user.must_change_password and user.check_password(temporary)
    actors = set(
        AuditEvent.objects.filter(
            object_id=str(user.pk), action__startswith="accounts.user."
        ).values_list("actor_id", flat=True)
    )
    assert actors == {None, user.pk}  # the system; the user's own activation
    _command("create", "duohu9", "--township", "330703001")
    assert User.objects.get(username="duohu9").township.code == "330703001"
    with pytest.raises(CommandError):
        _command("create", "nobody")
    with pytest.raises(CommandError):
        _command("disable", "no-such-user")
