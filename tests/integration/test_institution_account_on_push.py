"""[accounts-ux] #9 point 1: a newly registered institution gets its account on the push
itself (no one "accepts" a registration: the authority's push is the registration;
docs/accounts.md) — inactive, named by its USCC, its institution's administrator — and
区卫健局's administrator hands over its activation code from the institution's 账号 tab;
the institution then activates and logs in. Before: the tab said "尚无机构账号" with no way on."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import ApiTokenFactory
from tuoyu.accounts.models import User
from tuoyu.audit.models import AuditEvent
from tuoyu.institutions.catalogue import InstitutionsAction
from tuoyu.institutions.models import Institution
from tuoyu.institutions.services import registration_import
from tuoyu.institutions.tests.conftest import (
    DUOHU,
    excel_row,
    new_uscc,
    registration_body,
    xlsx_upload,
)

pytestmark = pytest.mark.django_db

PASSWORD = "Jigou-mima-2026!"


def _push(market_user, body):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {ApiTokenFactory(user=market_user).raw}")
    return client.post("/api/v1/registrations", json.dumps(body), content_type="application/json")


def test_a_pushed_registration_opens_an_inactive_institution_account(district, market_user):
    body = registration_body()
    response = _push(market_user, body)
    assert response.status_code == 201
    institution = Institution.objects.get(uscc=body["uscc"])
    (account,) = User.objects.filter(institution=institution)
    assert account.username == body["uscc"]
    assert not account.is_active and not account.has_usable_password()
    assert account.is_scope_admin and account.lifecycle_status == "pending"
    event = AuditEvent.objects.get(
        action=InstitutionsAction.REGISTRATION_REGISTERED, object_id=str(institution.pk)
    )
    assert event.detail["account"] == {
        "id": account.pk,
        "username": account.username,
        "active": False,
    }
    # A replay opens nothing more.
    assert _push(market_user, body).status_code == 200
    assert User.objects.filter(institution=institution).count() == 1


def test_an_upload_opens_an_account_per_new_institution(district, market_user):
    rows = [
        excel_row(
            action="登记",
            uscc=new_uscc(),
            name=f"金华市金东区开户{i}号托育有限公司",
            legal_form="企业",
            for_profit="营利性",
            township_code=DUOHU,
            occurred_at=dt.datetime(2024, 7, 1, 9, 0),
        )
        for i in range(3)
    ]
    registration_import.registration_events_import(acting_user=market_user, file=xlsx_upload(rows))
    accounts = User.objects.filter(scope_kind="institution")
    assert accounts.count() == 3
    assert not accounts.filter(is_active=True).exists()
    assert set(accounts.values_list("username", flat=True)) == set(
        Institution.objects.values_list("uscc", flat=True)
    )


def test_the_health_admin_hands_over_and_the_institution_logs_in(district, market_user, make_user):
    admin = make_user("weijian", department="health", is_scope_admin=True)
    body = registration_body()
    _push(market_user, body)
    institution = Institution.objects.get(uscc=body["uscc"])
    account = User.objects.get(institution=institution)

    officer = Client()
    officer.force_login(admin)
    tab = officer.get(reverse("institutions:detail", args=[institution.pk]), {"tab": "accounts"})
    html = tab.content.decode()
    assert "待激活" in html and reverse("accounts:user_activation_code", args=[account.pk]) in html
    page = officer.post(reverse("accounts:user_activation_code", args=[account.pk]))
    code = page.context["code"]
    letter = officer.post(
        reverse("accounts:user_handover_letter", args=[account.pk]), {"code": code}
    )
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF")

    institution_client = Client()
    response = institution_client.post(
        reverse("accounts:activate"),
        {
            "username": account.username,
            "code": code,
            "password": PASSWORD,
            "password_again": PASSWORD,
        },
    )
    assert response.status_code == 302
    home = institution_client.get("/")
    assert home.context["user"] == account and institution.name in home.content.decode()


def test_a_township_sees_the_account_but_does_not_manage_it(
    district, market_user, township_user, client
):
    body = registration_body()
    _push(market_user, body)
    institution = Institution.objects.get(uscc=body["uscc"])
    client.force_login(township_user)
    html = client.get(
        reverse("institutions:detail", args=[institution.pk]), {"tab": "accounts"}
    ).content.decode()
    assert body["uscc"] in html and "activation-code" not in html
