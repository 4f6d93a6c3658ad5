"""POST /api/v1/registrations (API-CONTRACT §1; P-REG-10, P-REG-11, P-FIL-3): every error
code of the contract, idempotency by event_id, changes and deregistrations."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import CareClassFactory
from tuoyu.audit.models import AuditEvent
from tuoyu.institutions import registration_rules, registration_schema
from tuoyu.institutions.models import CareClass, Institution, RegistrationEvent
from tuoyu.institutions.services import registration as services

from .conftest import DISTRICT, DONGXIAO, DUOHU, new_uscc, registration_body, uscc_of

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def codes(response) -> list[str]:
    assert response["Content-Type"].startswith(PROBLEM)
    return [e["code"] for e in response.json()["errors"]]


def fields(response) -> dict[str, str]:
    return {e.get("field"): e["code"] for e in response.json()["errors"]}


# --- who may push ------------------------------------------------------------------------


def test_without_a_token_is_401(push, district):
    response = push(None, registration_body())
    assert response.status_code == 401
    assert codes(response) == ["not_authenticated"]
    assert not Institution.objects.exists()


def test_a_user_who_is_no_registration_authority_gets_403_out_of_scope(
    push, district, health_user, finance_user, township_user, institution_user
):
    """API-CONTRACT §0: a token whose scope does not allow the action → 403 out_of_scope;
    区卫健局 receives registrations but does not push them (P-REG-11)."""
    for user in (health_user, finance_user, township_user, institution_user):
        response = push(user, registration_body())
        assert response.status_code == 403, user.username
        assert codes(response) == ["out_of_scope"]
    assert not RegistrationEvent.objects.exists()


def test_authority_other_than_the_tokens_department_is_403_authority_mismatch(
    push, district, market_user
):
    body = registration_body(
        authority="civil_affairs", legal_form="social_organization", for_profit=False
    )
    response = push(market_user, body)
    assert response.status_code == 403
    assert codes(response) == ["authority_mismatch"]
    assert fields(response) == {"authority": "authority_mismatch"}
    assert not Institution.objects.exists()


# --- first receipt -----------------------------------------------------------------------


def test_registered_creates_the_institution_event_and_audit(push, district, market_user):
    body = registration_body()

    response = push(market_user, body)

    assert response.status_code == 201
    inst = Institution.objects.get(uscc=body["uscc"])
    assert response.json() == {"institution_id": inst.pk, "registration_status": "registered"}
    assert inst.name == body["name"]
    assert (inst.legal_form, inst.for_profit) == ("company", True)
    assert inst.township.code == DUOHU
    assert inst.registration_authority == "market_regulation"
    assert inst.registered_at == dt.datetime(2024, 3, 1, 1, 0, tzinfo=dt.UTC)
    assert inst.filing_status == Institution.FilingStatus.NOT_FILED
    event = RegistrationEvent.objects.get()
    assert event.event_id == body["event_id"]
    assert event.channel == RegistrationEvent.Channel.API
    assert event.received_by == market_user
    assert event.institution == inst
    assert event.payload["uscc"] == body["uscc"]
    assert event.response == response.json()
    assert event.payload_hash == registration_schema.registration_payload_hash(event.payload)
    audit = AuditEvent.objects.get(action="institutions.registration.registered")
    assert audit.object_id == str(inst.pk)
    assert audit.actor_username == "shichang"
    assert audit.changes["name"] == [None, body["name"]]
    assert audit.detail["event_id"] == body["event_id"]


@pytest.mark.parametrize(
    ("user_fixture", "authority", "legal_form", "for_profit", "dept"),
    [
        # P-REG-10, row by row.
        ("education_user", "education", "kindergarten", False, "5"),
        ("civil_user", "civil_affairs", "social_organization", False, "5"),
        (
            "public_registration_user",
            "public_institution_registration",
            "public_institution",
            False,
            "1",
        ),
        ("market_user", "market_regulation", "company", True, "9"),
    ],
)
def test_each_authority_registers_its_kind_of_institution(
    request, push, district, user_fixture, authority, legal_form, for_profit, dept
):
    user = request.getfixturevalue(user_fixture)
    body = registration_body(
        authority=authority,
        legal_form=legal_form,
        for_profit=for_profit,
        uscc=new_uscc(dept, "2" if dept != "9" else "1"),
    )
    response = push(user, body)
    assert response.status_code == 201, response.json()
    assert Institution.objects.get(uscc=body["uscc"]).registration_authority == authority


@pytest.mark.parametrize(
    ("user_fixture", "authority", "legal_form", "for_profit", "expected"),
    [
        # A for-profit company pushed by 区民政局: 区市场监管局 registers it (P-REG-10).
        ("civil_user", "civil_affairs", "company", True, "market_regulation"),
        # A kindergarten pushed by 区市场监管局: 区教体局 registers it.
        ("market_user", "market_regulation", "kindergarten", False, "education"),
        # A non-profit social organisation pushed by 区教体局.
        ("education_user", "education", "social_organization", False, "civil_affairs"),
        # A public institution pushed by 区民政局.
        (
            "civil_user",
            "civil_affairs",
            "public_institution",
            False,
            "public_institution_registration",
        ),
    ],
)
def test_an_institution_of_another_authority_is_422_wrong_authority(
    request, push, district, user_fixture, authority, legal_form, for_profit, expected
):
    user = request.getfixturevalue(user_fixture)
    body = registration_body(
        authority=authority,
        legal_form=legal_form,
        for_profit=for_profit,
        uscc=uscc_of(authority),  # a USCC the pusher issues: only P-REG-10 is wrong
    )
    response = push(user, body)
    assert response.status_code == 422
    assert codes(response) == ["wrong_authority"]
    assert fields(response) == {"authority": "wrong_authority"}
    assert registration_rules.AUTHORITY_LABELS[expected] in response.json()["errors"][0]["message"]
    assert not Institution.objects.exists()
    assert not RegistrationEvent.objects.exists()


@pytest.mark.parametrize(
    ("legal_form", "for_profit"),
    [("social_organization", True), ("public_institution", True), ("company", False)],
)
def test_an_inconsistent_legal_form_is_422_legal_form_mismatch(
    push, district, market_user, legal_form, for_profit
):
    """P-REG-10: social organisations and public institutions are non-profit, companies
    for-profit; a pair outside the table names no authority."""
    response = push(market_user, registration_body(legal_form=legal_form, for_profit=for_profit))
    assert response.status_code == 422
    assert codes(response) == ["legal_form_mismatch"]
    assert fields(response) == {"for_profit": "legal_form_mismatch"}


def test_authority_table_is_p_reg_10():
    assert registration_rules.authority_for("kindergarten", False) == "education"
    assert registration_rules.authority_for("kindergarten", True) == "education"
    assert registration_rules.authority_for("social_organization", False) == "civil_affairs"
    assert (
        registration_rules.authority_for("public_institution", False)
        == "public_institution_registration"
    )
    assert registration_rules.authority_for("company", True) == "market_regulation"
    assert registration_rules.authority_for("social_organization", True) is None
    assert registration_rules.authority_for("company", False) is None


# --- field checks ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("330703999", "unknown_region"),  # no such township
        ("330703001001", "unknown_region"),  # a village, not a township
        (DISTRICT, "unknown_region"),  # the district itself
    ],
)
def test_township_must_be_a_township_of_the_region_tree(
    push, district, market_user, code, expected
):
    response = push(market_user, registration_body(township_code=code))
    assert response.status_code == 422
    assert fields(response) == {"township_code": expected}


def test_township_codes_listed_by_get_regions_are_accepted(push, district, market_user, api_client):
    listed = api_client(market_user).get("/api/v1/regions", {"level": "township"}).json()
    assert {r["code"] for r in listed} == {DUOHU, DONGXIAO}
    response = push(market_user, registration_body(township_code=DONGXIAO))
    assert response.status_code == 201


def test_uscc_with_a_wrong_check_character_is_422_uscc_checksum(push, district, market_user):
    good = new_uscc()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = push(market_user, registration_body(uscc=bad))
    assert response.status_code == 422
    assert fields(response) == {"uscc": "uscc_checksum"}


@pytest.mark.parametrize("bad", ["91330703MA2H", "91330703MA2HXXXX0XZZ", "9133070 MA2HXXXX0X"])
def test_uscc_of_the_wrong_shape_is_422_uscc_format(push, district, market_user, bad):
    response = push(market_user, registration_body(uscc=bad))
    assert response.status_code == 422
    assert fields(response) == {"uscc": "uscc_format"}


def test_all_field_problems_are_reported_at_once(push, district, market_user):
    body = registration_body(uscc="91330703MA2H", township_code="330703999", name=None)
    response = push(market_user, body)
    assert response.status_code == 422
    assert fields(response) == {
        "uscc": "uscc_format",
        "township_code": "unknown_region",
        "name": "required",
    }


def test_schema_errors_are_422_with_field_codes(push, district, market_user):
    response = push(market_user, registration_body(action="opened", occurred_at="yesterday"))
    assert response.status_code == 422
    got = fields(response)
    assert set(got) == {"action", "occurred_at"}
    response = push(market_user, registration_body(event_id=None))
    assert response.status_code == 422
    assert fields(response) == {"event_id": "required"}


@pytest.mark.parametrize("missing", ["name", "legal_form", "for_profit", "township_code"])
def test_registered_needs_the_registration_facts(push, district, market_user, missing):
    response = push(market_user, registration_body(**{missing: None}))
    assert response.status_code == 422
    assert fields(response) == {missing: "required"}


def test_occurred_at_in_the_future_is_refused(push, district, market_user):
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).isoformat()
    response = push(market_user, registration_body(occurred_at=later))
    assert response.status_code == 422
    assert fields(response) == {"occurred_at": "future_date"}


# --- idempotency -------------------------------------------------------------------------


def test_same_event_again_is_200_with_the_same_answer_and_creates_nothing(
    push, district, market_user
):
    body = registration_body()
    first = push(market_user, body)
    counts = (
        Institution.objects.count(),
        RegistrationEvent.objects.count(),
        AuditEvent.objects.count(),
    )

    again = push(market_user, body)

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    assert (
        Institution.objects.count(),
        RegistrationEvent.objects.count(),
        AuditEvent.objects.count(),
    ) == counts


def test_the_same_body_written_differently_is_the_same_event(push, district, market_user):
    """The canonical hash: key order, surrounding spaces, lower-case USCC and the same
    instant in another offset do not make a different body."""
    body = registration_body()
    assert push(market_user, body).status_code == 201
    same = {k: body[k] for k in reversed(list(body))}
    same["name"] = f"  {body['name']} "
    same["uscc"] = body["uscc"].lower()
    same["occurred_at"] = "2024-03-01T01:00:00Z"
    response = push(market_user, same)
    assert response.status_code == 200
    assert RegistrationEvent.objects.count() == 1


def test_same_event_id_with_a_different_body_is_409_event_conflict(push, district, market_user):
    body = registration_body()
    assert push(market_user, body).status_code == 201
    response = push(market_user, {**body, "name": "另一个名称托育有限公司"})
    assert response.status_code == 409
    assert codes(response) == ["event_conflict"]
    assert fields(response) == {"event_id": "event_conflict"}
    assert Institution.objects.get().name == body["name"]
    assert RegistrationEvent.objects.count() == 1


def test_registering_a_registered_uscc_again_is_409_already_registered(push, district, market_user):
    body = registration_body()
    assert push(market_user, body).status_code == 201
    response = push(market_user, {**body, "event_id": "SAMR-330703-2024-999999"})
    assert response.status_code == 409
    assert codes(response) == ["already_registered"]
    assert Institution.objects.count() == 1
    assert RegistrationEvent.objects.count() == 1


def test_a_duplicate_that_loses_the_race_is_answered_from_what_the_winner_stored(
    push, district, market_user, monkeypatch
):
    """A concurrent duplicate push does not see the first one's event when it looks, and
    fails on the unique constraint instead (institution uscc): it re-reads and answers
    like a replay. Simulated by hiding the stored event from the first look."""
    body = registration_body()
    assert push(market_user, body).status_code == 201
    real = services._replay
    calls = {"n": 0}

    def blind_first(event_id, digest):
        calls["n"] += 1
        return None if calls["n"] == 1 else real(event_id, digest)

    monkeypatch.setattr(services, "_replay", blind_first)
    response = push(market_user, body)
    assert response.status_code == 200
    assert calls["n"] == 2
    assert Institution.objects.count() == 1
    assert RegistrationEvent.objects.count() == 1


def test_a_duplicate_change_that_loses_the_race_on_event_id_is_a_replay(
    push, district, market_user, monkeypatch
):
    registered = registration_body()
    push(market_user, registered)
    change = registration_body(
        action="changed", uscc=registered["uscc"], name="新名称托育有限公司", address=None
    )
    assert push(market_user, change).status_code == 201
    real = services._replay
    calls = {"n": 0}

    def blind_first(event_id, digest):
        calls["n"] += 1
        return None if calls["n"] == 1 else real(event_id, digest)

    monkeypatch.setattr(services, "_replay", blind_first)
    response = push(market_user, change)
    assert response.status_code == 200
    assert RegistrationEvent.objects.filter(action="changed").count() == 1


# --- changes -----------------------------------------------------------------------------


def test_changed_updates_the_facts_with_before_and_after(push, district, market_user):
    registered = registration_body()
    institution_id = push(market_user, registered).json()["institution_id"]
    change = {
        "event_id": "SAMR-330703-2024-C00001",
        "authority": "market_regulation",
        "action": "changed",
        "uscc": registered["uscc"],
        "name": "金华市金东区新名称托育有限公司",
        "legal_representative": "李四",
        "address": "金东区东孝街道新路 8 号",
        "township_code": DONGXIAO,
        "occurred_at": "2024-06-01T10:00:00+08:00",
    }

    response = push(market_user, change)

    assert response.status_code == 201
    assert response.json() == {
        "institution_id": institution_id,
        "registration_status": "registered",
    }
    inst = Institution.objects.get(pk=institution_id)
    assert inst.name == change["name"]
    assert inst.legal_representative == "李四"
    assert inst.address == change["address"]
    assert inst.township.code == DONGXIAO
    assert (inst.legal_form, inst.for_profit) == ("company", True)  # not in the push: kept
    event = RegistrationEvent.objects.get(action="changed")
    assert event.changes == {
        "address": [registered["address"], change["address"]],
        "legal_representative": ["张三", "李四"],
        "name": [registered["name"], change["name"]],
        "township_code": [DUOHU, DONGXIAO],
    }
    audit = AuditEvent.objects.get(action="institutions.registration.changed")
    assert audit.changes == event.changes
    history = RegistrationEvent.objects.filter(institution_id=institution_id).order_by(
        "occurred_at"
    )
    assert [e.action for e in history] == ["registered", "changed"]


def test_changed_for_an_unknown_uscc_is_422_unknown_institution(push, district, market_user):
    response = push(market_user, registration_body(action="changed"))
    assert response.status_code == 422
    assert fields(response) == {"uscc": "unknown_institution"}


def test_changed_by_an_authority_that_does_not_register_it_is_403_authority_mismatch(
    push, district, market_user, civil_user
):
    """[hardening] point 1: only the authority that holds the registration pushes a change
    (API-CONTRACT §1)."""
    registered = registration_body()
    push(market_user, registered)
    change = registration_body(
        action="changed",
        authority="civil_affairs",
        uscc=registered["uscc"],
        legal_form=None,
        for_profit=None,
        name="改名托育中心",
    )
    response = push(civil_user, change)
    assert response.status_code == 403
    assert codes(response) == ["authority_mismatch"]
    assert "区市场监管局" in response.json()["errors"][0]["message"]
    assert Institution.objects.get().name == registered["name"]


def test_a_change_of_legal_form_to_another_authority_is_refused(
    push, district, market_user, civil_user
):
    """A company re-formed as a non-profit social organisation is no `changed`: not from
    the new authority (403), nor from the holder (422 `wrong_authority`, P-REG-10); the
    registration authority never changes."""
    registered = registration_body()
    push(market_user, registered)
    change = registration_body(
        action="changed",
        uscc=registered["uscc"],
        legal_form="social_organization",
        for_profit=False,
        name="金华市金东区某某托育服务中心",
    )

    by_new = push(civil_user, {**change, "authority": "civil_affairs"})
    by_holder = push(market_user, change)

    assert by_new.status_code == 403 and codes(by_new) == ["authority_mismatch"]
    assert by_holder.status_code == 422 and codes(by_holder) == ["wrong_authority"]
    assert "注销登记" in by_holder.json()["errors"][0]["message"]
    inst = Institution.objects.get()
    assert (inst.legal_form, inst.for_profit) == ("company", True)
    assert inst.registration_authority == "market_regulation"
    assert RegistrationEvent.objects.filter(action="changed").count() == 0


# --- deregistration ----------------------------------------------------------------------


def deregistration(uscc: str, **overrides) -> dict:
    return registration_body(
        action="deregistered",
        uscc=uscc,
        name=None,
        legal_form=None,
        for_profit=None,
        legal_representative=None,
        address=None,
        township_code=None,
        occurred_at="2025-05-20T15:00:00+08:00",
        **overrides,
    )


def test_deregistered_cancels_the_filing(push, make_institution, market_user):
    """P-FIL-3: the deregistration cancels the filing, closes the classes."""
    inst = make_institution(
        uscc=new_uscc(),
        filing_status="filed",
        filing_number="TY330703-2024-0007",
        filed_on=dt.date(2024, 4, 1),
    )
    care_class = CareClassFactory(
        institution=inst, name="托小一班", class_type="toddler_small", capacity=12, status="filed"
    )

    response = push(market_user, deregistration(inst.uscc))

    assert response.status_code == 201
    assert response.json() == {"institution_id": inst.pk, "registration_status": "deregistered"}
    inst.refresh_from_db()
    assert inst.registration_status == Institution.RegistrationStatus.DEREGISTERED
    assert inst.deregistered_at == dt.datetime(2025, 5, 20, 7, 0, tzinfo=dt.UTC)
    assert inst.filing_status == Institution.FilingStatus.CANCELLED
    assert inst.filing_cancelled_on == dt.date(2025, 5, 20)
    care_class.refresh_from_db()
    assert care_class.status == CareClass.Status.CLOSED
    assert AuditEvent.objects.filter(
        action="filings.filing.cancelled", object_id=str(inst.pk)
    ).exists()
    audit = AuditEvent.objects.get(action="institutions.registration.deregistered")
    assert audit.changes["registration_status"] == ["registered", "deregistered"]


def test_deregistered_for_an_unknown_uscc_is_422_unknown_institution(push, district, market_user):
    response = push(market_user, deregistration(new_uscc()))
    assert response.status_code == 422
    assert fields(response) == {"uscc": "unknown_institution"}


def test_deregistered_only_by_the_institutions_own_authority(push, make_institution, civil_user):
    inst = make_institution(uscc=new_uscc())  # registered by 区市场监管局
    response = push(civil_user, deregistration(inst.uscc, authority="civil_affairs"))
    assert response.status_code == 403
    assert codes(response) == ["authority_mismatch"]
    inst.refresh_from_db()
    assert inst.registration_status == Institution.RegistrationStatus.REGISTERED


def test_a_deregistered_institution_takes_no_more_events(push, make_institution, market_user):
    inst = make_institution(uscc=new_uscc())
    assert push(market_user, deregistration(inst.uscc)).status_code == 201

    again = push(market_user, deregistration(inst.uscc, event_id="SAMR-330703-2025-D00002"))
    change = push(
        market_user, registration_body(action="changed", uscc=inst.uscc, name="改名托育有限公司")
    )
    register = push(market_user, registration_body(uscc=inst.uscc))

    assert again.status_code == 409 and codes(again) == ["already_deregistered"]
    assert change.status_code == 409 and codes(change) == ["institution_deregistered"]
    assert register.status_code == 409 and codes(register) == ["already_registered"]


def test_the_openapi_document_lists_the_push(client):
    doc = client.get("/api/v1/openapi.json").json()
    operation = doc["paths"]["/api/v1/registrations"]["post"]
    assert operation["operationId"] == "registrations_push"
    assert {"201", "200", "401", "403", "409", "422"} <= set(operation["responses"])
