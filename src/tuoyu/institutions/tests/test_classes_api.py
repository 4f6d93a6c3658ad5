"""POST /api/v1/institutions/{uscc}/classes (API-CONTRACT §2, P-STD-1)."""

from __future__ import annotations

import pytest

from tuoyu.institutions.models import CareClass

pytestmark = pytest.mark.django_db


@pytest.fixture
def inst(make_institution):
    return make_institution()


@pytest.fixture
def client_for(api_client, make_user, inst):
    return api_client(make_user("jigou", institution=inst))


def url(uscc):
    return f"/api/v1/institutions/{uscc}/classes"


def test_create_class_201_and_proposed(client_for, inst):
    r = client_for.post(
        url(inst.uscc),
        {"name": "托小一班", "class_type": "toddler_small", "capacity": 15},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    care_class = CareClass.objects.get(pk=r.json()["class_id"])
    assert care_class.institution == inst and care_class.status == "proposed"
    listed = client_for.get(url(inst.uscc)).json()
    assert listed[0]["class_id"] == care_class.pk and listed[0]["status"] == "proposed"


def test_over_standard_is_422_class_size_exceeds_standard(client_for, inst):
    r = client_for.post(
        url(inst.uscc),
        {"name": "乳儿一班", "class_type": "infant", "capacity": 11},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert r["Content-Type"] == "application/problem+json"
    assert r.json()["errors"][0]["code"] == "class_size_exceeds_standard"
    assert r.json()["errors"][0]["field"] == "capacity"


def test_unknown_class_type_is_422(client_for, inst):
    r = client_for.post(
        url(inst.uscc),
        {"name": "甲班", "class_type": "kindergarten", "capacity": 5},
        content_type="application/json",
    )
    assert r.status_code == 422


def test_other_institution_is_404_and_department_is_403(
    api_client, make_user, make_institution, inst, client_for
):
    other = make_institution()
    body = {"name": "甲班", "class_type": "infant", "capacity": 5}
    r = client_for.post(url(other.uscc), body, content_type="application/json")
    assert r.status_code == 404
    assert client_for.get(url(other.uscc)).status_code == 404
    health = api_client(make_user("weijian", department="health"))
    r = health.post(url(inst.uscc), body, content_type="application/json")
    assert r.status_code == 403 and r.json()["errors"][0]["code"] == "out_of_scope"
    assert health.get(url(inst.uscc)).status_code == 200


def test_no_token_is_401(client, inst):
    r = client.post(
        url(inst.uscc),
        {"name": "甲班", "class_type": "infant", "capacity": 5},
        content_type="application/json",
    )
    assert r.status_code == 401
