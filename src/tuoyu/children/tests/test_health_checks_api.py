"""API-CONTRACT §3 `POST /api/v1/institutions/{uscc}/health-checks`, code by code: partial
acceptance, idempotent record_id (duplicates, record_id_conflict), child_not_enrolled,
future_date, temperature_out_of_range, unknown_symptom, batch_too_large, duplicate ids in
one batch, one audit event per batch, nothing half-written on a server error (P-HC-3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest

from tests.factories import ChildFactory
from tuoyu.audit.models import AuditEvent
from tuoyu.children.models import HealthCheck, HealthCheckBatch
from tuoyu.children.tests.conftest import post
from tuoyu.core import clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def kids(small_class):
    return [ChildFactory(care_class=small_class) for _ in range(3)]


def rec(child, rid, **over):
    data = {
        "record_id": rid,
        "child_id": child.pk,
        "date": clock.today().isoformat(),
        "session": "morning",
        "attendance": "present",
        "temperature_c": 36.6,
        "symptoms": [],
        "action": "none",
    }
    data.update(over)
    return data


def send(client, institution, records):
    return post(
        client, f"/api/v1/institutions/{institution.uscc}/health-checks", {"records": records}
    )


def codes(response):
    return [(r["index"], [e["code"] for e in r["errors"]]) for r in response.json()["rejected"]]


def test_accepts_a_batch_and_audits_it_once(nursery, nursery_api, kids):
    r = send(nursery_api, nursery, [rec(k, f"r{i}") for i, k in enumerate(kids)])
    assert r.status_code == 200, r.content
    assert r.json() == {"accepted": 3, "duplicates": 0, "rejected": [], "alerts": []}
    assert HealthCheck.objects.count() == 3
    event = AuditEvent.objects.get(action="children.health_check.batch_received")
    assert event.detail["bulk"]["count"] == 3 and event.detail["bulk"]["ids_sha256"]


def test_retry_of_the_whole_batch_counts_duplicates(nursery, nursery_api, kids):
    batch = [rec(k, f"r{i}") for i, k in enumerate(kids)]
    send(nursery_api, nursery, batch)
    r = send(nursery_api, nursery, batch)
    assert r.json()["accepted"] == 0 and r.json()["duplicates"] == 3
    assert HealthCheck.objects.count() == 3
    assert AuditEvent.objects.filter(action="children.health_check.batch_received").count() == 1
    assert HealthCheckBatch.objects.count() == 1


def test_same_record_id_other_content_is_record_id_conflict(nursery, nursery_api, kids):
    send(nursery_api, nursery, [rec(kids[0], "x1")])
    r = send(nursery_api, nursery, [rec(kids[0], "x1", temperature_c=38.2), rec(kids[1], "x2")])
    assert r.json()["accepted"] == 1
    assert codes(r) == [(0, ["record_id_conflict"])]
    assert HealthCheck.objects.get(record_id="x1").temperature_c == Decimal("36.6")


def test_partial_acceptance_code_by_code(make_filed, nursery, nursery_api, kids, today):
    other_child = ChildFactory(care_class=make_filed().classes.get())
    late = ChildFactory(care_class=kids[0].care_class, enrolled_on=today)
    gone = ChildFactory(
        care_class=kids[0].care_class, status="withdrawn", left_on=today - dt.timedelta(days=1)
    )
    records = [
        rec(kids[0], "ok"),
        rec(kids[1], "future", date=(today + dt.timedelta(days=1)).isoformat()),
        rec(kids[1], "hot", temperature_c=43.1),
        rec(kids[1], "cold", temperature_c=33.9),
        rec(kids[1], "sym", symptoms=["fever", "sneezing"]),
        rec(other_child, "elsewhere"),  # a batch mixing two institutions' children
        rec(gone, "withdrawn-yesterday"),
        rec(late, "before-enrolment", date=(today - dt.timedelta(days=1)).isoformat()),
        rec(kids[2], "ok"),  # duplicate record_id inside one batch
        rec(kids[2], "edge", temperature_c=34.0, symptoms=["fever"]),
    ]
    r = send(nursery_api, nursery, records)
    assert r.status_code == 200
    assert r.json()["accepted"] == 2
    assert codes(r) == [
        (1, ["future_date"]),
        (2, ["temperature_out_of_range"]),
        (3, ["temperature_out_of_range"]),
        (4, ["unknown_symptom"]),
        (5, ["child_not_enrolled"]),
        (6, ["child_not_enrolled"]),
        (7, ["child_not_enrolled"]),
        (8, ["duplicate_record_id"]),
    ]
    assert set(HealthCheck.objects.values_list("record_id", flat=True)) == {"ok", "edge"}


def test_batch_too_large_is_413_and_stores_nothing(nursery, nursery_api, kids):
    records = [rec(kids[0], f"r{i}") for i in range(5001)]
    r = send(nursery_api, nursery, records)
    assert r.status_code == 413 and r.json()["errors"][0]["code"] == "batch_too_large"
    assert not HealthCheck.objects.exists()


def test_wrong_types_and_malformed_json(nursery, nursery_api, kids):
    r = send(nursery_api, nursery, [rec(kids[0], "a", child_id="abc")])
    assert r.status_code == 422
    r = nursery_api.post(
        f"/api/v1/institutions/{nursery.uscc}/health-checks", "{", content_type="application/json"
    )
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "json_invalid"


def test_server_error_leaves_nothing_half_written(nursery, nursery_api, kids, client):
    """A failure after the insert (here: the audit append) rolls the whole batch back; the
    retry then stores each record exactly once."""
    batch = [rec(k, f"r{i}") for i, k in enumerate(kids)]
    with mock.patch(
        "tuoyu.children.services.health_checks.audit_record_bulk", side_effect=RuntimeError("boom")
    ):
        nursery_api.raise_request_exception = False
        r = send(nursery_api, nursery, batch)
    assert r.status_code == 500
    assert not HealthCheck.objects.exists() and not HealthCheckBatch.objects.exists()
    r = send(nursery_api, nursery, batch)
    assert r.json()["accepted"] == 3 and HealthCheck.objects.count() == 3


def test_scopes(make_filed, make_user, api_client, nursery, kids, health_user):
    other = make_filed()
    r = send(api_client(make_user("o2", institution=other)), nursery, [rec(kids[0], "a")])
    assert r.status_code == 404
    r = send(api_client(health_user), nursery, [rec(kids[0], "a")])
    assert r.status_code == 403


def test_openapi_lists_the_symptom_vocabulary(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert "post" in doc["paths"]["/api/v1/institutions/{uscc}/health-checks"]
    assert "post" in doc["paths"]["/api/v1/institutions/{uscc}/children"]
    text = str(doc["components"]["schemas"]["CheckIn"])
    for code in (
        "fever",
        "cough",
        "rash",
        "hand_foot_mouth_signs",
        "vomiting",
        "diarrhea",
        "conjunctivitis",
        "jaundice",
        "injury",
    ):
        assert code in text
