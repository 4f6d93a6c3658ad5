"""Who sees which staff (a township only its institutions', an institution only its own)
and the staff API of API-CONTRACT §2."""

from __future__ import annotations

import pytest

from tests.factories import id_number_for
from tuoyu.core.errors import NotFound
from tuoyu.workforce import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_rosters(filed, filed_user, add_staff, make_filed, make_user, district):
    other = make_filed(name="东孝春苗托育有限公司", township=district["dongxiao"])
    other_user = make_user("chunmiao", institution=other)
    mine = add_staff(filed_user, filed, 1)
    theirs = add_staff(other_user, other, 2)
    return mine, theirs, other, other_user


def test_township_sees_only_its_institutions_staff(two_rosters, township_user, health_user):
    mine, theirs, *_ = two_rosters
    assert list(selectors.staff_all(acting_user=township_user)) == [mine]
    assert set(selectors.staff_all(acting_user=health_user)) == {mine, theirs}
    with pytest.raises(NotFound):
        selectors.staff_get(acting_user=township_user, pk=theirs.pk)


def test_institution_sees_only_its_own(two_rosters, filed_user):
    mine, theirs, *_ = two_rosters
    assert list(selectors.staff_all(acting_user=filed_user)) == [mine]
    with pytest.raises(NotFound):
        selectors.staff_get(acting_user=filed_user, pk=theirs.pk)


def test_api_other_institution_is_404(two_rosters, filed_user, api_client):
    *_, other, _ = two_rosters
    response = api_client(filed_user).get(f"/api/v1/institutions/{other.uscc}/staff")
    assert response.status_code == 404


def test_api_create_and_list(filed, filed_user, api_client):
    client = api_client(filed_user)
    response = client.post(
        f"/api/v1/institutions/{filed.uscc}/staff",
        {
            "name": "张丽",
            "id_number": id_number_for(9),
            "role": "health_worker",
            "hired_on": "2024-03-01",
            "certificates": [
                {"kind": "health_worker_training", "number": "BJ1", "valid_from": "2024-01-01"}
            ],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    listed = client.get(f"/api/v1/institutions/{filed.uscc}/staff").json()
    assert listed[0]["staff_id"] == response.json()["staff_id"]
    assert "*" in listed[0]["id_number_masked"]


@pytest.mark.parametrize(
    ("certificate", "code"),
    [
        ({"kind": "pilot", "valid_from": "2024-01-01"}, "unknown_certificate_kind"),
        (
            {"kind": "nurse", "valid_from": "2024-01-01", "valid_until": "2023-01-01"},
            "certificate_dates",
        ),
    ],
)
def test_api_certificate_errors(filed, filed_user, api_client, certificate, code):
    response = api_client(filed_user).post(
        f"/api/v1/institutions/{filed.uscc}/staff",
        {
            "name": "张丽",
            "id_number": id_number_for(9),
            "role": "caregiver",
            "hired_on": "2024-03-01",
            "certificates": [certificate],
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == code


def test_api_department_cannot_add(filed, health_user, api_client):
    response = api_client(health_user).post(
        f"/api/v1/institutions/{filed.uscc}/staff",
        {
            "name": "张丽",
            "id_number": id_number_for(9),
            "role": "caregiver",
            "hired_on": "2024-03-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 403


def test_api_bans_four_eyes(
    health_user, second_health_user, api_client, filed, filed_user, add_staff
):
    staff = add_staff(filed_user, filed, 77)
    body = {
        "id_number": id_number_for(77),
        "name": "赵某",
        "reason": "虐待婴幼儿",
        "decided_on": "2024-03-01",
        "decision_ref": "金东卫禁〔2024〕2号",
    }
    created = api_client(health_user).post("/api/v1/bans", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["status"] == "proposed"
    ban_id = created.json()["ban_id"]
    same = api_client(health_user).post(f"/api/v1/bans/{ban_id}/approve")
    assert same.status_code == 403 and same.json()["errors"][0]["code"] == "ban_four_eyes"
    ok = api_client(second_health_user).post(f"/api/v1/bans/{ban_id}/approve")
    assert ok.status_code == 200 and ok.json()["status"] == "in_force"
    staff.refresh_from_db()
    assert staff.banned_by_id == ban_id
    refused = api_client(filed_user).post("/api/v1/bans", body, content_type="application/json")
    assert refused.status_code == 403


def test_api_ban_without_reference_is_422(health_user, api_client):
    response = api_client(health_user).post(
        "/api/v1/bans",
        {
            "id_number": id_number_for(5),
            "name": "赵某",
            "reason": "x",
            "decided_on": "2024-03-01",
            "decision_ref": "",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "ban_decision_ref_required"
