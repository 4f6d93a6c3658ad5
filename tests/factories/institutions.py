"""Institutions and what hangs off them: classes, registration events, affordable (普惠)
designations, chain agreements.

An institution's legal form decides its other registration facts as P-REG-10 does:
company → for-profit, 区市场监管局 (market_regulation); social organisation → non-profit,
区民政局 (civil_affairs); public institution (事业单位) → non-profit, 区事业单位登记管理局
(public_institution_registration); integrated kindergarten–nursery → 区教体局 (education).
Its USCC is checksummed (GB 32100) with the matching registration-department and
organisation-type digits.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from tests.factories.regions import TownshipFactory
from tuoyu.core.identifiers import make_uscc
from tuoyu.institutions.models import (
    AffordableDesignation,
    CareClass,
    ChainAgreement,
    Institution,
    RegistrationEvent,
)
from tuoyu.institutions.registration_schema import registration_payload_hash


class LegalForm(NamedTuple):
    for_profit: bool
    registration_authority: str
    uscc_dept: str  # USCC digit 1: the registering department (9 market, 5 civil, 1 staffing)
    uscc_kind: str  # USCC digit 2: the organisation type
    name_suffix: str


# P-REG-10, per legal form (for_profit is the default; a kindergarten may be either).
LEGAL_FORMS = {
    "company": LegalForm(True, "market_regulation", "9", "1", "托育有限公司"),
    "social_organization": LegalForm(False, "civil_affairs", "5", "2", "托育服务中心"),
    "public_institution": LegalForm(False, "public_institution_registration", "1", "2", "托育园"),
    "kindergarten": LegalForm(False, "education", "5", "2", "幼儿园"),
}

BRANDS = ("小橡树", "童心", "爱贝", "悦宝", "七色花", "小太阳", "春苗", "乐育", "蒲公英", "禾苗")

# Event-id prefixes of the registration authorities' systems (API-CONTRACT §1).
EVENT_PREFIXES = {
    "market_regulation": "SAMR",
    "civil_affairs": "MZ",
    "public_institution_registration": "SYDJ",
    "education": "JY",
}

FILED_ON = dt.date(2024, 1, 10)

# Default capacities per class type (within policy.at(d).classes limits).
CLASS_CAPACITY = {"infant": 10, "toddler_small": 15, "toddler_large": 20, "mixed": 18}
CLASS_NAMES = {"infant": "乳儿", "toddler_small": "托小", "toddler_large": "托大", "mixed": "混龄"}


def _uscc(o, n: int) -> str:
    form = LEGAL_FORMS[o.legal_form]
    return make_uscc(form.uscc_dept, form.uscc_kind, o.township.code[:6], f"MA{n:06d}")


class InstitutionFactory(DjangoModelFactory):
    """A registered, not yet filed institution in 多湖街道.

    `InstitutionFactory(legal_form="social_organization")` gives a consistent non-profit
    of 区民政局; traits: `filed=True` (filing number and date, no classes — add them with
    CareClassFactory), `deregistered=True`."""

    class Meta:
        model = Institution

    class Params:
        filed = factory.Trait(
            filing_status=Institution.FilingStatus.FILED,
            filing_number=factory.Sequence(lambda n: f"TY330703-2020-{n:04d}"),
            filed_on=FILED_ON,
        )
        deregistered = factory.Trait(
            registration_status=Institution.RegistrationStatus.DEREGISTERED,
            deregistered_at=factory.LazyFunction(timezone.now),
        )

    legal_form = Institution.LegalForm.COMPANY
    township = factory.SubFactory(TownshipFactory)
    uscc = factory.LazyAttributeSequence(_uscc)
    name = factory.LazyAttributeSequence(
        lambda o, n: (
            f"金华市金东区{BRANDS[n % len(BRANDS)]}{n}号{LEGAL_FORMS[o.legal_form].name_suffix}"
        )
    )
    for_profit = factory.LazyAttribute(lambda o: LEGAL_FORMS[o.legal_form].for_profit)
    registration_authority = factory.LazyAttribute(
        lambda o: LEGAL_FORMS[o.legal_form].registration_authority
    )
    registered_at = factory.LazyFunction(timezone.now)


class CareClassFactory(DjangoModelFactory):
    """A proposed class (托小班 of 15 by default); `filed=True` / `closed=True` traits."""

    class Meta:
        model = CareClass

    class Params:
        filed = factory.Trait(
            status=CareClass.Status.FILED,
            filed_on=factory.LazyAttribute(lambda o: o.institution.filed_on or FILED_ON),
        )
        closed = factory.Trait(
            status=CareClass.Status.CLOSED, closed_on=factory.LazyFunction(timezone.localdate)
        )

    institution = factory.SubFactory(InstitutionFactory)
    class_type = CareClass.ClassType.TODDLER_SMALL
    name = factory.LazyAttributeSequence(lambda o, n: f"{CLASS_NAMES[o.class_type]}{n}班")
    capacity = factory.LazyAttribute(lambda o: CLASS_CAPACITY[o.class_type])


def _registration_payload(o) -> dict:
    """The contract body (API-CONTRACT §1) the event would have been pushed with."""
    inst = o.institution
    return {
        "event_id": o.event_id,
        "authority": o.authority,
        "action": o.action,
        "uscc": o.uscc,
        "name": inst.name,
        "legal_form": inst.legal_form,
        "for_profit": inst.for_profit,
        "legal_representative": inst.legal_representative,
        "address": inst.address,
        "township_code": inst.township.code,
        "occurred_at": o.occurred_at.isoformat(),
    }


class RegistrationEventFactory(DjangoModelFactory):
    """A `registered` event pushed over the API by the institution's own authority."""

    class Meta:
        model = RegistrationEvent

    institution = factory.SubFactory(InstitutionFactory)
    authority = factory.LazyAttribute(lambda o: o.institution.registration_authority)
    event_id = factory.LazyAttributeSequence(
        lambda o, n: f"{EVENT_PREFIXES.get(o.authority, 'REG')}-330703-2023-{n:06d}"
    )
    action = RegistrationEvent.Action.REGISTERED
    uscc = factory.LazyAttribute(lambda o: o.institution.uscc)
    occurred_at = factory.LazyAttribute(lambda o: o.institution.registered_at)
    payload = factory.LazyAttribute(_registration_payload)
    payload_hash = factory.LazyAttribute(lambda o: registration_payload_hash(o.payload))
    channel = RegistrationEvent.Channel.API
    response = factory.LazyAttribute(
        lambda o: {
            "institution_id": o.institution.pk,
            "registration_status": o.institution.registration_status,
        }
    )


class AffordableDesignationFactory(DjangoModelFactory):
    """A 普惠 designation (P-MODE-2) of a filed institution, from today, open-ended."""

    class Meta:
        model = AffordableDesignation

    institution = factory.SubFactory(InstitutionFactory, filed=True)
    starts_on = factory.LazyFunction(timezone.localdate)
    decision_ref = factory.Sequence(lambda n: f"金东卫健〔2024〕{n}号")


class ChainAgreementFactory(DjangoModelFactory):
    """A chain agreement (P-REG-13) of a filed head, valid from today for a year, for the
    head's own township unless `townships=[…]` is given."""

    class Meta:
        model = ChainAgreement
        skip_postgeneration_save = True

    head = factory.SubFactory(InstitutionFactory, filed=True)
    agreement_number = factory.Sequence(lambda n: f"LS-2024-{n:03d}")
    max_branches = 3
    valid_from = factory.LazyFunction(timezone.localdate)
    valid_until = factory.LazyAttribute(lambda o: o.valid_from + dt.timedelta(days=365))

    @factory.post_generation
    def townships(self, create, extracted, **kwargs):
        if not create:
            return
        self.townships.set(extracted if extracted is not None else [self.head.township])
