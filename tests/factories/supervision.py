"""综合监管: complaints, inspections, rectification orders, credit events (P-SUP-3..6)."""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from tests.factories.institutions import InstitutionFactory
from tuoyu.core import clock
from tuoyu.supervision.models import (
    Complaint,
    CreditEvent,
    Inspection,
    RectificationOrder,
)


class ComplaintFactory(DjangoModelFactory):
    class Meta:
        model = Complaint

    institution = factory.SubFactory(InstitutionFactory)
    tracking_number = factory.Sequence(lambda n: f"TSFAC{n:07d}")
    category = "health_care"
    description = "午睡室通风不好，孩子回家说很闷。"
    channel = Complaint.Channel.PORTAL
    department_code = "health"
    due_on = factory.LazyFunction(lambda: clock.today() + dt.timedelta(15))


class InspectionFactory(DjangoModelFactory):
    class Meta:
        model = Inspection

    institution = factory.SubFactory(InstitutionFactory)
    department_code = "health"
    kind = Inspection.Kind.TARGETED
    inspector = None
    scheduled_on = factory.LazyFunction(clock.today)


class RectificationOrderFactory(DjangoModelFactory):
    class Meta:
        model = RectificationOrder

    inspection = factory.SubFactory(InspectionFactory)
    institution = factory.SelfAttribute("inspection.institution")
    department_code = factory.SelfAttribute("inspection.department_code")
    item_code = "observation_room"
    severity = "minor"
    finding = "保健观察室未配备观察床"
    due_on = factory.LazyFunction(lambda: clock.today() + dt.timedelta(30))


class CreditEventFactory(DjangoModelFactory):
    class Meta:
        model = CreditEvent

    institution = factory.SubFactory(InstitutionFactory)
    kind = CreditEvent.Kind.COMMENDATION
    points = 5
    rule_ref = "P-SUP-5"
    rule_text = "表彰：+5 分（P-SUP-5）"
    occurred_on = factory.LazyFunction(clock.today)
    description = "获评区级优秀托育机构"
    source = factory.Sequence(lambda n: f"factory:{n}")
