"""Staff (persons and employments), certificates, trainings and lifetime bans. Resident ID
numbers are checksummed (GB 11643) with Jindong's region code 330703 and a birth date from
the sequence, so every factory person is a different, valid, adult person."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from tuoyu.core.identifiers import make_id_number
from tuoyu.core.personal import mask
from tuoyu.workforce.models import Ban, Certificate, Person, StaffMember, Training


def id_number_for(n: int, *, born: dt.date | None = None) -> str:
    """A valid ID number, distinct for each `n` (birth date from n, adult)."""
    born = born or dt.date(1980, 1, 1) + dt.timedelta(days=(n * 37) % 9000)
    return make_id_number("330703", born, n)


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"测试{n}")
    id_number = factory.Sequence(lambda n: id_number_for(n + 1))
    id_number_masked = factory.LazyAttribute(lambda o: mask("id_number", o.id_number))
    birth_date = factory.LazyAttribute(
        lambda o: dt.date(int(o.id_number[6:10]), int(o.id_number[10:12]), int(o.id_number[12:14]))
    )


class StaffMemberFactory(DjangoModelFactory):
    class Meta:
        model = StaffMember

    institution = factory.SubFactory("tests.factories.institutions.InstitutionFactory")
    person = factory.SubFactory(PersonFactory)
    name = factory.LazyAttribute(lambda o: o.person.name)
    role = "caregiver"
    hired_on = dt.date(2023, 9, 1)
    full_time = True
    education = "junior_college"


class CertificateFactory(DjangoModelFactory):
    class Meta:
        model = Certificate

    staff = factory.SubFactory(StaffMemberFactory)
    institution = factory.LazyAttribute(lambda o: o.staff.institution)
    kind = "health_certificate"
    number = factory.Sequence(lambda n: f"JK{n:06d}")
    valid_from = dt.date(2024, 1, 1)
    valid_until = None


class TrainingFactory(DjangoModelFactory):
    class Meta:
        model = Training

    staff = factory.SubFactory(StaffMemberFactory)
    institution = factory.LazyAttribute(lambda o: o.staff.institution)
    kind = "in_service"
    title = "婴幼儿照护在岗培训"
    provider = "区妇计中心（托育指导中心）"
    hours = 16
    completed_on = dt.date(2024, 5, 10)


class BanFactory(DjangoModelFactory):
    """A ban in force (approved by a second officer when the users are given)."""

    class Meta:
        model = Ban

    name = factory.Sequence(lambda n: f"禁入{n}")
    id_number = factory.Sequence(lambda n: id_number_for(n + 5000))
    id_number_masked = factory.LazyAttribute(lambda o: mask("id_number", o.id_number))
    reason = "虐待婴幼儿"
    decided_on = dt.date(2024, 3, 1)
    decision_ref = factory.Sequence(lambda n: f"金东卫禁〔2024〕{n}号")
    status = "in_force"
    source = "blacklist"
    approved_at = factory.LazyFunction(timezone.now)
