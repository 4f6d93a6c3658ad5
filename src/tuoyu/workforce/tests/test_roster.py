"""The roster (P-WF-1): entry checks with catalogued codes, the encrypted resident ID, leave
dates, certificates and trainings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from tests.factories import id_number_for
from tuoyu.core import clock
from tuoyu.core.errors import DomainError
from tuoyu.core.identifiers import make_id_number
from tuoyu.workforce import services
from tuoyu.workforce.models import Certificate, Person, StaffMember

pytestmark = pytest.mark.django_db


def _codes(exc) -> list[str]:
    return [str(e.code) for e in exc.value.errors]


def test_add_staff_with_certificate(filed_user, filed, add_staff):
    staff = add_staff(
        filed_user,
        filed,
        certificates=[{"kind": "health_certificate", "valid_from": dt.date(2024, 1, 5)}],
        care_class_id=filed.classes.first().pk,
    )
    assert staff.person.birth_date.year >= 1980
    assert staff.care_class is not None
    assert Certificate.objects.filter(staff=staff, kind="health_certificate").count() == 1


def test_database_holds_no_clear_id_number(filed_user, filed, add_staff):
    """The resident ID and phone are stored only encrypted (raw rows read back)."""
    clear = id_number_for(7)
    add_staff(filed_user, filed, 7, phone="13905790001")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM workforce_person")
        persons = cursor.fetchall()
        cursor.execute("SELECT * FROM workforce_staffmember")
        staff = cursor.fetchall()
    dump = repr(persons) + repr(staff)
    assert clear not in dump and clear[6:14] + clear[-4:] not in dump
    assert "13905790001" not in dump
    person = Person.objects.get()
    assert person.id_number_masked == clear[:6] + "********" + clear[-4:]


@pytest.mark.parametrize(
    ("id_number", "code"),
    [
        (
            id_number_for(3)[:-1] + ("0" if id_number_for(3)[-1] != "0" else "1"),
            "id_number_checksum",
        ),
        ("33070319900101", "id_number_format"),
        (make_id_number("330703", dt.date(2090, 1, 1), 1), "id_number_birth_date"),
        (
            make_id_number("330703", clock.today() - dt.timedelta(days=365 * 15), 1),
            "person_too_young",
        ),
    ],
)
def test_invalid_ids_are_refused_with_catalogued_codes(
    filed_user, filed, add_staff, id_number, code
):
    """GB 11643 checksum, birth date not in the future, age ≥ 16 (P-WF-1)."""
    with pytest.raises(DomainError) as exc:
        add_staff(filed_user, filed, id_number=id_number)
    assert code in _codes(exc)
    assert not StaffMember.objects.exists()


def test_unknown_certificate_kind_and_dates(filed_user, filed, add_staff):
    """API-CONTRACT §2: unknown_certificate_kind, certificate_dates (both reported at once)."""
    with pytest.raises(DomainError) as exc:
        add_staff(
            filed_user,
            filed,
            certificates=[
                {"kind": "astronaut", "valid_from": dt.date(2024, 1, 1)},
                {
                    "kind": "nurse",
                    "valid_from": dt.date(2024, 1, 1),
                    "valid_until": dt.date(2023, 1, 1),
                },
            ],
        )
    assert _codes(exc) == ["unknown_certificate_kind", "certificate_dates"]
    assert not StaffMember.objects.exists()


def test_same_person_twice_at_one_institution_is_refused(filed_user, filed, add_staff):
    add_staff(filed_user, filed, 1)
    with pytest.raises(DomainError) as exc:
        add_staff(filed_user, filed, 1)
    assert exc.value.status == 409 and exc.value.code == "already_on_roster"


def test_leave_before_hire_is_refused_and_leave_works(filed_user, filed, add_staff):
    staff = add_staff(filed_user, filed)
    with pytest.raises(DomainError) as exc:
        services.staff_leave(acting_user=filed_user, staff=staff, left_on=dt.date(2024, 1, 1))
    assert exc.value.code == "leave_before_hire"
    services.staff_leave(acting_user=filed_user, staff=staff, left_on=dt.date(2024, 6, 1))
    staff.refresh_from_db()
    assert staff.left_on == dt.date(2024, 6, 1)
    # after leaving, the person may be hired again
    add_staff(filed_user, filed, 1)


def test_only_the_institution_keeps_its_roster(health_user, filed, add_staff):
    with pytest.raises(DomainError) as exc:
        add_staff(health_user, filed)
    assert exc.value.status == 403


def test_training_and_update(filed_user, filed, add_staff):
    staff = add_staff(filed_user, filed)
    t = services.training_add(
        acting_user=filed_user,
        staff=staff,
        kind="appraisal",
        title="保育师职业技能等级认定",
        provider="区妇计中心（托育指导中心）",
        hours=0,
        completed_on=dt.date(2024, 6, 1),
        appraisal_level="四级",
    )
    assert t.appraisal_level == "四级"
    with pytest.raises(DomainError) as exc:
        services.training_add(
            acting_user=filed_user,
            staff=staff,
            kind="in_service",
            title="x",
            provider="y",
            hours=0,
            completed_on=dt.date(2024, 6, 1),
        )
    assert exc.value.code == "training_hours_invalid"
    services.staff_update(acting_user=filed_user, staff=staff, data={"role": "cook"})
    staff.refresh_from_db()
    assert staff.role == "cook"
