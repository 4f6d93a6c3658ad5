"""Subsidies (P-SUB-1..4, P-V2023-1): funds with yearly budgets, demonstration titles,
claims with their items, payments and ledger entries.

The factories write rows directly (no services, no audit): a test that needs the audited
path calls the service. `ClaimItemFactory` gives a P-SUB-1 item of ¥50,000 under V2020-36
with a unique key; set `item_key`, `policy_ref`, amounts to match an entitlement item when a
test needs one (`ClaimItemFactory.from_entitlement_item(claim=…, item=…)`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from tests.factories.accounts import DepartmentUserFactory, InstitutionUserFactory
from tests.factories.institutions import InstitutionFactory
from tuoyu.subsidies.models import (
    Claim,
    ClaimItem,
    DemonstrationTitle,
    Fund,
    FundBudget,
    LedgerEntry,
    Payment,
)


class FundFactory(DjangoModelFactory):
    """区级财政预算 托育补助资金 by default (any rule); `source=Fund.Source.NDRC_PROJECT,
    pays_refs=["P-SUB-1"]` for a restricted fund."""

    class Meta:
        model = Fund
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"fund-{n:03d}")
    name = factory.Sequence(lambda n: f"区级财政预算托育补助资金{n}")
    source = Fund.Source.DISTRICT_BUDGET
    pays_refs = factory.LazyFunction(list)
    note = ""
    active = True


class FundBudgetFactory(DjangoModelFactory):
    """A year's budget of ¥2,000,000 recorded by a 区财政局 user."""

    class Meta:
        model = FundBudget

    fund = factory.SubFactory(FundFactory)
    year = 2024
    amount_yuan = Decimal("2000000.00")
    document_ref = factory.Sequence(lambda n: f"金东财社〔2024〕{n}号")
    recorded_by = factory.SubFactory(DepartmentUserFactory, department__code="finance")


class DemonstrationTitleFactory(DjangoModelFactory):
    """A municipal demonstration title conferred 2022-06-01 on a filed institution."""

    class Meta:
        model = DemonstrationTitle

    institution = factory.SubFactory(InstitutionFactory, filed=True, filed_on=dt.date(2021, 1, 4))
    level = DemonstrationTitle.Level.MUNICIPAL
    conferred_on = dt.date(2022, 6, 1)
    document_ref = factory.Sequence(lambda n: f"金市卫〔2022〕{n}号")
    recorded_by = factory.SubFactory(DepartmentUserFactory, department__code="health")


class ClaimFactory(DjangoModelFactory):
    """A submitted claim of a filed institution for 2024 (no items: add ClaimItemFactory)."""

    class Meta:
        model = Claim

    number = factory.Sequence(lambda n: f"BZ2024{n:06d}")
    institution = factory.SubFactory(InstitutionFactory, filed=True, filed_on=dt.date(2021, 1, 4))
    year = 2024
    status = Claim.Status.SUBMITTED
    bank_account_name = factory.LazyAttribute(lambda o: o.institution.name)
    bank_name = "中国农业银行金华金东支行"
    bank_account = "6228480000000000001"
    submitted_by = factory.SubFactory(
        InstitutionUserFactory, institution=factory.SelfAttribute("..institution")
    )
    submitted_at = factory.LazyFunction(timezone.now)


class ClaimItemFactory(DjangoModelFactory):
    """A claimed P-SUB-1 item (one class, ¥50,000, V2020-36), claimed in full."""

    class Meta:
        model = ClaimItem

    claim = factory.SubFactory(ClaimFactory)
    item_key = factory.Sequence(lambda n: f"0/P-SUB-1/class/f{n}")
    policy_ref = "P-SUB-1"
    policy_version = "V2020-36"
    description = "新设托位（新增班级）一次性建设补助"
    quantity = Decimal("1")
    unit_amount_yuan = Decimal("50000.00")
    entitled_yuan = Decimal("50000.00")
    claimed_yuan = factory.SelfAttribute("entitled_yuan")
    reviewed_yuan = None
    approved_yuan = None
    basis = factory.LazyFunction(dict)
    active = True

    @classmethod
    def from_entitlement_item(cls, *, claim, item, **kwargs):
        """A claim item snapshotting an `entitlements.EntitlementItem`."""
        fields = {
            "claim": claim,
            "item_key": item.key,
            "policy_ref": item.policy_ref,
            "policy_version": item.policy_version,
            "description": item.description,
            "quantity": item.quantity,
            "unit_amount_yuan": item.unit_amount_yuan,
            "entitled_yuan": item.amount_yuan,
            "claimed_yuan": item.amount_yuan,
            "basis": item.basis,
        }
        fields.update(kwargs)
        return cls(**fields)


class PaymentFactory(DjangoModelFactory):
    """The payment of an approved claim (the claim is set to paid; no ledger entries:
    add LedgerEntryFactory per item)."""

    class Meta:
        model = Payment

    claim = factory.SubFactory(ClaimFactory, status=Claim.Status.PAID)
    fund = factory.SubFactory(FundFactory)
    budget_year = factory.SelfAttribute("claim.year")
    voucher_number = factory.Sequence(lambda n: f"JDCZ-2024-{n:05d}")
    paid_on = dt.date(2024, 11, 20)
    amount_yuan = Decimal("50000.00")
    recorded_by = factory.SubFactory(DepartmentUserFactory, department__code="finance")


class LedgerEntryFactory(DjangoModelFactory):
    """A payment entry of a claim item (amount = the item's approved or claimed amount)."""

    class Meta:
        model = LedgerEntry

    claim_item = factory.SubFactory(ClaimItemFactory)
    fund = factory.SubFactory(FundFactory)
    budget_year = factory.LazyAttribute(lambda o: o.claim_item.claim.year)
    kind = LedgerEntry.Kind.PAYMENT
    institution = factory.LazyAttribute(lambda o: o.claim_item.claim.institution)
    item_key = factory.LazyAttribute(lambda o: o.claim_item.item_key)
    policy_ref = factory.LazyAttribute(lambda o: o.claim_item.policy_ref)
    payment = None
    amount_yuan = factory.LazyAttribute(
        lambda o: o.claim_item.approved_yuan or o.claim_item.claimed_yuan
    )
    booked_on = dt.date(2024, 11, 20)
    voucher_number = factory.Sequence(lambda n: f"JDCZ-2024-L{n:05d}")
    reason = ""
    recorded_by = factory.SubFactory(DepartmentUserFactory, department__code="finance")
