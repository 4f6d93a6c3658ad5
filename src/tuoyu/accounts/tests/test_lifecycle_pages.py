"""[accounts-ux] #9 point 1, the pages: an administrator lists (searchable, paginated),
adds, issues a code and downloads the handover letter — a PDF with the code and the
activation address as a QR code, audited like every download — disables and resets; the
activation page is public."""

from __future__ import annotations

import base64
import subprocess

import pytest
import segno
from django.urls import reverse

from tuoyu.accounts import handover, services
from tuoyu.accounts.catalogue import AccountsAction
from tuoyu.accounts.models import User
from tuoyu.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_user):
    return make_user("weijian", department="health", is_scope_admin=True)


def _text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return out.stdout.decode().replace(" ", "")


def test_the_handover_letter_downloads_with_the_qr_and_is_audited(
    client, admin, institution, make_user, settings, monkeypatch
):
    settings.TUOYU_PUBLIC_BASE_URL = "https://tuoyu.example.cn/"
    account = make_user("jg1", institution=institution, is_active=False)
    client.force_login(admin)
    qr_urls = []
    real_qr = handover._qr
    monkeypatch.setattr(handover, "_qr", lambda url: qr_urls.append(url) or real_qr(url))

    page = client.post(reverse("accounts:user_activation_code", args=[account.pk]))
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    code = page.context["code"]
    assert code in page.content.decode()

    response = client.post(
        reverse("accounts:user_handover_letter", args=[account.pk]), {"code": code}
    )

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    url = "https://tuoyu.example.cn/activate/?username=jg1"
    assert qr_urls == [url]
    svg = segno.make(url, error="m").svg_inline(scale=4, border=2)
    assert real_qr(url) == "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    text = _text(response.content)
    assert "账号交接函" in text and code in text and "jg1" in text and institution.name in text
    (event,) = AuditEvent.objects.filter(action=AccountsAction.USER_HANDOVER_LETTER_DOWNLOADED)
    assert event.actor_id == admin.pk and event.object_id == str(account.pk)


def test_the_letter_needs_the_live_code(client, admin, make_user):
    account = make_user("caizheng", department="finance")
    client.force_login(admin)
    _, old = services.user_activation_code_issue(acting_user=admin, user=account)
    services.user_activation_code_issue(acting_user=admin, user=account)
    response = client.post(
        reverse("accounts:user_handover_letter", args=[account.pk]), {"code": old}
    )
    assert response.status_code == 302  # back to the account, with the reason
    assert not AuditEvent.objects.filter(
        action=AccountsAction.USER_HANDOVER_LETTER_DOWNLOADED
    ).exists()


def test_the_list_is_searchable_and_the_add_form_creates_a_pending_account(
    client, admin, make_user, district
):
    make_user("zhangsan", department="finance", display_name="张三")
    make_user("lisi", township="duohu", display_name="李四")
    client.force_login(admin)
    listing = client.get(reverse("accounts:users"), {"q": "张三"})
    html = listing.content.decode()
    assert listing.status_code == 200 and "zhangsan" in html and "lisi" not in html

    response = client.post(
        reverse("accounts:user_add"),
        {
            "username": "duohu_new",
            "display_name": "王五",
            "unit": f"township:{district['duohu'].pk}",
        },
    )
    assert response.status_code == 200 and response.context["code"]
    user = User.objects.get(username="duohu_new")
    assert user.lifecycle_status == "pending" and user.township == district["duohu"]
    pending = client.get(reverse("accounts:users"), {"status": "pending"}).content.decode()
    assert "duohu_new" in pending and "zhangsan" not in pending


def test_the_add_form_says_what_is_missing(client, admin):
    client.force_login(admin)
    response = client.post(reverse("accounts:user_add"), {"username": "x1"})
    assert response.status_code == 400
    assert "所属" in response.context["errors"]["scope"]
    assert not User.objects.filter(username="x1").exists()


def test_detail_buttons_disable_and_reset(client, admin, make_user):
    account = make_user("caizheng", department="finance")
    client.force_login(admin)
    detail = client.get(reverse("accounts:user_detail", args=[account.pk])).content.decode()
    assert "停用" in detail and "重置密码" in detail
    # [accounts-ux] 6: a server-side confirmation page first, nothing changed yet
    page = client.post(reverse("accounts:user_disable", args=[account.pk]))
    assert 'data-testid="confirmation"' in page.content.decode()
    account.refresh_from_db()
    assert account.lifecycle_status != "disabled"
    client.post(reverse("accounts:user_disable", args=[account.pk]), {"confirmed": "1"})
    account.refresh_from_db()
    assert account.lifecycle_status == "disabled"
    client.post(reverse("accounts:user_enable", args=[account.pk]))
    page = client.post(reverse("accounts:user_reset", args=[account.pk]))
    assert "临时密码" in page.content.decode() and "temporary" not in (page.context or {})
    response = client.post(reverse("accounts:user_reset", args=[account.pk]), {"confirmed": "1"})
    account.refresh_from_db()
    assert account.must_change_password
    assert account.check_password(response.context["temporary"])


def test_the_activation_page_is_public(client, db):
    response = client.get(reverse("accounts:activate"), {"username": "jg1"})
    assert response.status_code == 200 and 'value="jg1"' in response.content.decode()


def test_the_navigation_shows_account_management_to_administrators_only(client, admin, make_user):
    client.force_login(admin)
    assert reverse("accounts:users") in client.get("/").content.decode()
    client.force_login(make_user("caizheng", department="finance"))
    assert reverse("accounts:users") not in client.get("/").content.decode()


def test_an_administrator_gives_and_takes_the_administrator_right(client, admin, make_user):
    """[accounts-ux] 1: administrators change another account's administrator flag, after
    a confirmation page; audited; never on their own account."""
    from tuoyu.audit.models import AuditEvent

    account = make_user("caizheng2", department="finance")
    client.force_login(admin)
    url = reverse("accounts:user_scope_admin", args=[account.pk])
    page = client.post(url, {"is_scope_admin": "1"})
    assert 'data-testid="confirmation"' in page.content.decode()
    account.refresh_from_db()
    assert not account.is_scope_admin
    client.post(url, {"is_scope_admin": "1", "confirmed": "1"})
    account.refresh_from_db()
    assert account.is_scope_admin
    event = AuditEvent.objects.filter(action="accounts.user.scope_admin_changed").get()
    assert event.changes == {"is_scope_admin": [False, True]}
    client.post(url, {"is_scope_admin": "0", "confirmed": "1"})
    account.refresh_from_db()
    assert not account.is_scope_admin
    own = client.post(
        reverse("accounts:user_scope_admin", args=[admin.pk]),
        {"is_scope_admin": "0", "confirmed": "1"},
        follow=True,
    )
    admin.refresh_from_db()
    assert admin.is_scope_admin
    assert "不能更改自己账号的管理员权限" in own.content.decode()
