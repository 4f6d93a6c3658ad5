"""Personal data: validated (GB 11643), encrypted at rest, blind-indexed, masked, audited."""

import datetime as dt

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from tuoyu.audit.models import AuditEvent
from tuoyu.audit.services import personal_value_reveal
from tuoyu.core import crypto
from tuoyu.core.errors import DomainError
from tuoyu.core.identifiers import make_id_number, make_uscc, validate_id_number, validate_uscc
from tuoyu.core.personal import Sealed, mask, normalize, personal_lookup
from tuoyu.core.tests.models_for_tests import person_model

ID = make_id_number("330703", dt.date(1990, 5, 6), 12)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("33070319900506012", "id_number_format"),
        ("33070319900506012A", "id_number_format"),
        (ID[:-1] + ("1" if ID[-1] != "1" else "2"), "id_number_checksum"),
        (make_id_number("330703", dt.date(1990, 5, 6), 12)[:10] + "1399" + "0120", None),
    ],
)
def test_id_number_errors_have_contract_codes(value, code):
    if code is None:
        # month 13: fix the checksum so that the birth date is what fails
        from stdnum.cn import ric

        body = value[:17]
        value = body + ric.calc_check_digit(body + "0")
        code = "id_number_birth_date"
    with pytest.raises(DomainError) as exc:
        validate_id_number(value)
    assert exc.value.code == code
    assert exc.value.errors[0].field == "id_number"


def test_jindong_id_numbers_are_accepted():
    # stdnum's bundled place list lacks 330703; real residents must still validate.
    assert validate_id_number(ID.lower()) == ID


@pytest.mark.parametrize(
    ("value", "code"),
    [("91330703MA2HXXXXX", "uscc_format"), ("91330703MA2HA0B19Q", "uscc_checksum")],
)
def test_uscc_errors_have_contract_codes(value, code):
    with pytest.raises(DomainError) as exc:
        validate_uscc(value)
    assert exc.value.code == code


@settings(max_examples=50, deadline=None)
@given(
    born=st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2025, 12, 31)),
    seq=st.integers(min_value=0, max_value=999),
)
def test_generated_id_numbers_always_validate(born, seq):
    value = make_id_number("330703", born, seq)
    assert validate_id_number(value) == value


@settings(max_examples=50, deadline=None)
@given(code=st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8))
def test_generated_usccs_always_validate(code):
    assert validate_uscc(make_uscc("9", "1", "330703", code))


def test_masks():
    assert mask("id_number", "33070319900506012X") == "330703********012X"
    assert mask("phone", "13800001234") == "138****1234"


def test_phone_format_error():
    with pytest.raises(DomainError) as exc:
        normalize("phone", "12345", field="guardian.phone")
    assert exc.value.code == "phone_format"
    assert exc.value.errors[0].field == "guardian.phone"


def test_ciphertext_is_bound_to_its_kind():
    token = crypto.encrypt(ID, context="id_number")
    assert crypto.decrypt(token, context="id_number") == ID
    with pytest.raises(Exception):  # noqa: B017 - cryptography's InvalidTag
        crypto.decrypt(token, context="phone")


@pytest.mark.django_db(transaction=True)
def test_database_holds_no_clear_id_number(settings, tmp_path):
    Person = person_model()
    person = Person.objects.create(name="测试", id_number=ID, phone="13800001234")
    person.refresh_from_db()
    assert isinstance(person.id_number, Sealed)
    assert person.id_number.masked == "330703********0120"
    assert str(person.id_number) == person.id_number.masked
    with connection.cursor() as cur:
        cur.execute(f"SELECT * FROM {Person._meta.db_table}")
        raw = " ".join(str(v) for row in cur.fetchall() for v in row)
    assert ID not in raw and "13800001234" not in raw
    if connection.vendor == "sqlite":
        connection.close()
        db_path = connection.settings_dict["NAME"]
        if db_path and not str(db_path).startswith("file:memorydb"):
            with open(db_path, "rb") as fh:
                assert ID.encode() not in fh.read()


@pytest.mark.django_db(transaction=True)
def test_blind_index_finds_equal_values_and_reveal_is_audited(make_user):
    Person = person_model()
    Person.objects.create(name="甲", id_number=ID, phone="13800001234")
    Person.objects.create(name="乙", id_number=make_id_number("330703", dt.date(1991, 1, 1), 7))
    found = Person.objects.get(id_number_index=personal_lookup("id_number", ID.lower()))
    assert found.name == "甲"
    user = make_user("weijian", department="health")
    assert (
        personal_value_reveal(actor=user, obj=found, field_name="id_number", purpose="核查") == ID
    )
    event = AuditEvent.objects.get(action="audit.personal_data.read")
    assert event.kind == "pii_read"
    assert event.actor_username == "weijian"
    assert event.detail == {"field": "id_number", "purpose": "核查"}
    assert ID not in event.canonical()


@pytest.mark.django_db(transaction=True)
def test_lookups_on_ciphertext_are_refused():
    Person = person_model()
    with pytest.raises(TypeError):
        list(Person.objects.filter(id_number=ID))
