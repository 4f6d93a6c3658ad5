"""[hardening] point 1: a registration authority cannot take over another's institution.

`changed` and `deregistered` come only from the authority that holds the registration (403
`authority_mismatch`); a change of authority is a `deregistered` at the old authority and a
`registered` at the new one; the USCC's first character (GB 32100-2015 登记管理部门代码)
must fit the pushing authority (422 `uscc_authority_mismatch`). API-CONTRACT §1. The same
rules on every channel: the API, the entry form and the Excel upload."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from django.urls import reverse

from tests.factories.institutions import LEGAL_FORMS
from tuoyu.core.errors import DomainError
from tuoyu.institutions import registration_rules, seeding
from tuoyu.institutions.models import Institution, RegistrationEvent
from tuoyu.institutions.services import registration_import

from .conftest import (
    USCC_FIRST,
    excel_row,
    new_uscc,
    registration_body,
    uscc_of,
    xlsx_upload,
)

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
_events = itertools.count(1)


def codes(response) -> list[str]:
    assert response["Content-Type"].startswith(PROBLEM), response.content
    return [e["code"] for e in response.json()["errors"]]


def social_organisation_body(**overrides) -> dict:
    """区民政局 registering a non-profit social organisation (USCC 52…)."""
    return registration_body(
        **{
            "event_id": f"MZ-330703-2024-{next(_events):06d}",
            "authority": "civil_affairs",
            "uscc": uscc_of("civil_affairs"),
            "name": "金华市金东区某某托育服务中心",
            "legal_form": "social_organization",
            "for_profit": False,
            **overrides,
        }
    )


@pytest.fixture
def civil_institution(push, district, civil_user):
    """A social organisation 区民政局 registered (USCC 52…), filed."""
    body = social_organisation_body()
    assert push(civil_user, body).status_code == 201
    institution = Institution.objects.get(uscc=body["uscc"])
    assert institution.uscc.startswith("52")
    Institution.objects.filter(pk=institution.pk).update(
        filing_status="filed", filing_number="TY330703-2024-0301", filed_on=dt.date(2024, 4, 1)
    )
    institution.refresh_from_db()
    return institution


# --- the issue's probe ---------------------------------------------------------------------


def test_another_authority_cannot_take_over_an_institution(push, civil_institution, market_user):
    """As 区市场监管局: a `changed` with legal_form company for 区民政局's social
    organisation, then a `deregistered`. Before the fix: 201 and 201 — 区市场监管局 became
    the registration authority and cancelled the filing."""
    change = registration_body(
        event_id="SAMR-330703-2024-T00001",
        action="changed",
        uscc=civil_institution.uscc,
        legal_form="company",
        for_profit=True,
        name=None,
        legal_representative=None,
        address=None,
        township_code=None,
    )
    deregistration = registration_body(
        event_id="SAMR-330703-2024-T00002",
        action="deregistered",
        uscc=civil_institution.uscc,
        name=None,
        legal_form=None,
        for_profit=None,
        legal_representative=None,
        address=None,
        township_code=None,
    )

    changed = push(market_user, change)
    deregistered = push(market_user, deregistration)

    assert changed.status_code == 403 and codes(changed) == ["authority_mismatch"]
    assert deregistered.status_code == 403 and codes(deregistered) == ["authority_mismatch"]
    assert "区民政局" in changed.json()["errors"][0]["message"]
    civil_institution.refresh_from_db()
    assert civil_institution.registration_authority == "civil_affairs"
    assert (civil_institution.legal_form, civil_institution.for_profit) == (
        "social_organization",
        False,
    )
    assert civil_institution.registration_status == "registered"
    assert civil_institution.filing_status == "filed"
    assert not RegistrationEvent.objects.filter(authority="market_regulation").exists()


def test_the_holder_still_changes_and_deregisters_its_own(push, civil_institution, civil_user):
    change = social_organisation_body(
        action="changed",
        uscc=civil_institution.uscc,
        name="金华市金东区改名托育服务中心",
        legal_form=None,
        for_profit=None,
    )
    assert push(civil_user, change).status_code == 201
    deregistration = social_organisation_body(
        action="deregistered",
        uscc=civil_institution.uscc,
        name=None,
        legal_form=None,
        for_profit=None,
        township_code=None,
        occurred_at="2025-05-20T15:00:00+08:00",
    )
    assert push(civil_user, deregistration).status_code == 201
    civil_institution.refresh_from_db()
    assert civil_institution.name == "金华市金东区改名托育服务中心"
    assert civil_institution.registration_status == "deregistered"
    assert civil_institution.filing_status == "cancelled"


def test_a_change_of_authority_is_a_deregistration_and_a_new_registration(
    push, civil_institution, civil_user, market_user
):
    """A non-profit converted into a company: 区民政局 deregisters the social organisation,
    区市场监管局 registers the company under the USCC it issued (91…)."""
    deregistration = social_organisation_body(
        action="deregistered",
        uscc=civil_institution.uscc,
        name=None,
        legal_form=None,
        for_profit=None,
        township_code=None,
        occurred_at="2025-05-20T15:00:00+08:00",
    )
    assert push(civil_user, deregistration).status_code == 201
    company = registration_body(name="金华市金东区某某托育有限公司")
    response = push(market_user, company)
    assert response.status_code == 201, response.json()

    old = Institution.objects.get(uscc=civil_institution.uscc)
    new = Institution.objects.get(uscc=company["uscc"])
    assert (old.registration_authority, old.registration_status) == (
        "civil_affairs",
        "deregistered",
    )
    assert (new.registration_authority, new.registration_status) == (
        "market_regulation",
        "registered",
    )


# --- the USCC's registering-authority character --------------------------------------------


@pytest.mark.parametrize(
    ("user_fixture", "authority", "legal_form", "for_profit", "first"),
    [
        ("market_user", "market_regulation", "company", True, "5"),
        ("market_user", "market_regulation", "company", True, "1"),
        ("civil_user", "civil_affairs", "social_organization", False, "9"),
        ("civil_user", "civil_affairs", "social_organization", False, "1"),
        (
            "public_registration_user",
            "public_institution_registration",
            "public_institution",
            False,
            "5",
        ),
        ("education_user", "education", "kindergarten", False, "9"),
        ("education_user", "education", "kindergarten", False, "3"),
    ],
)
def test_a_uscc_the_authority_cannot_have_issued_is_422_uscc_authority_mismatch(
    request, push, district, user_fixture, authority, legal_form, for_profit, first
):
    user = request.getfixturevalue(user_fixture)
    body = registration_body(
        authority=authority,
        legal_form=legal_form,
        for_profit=for_profit,
        uscc=new_uscc(first, "2"),
    )
    response = push(user, body)
    assert response.status_code == 422
    assert codes(response) == ["uscc_authority_mismatch"]
    assert response.json()["errors"][0]["field"] == "uscc"
    assert "GB 32100-2015" in response.json()["errors"][0]["message"]
    assert not Institution.objects.exists()


@pytest.mark.parametrize(
    ("user_fixture", "authority", "legal_form", "for_profit", "first"),
    [
        ("market_user", "market_regulation", "company", True, "9"),
        ("civil_user", "civil_affairs", "social_organization", False, "5"),
        (
            "public_registration_user",
            "public_institution_registration",
            "public_institution",
            False,
            "1",
        ),
        ("education_user", "education", "kindergarten", False, "5"),  # private, 民办非企业单位
        ("education_user", "education", "kindergarten", False, "1"),  # public, 事业单位
    ],
)
def test_every_character_an_authority_issues_is_accepted(
    request, push, district, user_fixture, authority, legal_form, for_profit, first
):
    user = request.getfixturevalue(user_fixture)
    body = registration_body(
        authority=authority,
        legal_form=legal_form,
        for_profit=for_profit,
        uscc=new_uscc(first, "2"),
    )
    response = push(user, body)
    assert response.status_code == 201, response.json()


def test_the_table_is_the_contracts_and_fits_the_demo_data_and_the_factories():
    """API-CONTRACT §1: market_regulation 9, civil_affairs 5,
    public_institution_registration 1, education 1 or 5 — and every USCC the demo data
    (seeding.FORMS) and the factories (LEGAL_FORMS) build fits it."""
    table = registration_rules.USCC_AUTHORITY_CHARACTERS
    assert table == {
        "market_regulation": {"9"},
        "civil_affairs": {"5"},
        "public_institution_registration": {"1"},
        "education": {"1", "5"},
    }
    assert set(table) == set(registration_rules.AUTHORITY_LABELS)
    for _form, _profit, authority, (dept, _kind), *_ in seeding.FORMS:
        assert dept in table[authority], (authority, dept)
    for form in LEGAL_FORMS.values():
        assert form.uscc_dept in table[form.registration_authority], form
    for authority, first in USCC_FIRST.items():
        assert first in table[authority]


def test_a_malformed_uscc_is_reported_as_such_not_as_a_mismatch(push, district, civil_user):
    body = social_organisation_body(uscc="5233070")
    response = push(civil_user, body)
    assert codes(response) == ["uscc_format"]


# --- the same rules on the other channels ---------------------------------------------------


def test_the_excel_upload_refuses_a_takeover(civil_institution, market_user):
    row = excel_row(
        event_id="SAMR-330703-2024-X00001",
        action="变更",
        uscc=civil_institution.uscc,
        legal_form="企业",
        for_profit="营利性",
        occurred_at=dt.datetime(2024, 7, 1, 9, 0),
    )
    cancel = excel_row(
        event_id="SAMR-330703-2024-X00002",
        action="注销",
        uscc=civil_institution.uscc,
        occurred_at=dt.datetime(2024, 7, 2, 9, 0),
    )
    with pytest.raises(DomainError) as exc_info:
        registration_import.registration_events_import(
            acting_user=market_user, file=xlsx_upload([row, cancel])
        )
    assert [(e.row, e.field, e.code) for e in exc_info.value.errors] == [
        (2, "登记机关", "authority_mismatch"),
        (3, "登记机关", "authority_mismatch"),
    ]
    civil_institution.refresh_from_db()
    assert civil_institution.registration_authority == "civil_affairs"
    assert civil_institution.registration_status == "registered"


def test_the_excel_upload_checks_the_uscc_character(district, civil_user):
    row = excel_row(
        action="登记",
        uscc=new_uscc("9", "1"),
        name="金华市金东区某某托育服务中心",
        legal_form="社会组织",
        for_profit="非营利性",
        township_code="330703001",
        occurred_at=dt.datetime(2024, 7, 1, 9, 0),
    )
    with pytest.raises(DomainError) as exc_info:
        registration_import.registration_events_import(
            acting_user=civil_user, file=xlsx_upload([row])
        )
    assert [(e.row, e.field, e.code) for e in exc_info.value.errors] == [
        (2, "统一社会信用代码", "uscc_authority_mismatch"),
    ]


def test_the_entry_form_refuses_a_takeover(client, civil_institution, market_user):
    client.force_login(market_user)
    page = client.get(reverse("institutions:registration_new"))
    event_id = re.search(r'name="event_id" value="([^"]+)"', page.content.decode()).group(1)
    response = client.post(
        reverse("institutions:registration_new"),
        {
            "event_id": event_id,
            "action": "changed",
            "uscc": civil_institution.uscc,
            "legal_form": "company",
            "for_profit": "true",
            "occurred_at": "2024-05-06T10:30",
        },
    )
    assert response.status_code == 200
    assert "该机构由区民政局登记" in response.content.decode()
    civil_institution.refresh_from_db()
    assert civil_institution.registration_authority == "civil_affairs"
    assert not RegistrationEvent.objects.filter(authority="market_regulation").exists()
