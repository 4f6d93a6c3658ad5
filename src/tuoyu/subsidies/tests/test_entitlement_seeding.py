"""The funds-and-titles seed (P-SUB-3, P-SUB-4, P-V2023-1): three funds with a budget per
year, titles spread over levels and both award rules, deterministic, audited per bulk."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import InstitutionFactory
from tuoyu.audit.models import AuditEvent
from tuoyu.core.seeding import SCALES, SeedContext
from tuoyu.subsidies import seeding_funds
from tuoyu.subsidies.entitlements import entitlements_for_year
from tuoyu.subsidies.models import DemonstrationTitle, Fund, FundBudget

pytestmark = pytest.mark.django_db


def _ctx(scale="district"):
    return SeedContext(
        scale=SCALES[scale], seed=2020, district_code="330703", today=dt.date(2026, 12, 1)
    )


@pytest.fixture
def filed_many(district, health_user, finance_user):
    return [
        InstitutionFactory(
            township=district["duohu"], filed=True, filed_on=dt.date(2020, 11, 1) + dt.timedelta(n)
        )
        for n in range(60)
    ]


def titles():
    return sorted(
        DemonstrationTitle.objects.values_list("institution__uscc", "level", "conferred_on")
    )


def test_funds_budgets_and_titles(filed_many, on_2026_12_01):
    seeding_funds.generate(_ctx())
    assert set(Fund.objects.values_list("source", flat=True)) == {
        "district_budget",
        "ndrc_project",
        "provincial_award",
    }
    assert Fund.objects.get(source="ndrc_project").pays_refs == ["P-SUB-1", "P-SUB-2"]
    years = sorted(set(FundBudget.objects.values_list("year", flat=True)))
    assert years == list(range(2021, 2027))
    assert FundBudget.objects.count() == 3 * 6
    assert all(b.amount_yuan > 0 and b.amount_yuan % 10000 == 0 for b in FundBudget.objects.all())
    seeded = titles()
    assert len(seeded) >= 8
    days = [d for _u, _l, d in seeded]
    assert min(days) < dt.date(2023, 8, 1) <= max(days)
    assert {lv for _u, lv, _d in seeded} >= {"municipal", "provincial"}
    kinds = set(
        AuditEvent.objects.filter(action="subsidies.demo.seeded").values_list(
            "object_type", flat=True
        )
    )
    assert kinds == {"subsidies.fund", "subsidies.fundbudget", "subsidies.demonstrationtitle"}
    # the titles give awards (P-SUB-3 / P-V2023-1) in some year
    awarded = sum(
        (e.total_yuan for y in range(2021, 2027) for e in entitlements_for_year(year=y).values()),
        0,
    )
    assert awarded > 0


def test_deterministic_and_run_once(filed_many, on_2026_12_01):
    seeding_funds.generate(_ctx())
    first = titles()
    seeding_funds.generate(_ctx())  # already seeded: nothing added
    assert titles() == first
    DemonstrationTitle.objects.all().delete()
    FundBudget.objects.all().delete()
    Fund.objects.all().delete()
    seeding_funds.generate(_ctx())
    assert titles() == first
