"""[hardening] points 6, 7, 8 for institutions: numbers and dates of the class API, the
registration body, chains and 普惠 designations have bounds and coded errors; their texts
have length limits (shown in the forms); the public verification form never crashes."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from tests.factories import AffordableDesignationFactory, ChainAgreementFactory
from tuoyu.core import bounds
from tuoyu.core.errors import DomainError
from tuoyu.institutions.models import ChainAgreement, RegistrationEvent
from tuoyu.institutions.services import affordable as affordable_services
from tuoyu.institutions.services import chains as chain_services
from tuoyu.institutions.tests.conftest import pdf_upload, registration_body

pytestmark = pytest.mark.django_db
D = dt.date


def codes(exc: DomainError) -> dict:
    return {e.field: str(e.code) for e in exc.errors}


# --- the registration body: occurred_at (point 6) -----------------------------------------


@pytest.mark.parametrize(
    "moment",
    [
        "0001-01-01T00:00:00+23:59",
        "0001-01-01T00:00:00+00:00",
        "9999-12-31T23:59:59-23:59",
        "9999-12-31T23:59:59+08:00",
        "1999-12-31T23:59:59+08:00",
        "2101-01-01T00:00:00+08:00",
    ],
)
def test_occurred_at_outside_the_years_is_422(push, market_user, district, moment):
    r = push(market_user, registration_body(occurred_at=moment))
    assert r.status_code == 422, r.content
    errors = r.json()["errors"]
    assert errors[0]["code"] == "date_out_of_range" and errors[0]["field"] == "occurred_at"
    assert not RegistrationEvent.objects.exists()


def test_occurred_at_at_the_bounds_is_accepted(push, market_user, district):
    r = push(market_user, registration_body(occurred_at="2000-01-01T00:00:00+08:00"))
    assert r.status_code == 201, r.content


# --- the class API (point 6) ---------------------------------------------------------------


@pytest.mark.parametrize("capacity", [10**20, -(10**20), 0, 1e30, 32768])
def test_class_capacity_extremes_are_422(api_client, make_user, make_institution, capacity):
    inst = make_institution()
    client = api_client(make_user("jigou2", institution=inst))
    r = client.post(
        f"/api/v1/institutions/{inst.uscc}/classes",
        json.dumps({"name": "托小一班", "class_type": "toddler_small", "capacity": capacity}),
        content_type="application/json",
    )
    assert r.status_code == 422, r.content


# --- chains (points 6, 7) ------------------------------------------------------------------


@pytest.fixture
def head(make_institution):
    return make_institution(name="总部托育")


def agreement_kwargs(district, **overrides):
    kwargs = {
        "agreement_number": "LS-B-1",
        "townships": [district["duohu"]],
        "max_branches": 2,
        "valid_from": D(2024, 1, 1),
        "valid_until": D(2030, 12, 31),
    }
    kwargs.update(overrides)
    return kwargs


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("valid_from", D(1, 1, 1)),
        ("valid_until", D(9999, 12, 31)),
        ("valid_from", D(1999, 12, 31)),
    ],
)
def test_chain_dates_are_bounded(health_user, head, district, field, value):
    with pytest.raises(DomainError) as caught:
        chain_services.chain_agreement_create(
            acting_user=health_user, head=head, **agreement_kwargs(district, **{field: value})
        )
    assert codes(caught.value)[field] == "date_out_of_range"


def test_chain_max_branches_is_bounded(health_user, head, district):
    with pytest.raises(DomainError) as caught:
        chain_services.chain_agreement_create(
            acting_user=health_user, head=head, **agreement_kwargs(district, max_branches=10**20)
        )
    assert codes(caught.value)["max_branches"] == "out_of_range"


def test_chain_end_reason_and_detach_reason_are_limited(health_user, make_institution):
    agreement = ChainAgreementFactory(valid_from=D(2024, 1, 1), valid_until=D(2030, 12, 31))
    with pytest.raises(DomainError) as caught:
        chain_services.chain_agreement_end(
            acting_user=health_user,
            agreement=agreement,
            ended_on=D(2025, 1, 1),
            reason="因" * (chain_services.END_REASON_MAX + 1),
        )
    assert codes(caught.value)["reason"] == "too_long"
    branch = make_institution(name="分店", chain_agreement=agreement)
    with pytest.raises(DomainError) as caught:
        chain_services.chain_branch_detach(
            acting_user=health_user,
            agreement=agreement,
            institution=branch,
            reason="因" * (chain_services.DETACH_REASON_MAX + 1),
        )
    assert codes(caught.value)["reason"] == "too_long"


def test_chain_pages_refuse_extreme_values_without_crashing(
    client, health_user, head, district, media_root
):
    client.force_login(health_user)
    r = client.post(
        reverse("institutions:chain_create"),
        {
            "head_uscc": head.uscc,
            "agreement_number": "LS-B-2",
            "townships": [district["duohu"].pk],
            "max_branches": "2",
            "valid_from": "0001-01-01",
            "valid_until": "9999-12-31",
            "document": pdf_upload("协议.pdf"),
        },
    )
    assert r.status_code == 400
    assert not ChainAgreement.objects.exists()
    agreement = ChainAgreementFactory(valid_from=D(2024, 1, 1), valid_until=D(2030, 12, 31))
    r = client.post(
        reverse("institutions:chain_end", args=[agreement.pk]),
        {"ended_on": "2025-01-01", "reason": "因" * 100_000},
    )
    assert r.status_code == 400
    assert f"最多 {chain_services.END_REASON_MAX} 字" in r.content.decode()
    agreement.refresh_from_db()
    assert agreement.ended_on is None


def test_chain_forms_show_their_limits(client, health_user, media_root):
    client.force_login(health_user)
    page = client.get(reverse("institutions:chain_create")).content.decode()
    assert 'maxlength="60"' in page  # agreement number
    agreement = ChainAgreementFactory(valid_from=D(2024, 1, 1), valid_until=D(2030, 12, 31))
    page = client.get(reverse("institutions:chain_end", args=[agreement.pk])).content.decode()
    assert f'maxlength="{chain_services.END_REASON_MAX}"' in page
    assert f"最多 {chain_services.END_REASON_MAX} 字" in page
    page = client.get(reverse("institutions:chains")).content.decode()
    assert f'maxlength="{bounds.SEARCH_MAX_LENGTH}"' in page


def test_chain_list_search_is_limited(client, health_user):
    client.force_login(health_user)
    r = client.get(reverse("institutions:chains"), {"q": "q" * 100_000})
    assert r.status_code == 400
    assert f"最多 {bounds.SEARCH_MAX_LENGTH} 字" in r.content.decode()


# --- 普惠 designations (points 6, 7) -------------------------------------------------------


@pytest.fixture
def filed(make_filed):
    return make_filed(name="普惠候选托育", filed_on=D(2023, 3, 1))


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "field"),
    [(D(1, 1, 1), None, "starts_on"), (D(2024, 1, 1), D(9999, 12, 31), "ends_on")],
)
def test_designation_dates_are_bounded(health_user, filed, starts_on, ends_on, field):
    with pytest.raises(DomainError) as caught:
        affordable_services.affordable_designate(
            acting_user=health_user,
            institution=filed,
            starts_on=starts_on,
            ends_on=ends_on,
            decision_ref="金东卫〔2024〕1号",
            decision_document=pdf_upload(),
        )
    assert codes(caught.value)[field] == "date_out_of_range"


def test_withdrawal_reason_and_date_are_bounded(health_user, filed):
    designation = AffordableDesignationFactory(institution=filed, starts_on=D(2023, 6, 1))
    with pytest.raises(DomainError) as caught:
        affordable_services.affordable_withdraw(
            acting_user=health_user,
            designation=designation,
            withdrawn_on=D(2024, 1, 1),
            withdrawal_ref="金东卫〔2024〕2号",
            reason="因" * 100_000,
        )
    assert codes(caught.value)["reason"] == "too_long"
    with pytest.raises(DomainError) as caught:
        affordable_services.affordable_withdraw(
            acting_user=health_user,
            designation=designation,
            withdrawn_on=D(9999, 12, 31),
            withdrawal_ref="金东卫〔2024〕2号",
            reason="停办",
        )
    assert codes(caught.value)["withdrawn_on"] == "date_out_of_range"


def test_affordable_forms_show_their_limits(client, health_user, filed, media_root):
    client.force_login(health_user)
    page = client.get(reverse("institutions:affordable_designate")).content.decode()
    assert 'maxlength="100"' in page and "最多 100 字" in page  # decision reference
    designation = AffordableDesignationFactory(institution=filed, starts_on=D(2023, 6, 1))
    page = client.get(
        reverse("institutions:affordable_withdraw", args=[designation.pk])
    ).content.decode()
    limit = affordable_services.WITHDRAWAL_REASON_MAX
    assert f'maxlength="{limit}"' in page and f"最多 {limit} 字" in page
    r = client.get(reverse("institutions:affordable"), {"q": "q" * 100_000})
    assert r.status_code == 400


# --- public pages and API (points 6, 7, 8) -------------------------------------------------


def test_public_api_query_is_bounded(client, district):
    r = client.get("/api/v1/public/institutions", {"township": "3" * 10_000})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "township"


@pytest.mark.parametrize("number", ["a/b", "x" * 41, "a b"])
def test_public_verify_form_refuses_bad_numbers(client, number):
    r = client.get(reverse("public:verify"), {"number": number})
    assert r.status_code == 400


def test_public_verify_form_redirects_case_insensitively(client, make_filed):
    inst = make_filed(filing_number="TY330703-2026-0001")
    r = client.get(reverse("public:verify"), {"number": "ty330703-2026-0001"}, follow=True)
    assert r.status_code == 200 and inst.name in r.content.decode()


def test_directory_search_shows_its_limit(client, health_user):
    client.force_login(health_user)
    page = client.get(reverse("institutions:list")).content.decode()
    assert f'maxlength="{bounds.SEARCH_MAX_LENGTH}"' in page
