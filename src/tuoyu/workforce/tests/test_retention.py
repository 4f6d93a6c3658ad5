"""P-RET-2 ([operations] point 3): a person whose every employment ended more than
`staff_after_leaving_years` ago is anonymised by the nightly job `core.retention`; the
employments, certificates and trainings stay so that the certification rate and past years'
counts do not change; lifetime bans (P-SUP-6) are kept as the law requires.

The job is run through the core registry (`tuoyu.core.jobs.get_job`): a domain app never
imports the jobs app."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Sum

from tests.factories import (
    BanFactory,
    CertificateFactory,
    PersonFactory,
    StaffMemberFactory,
    TrainingFactory,
    id_number_for,
)
from tests.jobrun import run_job
from tuoyu import policy
from tuoyu.audit.models import AuditEvent
from tuoyu.core import retention
from tuoyu.core.personal import mask
from tuoyu.workforce.models import Ban, Certificate, Person, StaffMember, Training
from tuoyu.workforce.selectors import certification_rate

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 6, 1)  # 3 years (P-RET-2): the cut-off is 2023-06-01
PAST_DAY = dt.date(2022, 6, 1)


def run_retention(day=DAY):
    return run_job("core.retention", day)


def _person(n: int, name: str) -> Person:
    number = id_number_for(n)
    return PersonFactory(name=name, id_number=number, id_number_masked=mask("id_number", number))


def _employment(person, institution, *, hired, left, phone="13800000000"):
    staff = StaffMemberFactory(
        person=person, institution=institution, hired_on=hired, left_on=left, phone=phone
    )
    # P-WF-1: the scan (a stored name only: the file itself is test_scans.py's concern)
    CertificateFactory(
        staff=staff,
        kind="childcare_worker",
        valid_from=hired,
        scan=f"workforce/certificates/test/{staff.pk}.pdf",
        scan_name=f"{person.name}保育员证.pdf",
        scan_content_type="application/pdf",
    )
    TrainingFactory(staff=staff, hours=16, completed_on=hired + dt.timedelta(days=30))
    return staff


@pytest.fixture
def people(make_institution):
    a, b = make_institution(name="甲托育"), make_institution(name="乙托育")
    old = _person(9001, "张旧")  # two employments, both ended before the cut-off
    _employment(old, a, hired=dt.date(2020, 1, 1), left=dt.date(2021, 7, 1))
    _employment(old, b, hired=dt.date(2021, 8, 1), left=dt.date(2023, 3, 31))
    old2 = _person(9002, "李旧")
    _employment(old2, a, hired=dt.date(2019, 3, 1), left=dt.date(2022, 1, 31), phone="")
    recent = _person(9003, "王近")  # left inside the period
    _employment(recent, a, hired=dt.date(2020, 1, 1), left=dt.date(2024, 1, 31))
    mixed = _person(9004, "赵在")  # an old employment, but employed today elsewhere
    _employment(mixed, a, hired=dt.date(2018, 1, 1), left=dt.date(2020, 1, 1))
    _employment(mixed, b, hired=dt.date(2020, 2, 1), left=None)
    return {"old": old, "old2": old2, "recent": recent, "mixed": mixed, "institutions": (a, b)}


def _raw_rows(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        return cursor.fetchall()


def _counts(health_user) -> dict:
    rate = certification_rate(acting_user=health_user, day=PAST_DAY)["total"]
    return {
        "staff": StaffMember.objects.count(),
        "certificates": Certificate.objects.count(),
        "kinds": sorted(Certificate.objects.values_list("kind", flat=True)),
        "trainings": Training.objects.count(),
        "hours": Training.objects.aggregate(h=Sum("hours"))["h"],
        "rate": (rate.numerator, rate.denominator),
        "roles": sorted(StaffMember.objects.values_list("role", "hired_on", "left_on")),
    }


def test_p_ret_2_rule_is_registered_with_the_staff_period():
    rule = retention.get_rule("workforce.staff_left")
    assert rule is not None
    assert rule.policy_key == "retention.staff_after_leaving_years"
    assert policy.at(DAY).retention.staff_after_leaving_years == 3


def test_p_ret_2_person_past_the_period_is_anonymised_and_counts_stay(people, health_user):
    old = people["old"]
    before = _counts(health_user)
    assert before["rate"][1] > 0  # the past day's rate counts the old employments
    old_raw = Person.objects.filter(pk=old.pk).values_list("id_number", "id_number_index").get()
    old_phone = StaffMember.objects.filter(person=old).values_list("phone", flat=True).first()
    old_numbers = list(
        Certificate.objects.filter(staff__person=old).values_list("number", flat=True)
    )
    old_scans = list(Certificate.objects.filter(staff__person=old).values_list("scan", "scan_name"))
    assert len(old_scans) == 2 and all(all(s) for s in old_scans)

    run = run_retention()

    assert run.counts.get("anonymised") == 2  # old and old2 (no collision on the empty index)
    old.refresh_from_db()
    assert old.name == f"已匿名{old.pk}"
    assert (old.id_number, old.id_number_index, old.id_number_masked) == ("", "", "已匿名")
    assert old.anonymised_at is not None
    assert old.birth_date  # kept (age statistics), documented in the module
    assert set(StaffMember.objects.filter(person=old).values_list("name", "phone")) == {
        (f"已匿名{old.pk}", "")
    }
    assert set(Certificate.objects.filter(staff__person=old).values_list("number", flat=True)) == {
        ""
    }
    # P-WF-1 scans identify the holder: the rows forget them (the files: test_scans.py)
    assert set(
        Certificate.objects.filter(staff__person=old).values_list(
            "scan", "scan_name", "scan_content_type"
        )
    ) == {("", "", "")}
    assert _counts(health_user) == before
    # The raw rows hold no old value: no name, ciphertext, index, phone or certificate number.
    old_values = {"张旧", "李旧", old_raw[0], old_raw[1], old_phone, *old_numbers}
    old_values |= {value for scan in old_scans for value in scan}
    old_values |= {mask("id_number", id_number_for(9001)), id_number_for(9001)}
    for table in ("workforce_person", "workforce_staffmember", "workforce_certificate"):
        for row in _raw_rows(table):
            assert not old_values & {str(v) for v in row}, (table, row)
    audit = AuditEvent.objects.filter(
        action="jobs.retention.anonymised", object_id="workforce.staff_left"
    )
    assert audit.count() == 1
    assert audit.get().detail["cutoff"] == "2023-06-01"


def test_p_ret_2_inside_the_period_and_active_people_are_untouched(people):
    run_retention()
    for key, name in (("recent", "王近"), ("mixed", "赵在")):
        person = Person.objects.get(pk=people[key].pk)
        assert (person.name, person.anonymised_at) == (name, None), key
        assert person.id_number_index and person.id_number_masked.startswith("330703")
        assert set(StaffMember.objects.filter(person=person).values_list("name", flat=True)) == {
            name
        }
        assert not Certificate.objects.filter(staff__person=person, number="").exists()
        assert not Certificate.objects.filter(staff__person=person, scan="").exists()
    assert StaffMember.objects.filter(person=people["recent"]).get().phone.masked


def test_p_ret_2_a_rerun_changes_nothing(people):
    run_retention()
    snapshot = {
        table: sorted(map(str, _raw_rows(table)))
        for table in ("workforce_person", "workforce_staffmember", "workforce_certificate")
    }
    audits = AuditEvent.objects.filter(action="jobs.retention.anonymised").count()

    assert run_retention().counts.get("anonymised", 0) == 0

    for table, rows in snapshot.items():
        assert sorted(map(str, _raw_rows(table))) == rows, table
    assert AuditEvent.objects.filter(action="jobs.retention.anonymised").count() == audits


def test_p_ret_2_the_same_person_hired_again_is_a_new_person(people, add_staff, make_user):
    """The old blind index is gone: entering the same ID number again creates a person."""
    run_retention()
    a, _ = people["institutions"]
    user = make_user("jia", institution=a)
    staff = add_staff(user, a, 9001, name="张旧", hired_on=dt.date(2026, 5, 1))
    assert staff.person_id != people["old"].pk
    assert Person.objects.get(pk=staff.person_id).name == "张旧"


def test_p_ret_2_bans_are_never_anonymised(people):
    """P-SUP-6: a lifetime ban on a person anonymised as staff keeps its name and number."""
    ban = BanFactory(name="张旧", id_number=id_number_for(9001))
    index = Ban.objects.filter(pk=ban.pk).values_list("id_number_index", flat=True).get()
    run_retention()
    ban.refresh_from_db()
    assert ban.name == "张旧" and ban.id_number_index == index
    assert ban.id_number.reveal() == id_number_for(9001)
