"""Children in care and their checks (P-HC-1..6). A child is enrolled in a filed class of
its institution, aged to fit a 托小班 (12–24 months) on today's date by default; the
guardian's phone is a valid mobile number, the ID number (when asked) GB 11643-valid with
Jindong's 330703 address code."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from tests.factories.institutions import CareClassFactory
from tuoyu.children.models import Child, Examination, HealthCheck, HealthCheckBatch
from tuoyu.core.identifiers import make_id_number

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林"
GIVEN = ("子涵", "欣怡", "梓轩", "雨桐", "浩宇", "一诺", "思睿", "可馨", "俊熙", "语嫣")


def _birth(o) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=540)


class ChildFactory(DjangoModelFactory):
    class Meta:
        model = Child

    class Params:
        with_id = factory.Trait(
            id_number=factory.LazyAttributeSequence(
                lambda o, n: make_id_number("330703", o.birth_date, 100 + n)
            )
        )

    care_class = factory.SubFactory(CareClassFactory, filed=True)
    institution = factory.SelfAttribute("care_class.institution")
    name = factory.Sequence(lambda n: SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)])
    gender = factory.Iterator([Child.Gender.MALE, Child.Gender.FEMALE])
    birth_date = factory.LazyAttribute(_birth)
    guardian_name = factory.LazyAttribute(lambda o: o.name[0] + "建国")
    guardian_phone = factory.Sequence(lambda n: f"138{n:08d}")
    enrolled_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=60))


class ExaminationFactory(DjangoModelFactory):
    class Meta:
        model = Examination

    child = factory.SubFactory(ChildFactory)
    institution = factory.SelfAttribute("child.institution")
    kind = Examination.Kind.ENTRY
    examined_on = factory.LazyAttribute(lambda o: o.child.enrolled_on - dt.timedelta(days=7))
    examined_by = "金东区妇幼保健院"


class HealthCheckFactory(DjangoModelFactory):
    class Meta:
        model = HealthCheck

    child = factory.SubFactory(ChildFactory)
    institution = factory.SelfAttribute("child.institution")
    care_class = factory.SelfAttribute("child.care_class")
    record_id = factory.Sequence(lambda n: f"F-{n:08d}")
    date = factory.LazyFunction(timezone.localdate)
    session = HealthCheck.Session.MORNING
    attendance = HealthCheck.Attendance.PRESENT
    symptoms = ""
    batch = factory.LazyAttribute(
        lambda o: HealthCheckBatch.objects.create(institution=o.institution)
    )
