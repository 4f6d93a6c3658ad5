"""The subsidy report of 区财政局 (P-SUB-1..4): entitled, claimed, approved, paid and clawed
back per fund, per township and per institution, on constructed data whose figures are
worked out by hand below; the Excel export holds the same cells as the page; the number of
queries does not grow with the number of institutions.

The entitlements come from `entitlements.entitlements_for_year`, monkeypatched here with
fixed `Entitlement`s (the computation is tested by test_entitlement_*);
test_reports_real_entitlements.py runs the report against the real one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import (
    ClaimFactory,
    ClaimItemFactory,
    FundFactory,
    LedgerEntryFactory,
)
from tuoyu.audit.models import AuditEvent
from tuoyu.subsidies import entitlements
from tuoyu.subsidies.catalogue import SubsidyAction
from tuoyu.subsidies.entitlements import Entitlement, EntitlementItem
from tuoyu.subsidies.models import Claim, LedgerEntry
from tuoyu.subsidies.selectors.reports import Figures, subsidy_report

pytestmark = pytest.mark.django_db

D = Decimal
YEAR = 2024


def _item(inst, ref, amount, n=0):
    return EntitlementItem(
        key=f"{inst.pk}/{ref}/{YEAR}/{n}",
        policy_ref=ref,
        policy_version="V2023-1",
        description=f"{ref} 项目",
        quantity=D("1"),
        unit_amount_yuan=D(amount),
        amount_yuan=D(amount),
    )


def patch_entitlements(monkeypatch, table: dict):
    """`entitlements_for_year` answering `table` {institution: [(ref, amount), …]}."""

    def fake(*, year, institution_ids=None):
        out = {}
        for inst, items in table.items():
            if year == YEAR and (institution_ids is None or inst.pk in institution_ids):
                out[inst.pk] = Entitlement(
                    institution_id=inst.pk,
                    year=year,
                    items=tuple(_item(inst, ref, amt, n) for n, (ref, amt) in enumerate(items)),
                )
        return out

    monkeypatch.setattr(entitlements, "entitlements_for_year", fake, raising=False)


def _claim(inst, status, year=YEAR):
    return ClaimFactory(institution=inst, status=status, year=year)


def _pay(item, fund, amount=None):
    return LedgerEntryFactory(
        claim_item=item, fund=fund, amount_yuan=D(amount or item.approved_yuan)
    )


def build(monkeypatch, make_institution, district):
    """Three institutions, two funds:

    A (多湖): entitled P-SUB-1 50,000 + P-SUB-2 16,000; claimed both; 50,000 approved and
      paid from the NDRC fund (P-SUB-1 only); P-SUB-2 approved 12,000 of 16,000, unpaid.
    B (多湖): entitled P-SUB-1 20,000; an earlier claim of it rejected (inactive, not
      counted), claimed again, awaiting review.
    C (东孝): entitled P-SUB-3 100,000; claimed, approved, paid from the district budget,
      30,000 clawed back.
    Noise: a 2023 claim of C (another year) paid from the district budget.
    """
    a = make_institution(name="甲托育有限公司", filed=True)
    b = make_institution(name="乙托育有限公司", filed=True)
    c = make_institution(name="丙托育有限公司", filed=True, township=district["dongxiao"])
    patch_entitlements(
        monkeypatch,
        {
            a: [("P-SUB-1", "50000.00"), ("P-SUB-2", "16000.00")],
            b: [("P-SUB-1", "20000.00")],
            c: [("P-SUB-3", "100000.00")],
        },
    )
    budget = FundFactory(code="district", name="区级财政预算托育补助资金")
    ndrc = FundFactory(code="ndrc", name="普惠托育专项资金", pays_refs=["P-SUB-1"])

    claim_a = _claim(a, Claim.Status.PAID)
    a1 = ClaimItemFactory(claim=claim_a, item_key=f"{a.pk}/P-SUB-1/class/1")
    a1.approved_yuan = a1.reviewed_yuan = D("50000.00")
    a1.save()
    _pay(a1, ndrc)
    claim_a2 = _claim(a, Claim.Status.APPROVED)
    ClaimItemFactory(
        claim=claim_a2,
        item_key=f"{a.pk}/P-SUB-2/{YEAR}/{YEAR}-01-01",
        policy_ref="P-SUB-2",
        entitled_yuan=D("16000.00"),
        reviewed_yuan=D("16000.00"),
        approved_yuan=D("12000.00"),
        decision_reason="托位数核减",
    )

    rejected = _claim(b, Claim.Status.REJECTED)
    ClaimItemFactory(
        claim=rejected, item_key=f"{b.pk}/P-SUB-1/class/2", entitled_yuan=D("20000"), active=False
    )
    claim_b = _claim(b, Claim.Status.SUBMITTED)
    ClaimItemFactory(claim=claim_b, item_key=f"{b.pk}/P-SUB-1/class/2", entitled_yuan=D("20000"))

    claim_c = _claim(c, Claim.Status.PAID)
    c1 = ClaimItemFactory(
        claim=claim_c,
        item_key=f"{c.pk}/P-SUB-3/provincial",
        policy_ref="P-SUB-3",
        entitled_yuan=D("100000.00"),
        approved_yuan=D("100000.00"),
    )
    _pay(c1, budget)
    LedgerEntryFactory(
        claim_item=c1,
        fund=budget,
        kind=LedgerEntry.Kind.CLAWBACK,
        amount_yuan=D("-30000.00"),
        reason="班级未实际开设",
        booked_on=dt.date(2025, 3, 1),
    )

    old = _claim(c, Claim.Status.PAID, year=2023)
    o1 = ClaimItemFactory(
        claim=old, item_key=f"{c.pk}/P-SUB-2/2023/x", policy_ref="P-SUB-2", approved_yuan=D("5")
    )
    _pay(o1, budget, "5.00")
    return {"a": a, "b": b, "c": c, "budget": budget, "ndrc": ndrc}


def fig(*values) -> tuple:
    entitled, claimed, approved, paid, clawed = (D(v) for v in values)
    return (entitled, claimed, approved, paid, clawed, paid - clawed)


def test_figures_per_fund_and_township_are_the_worked_example(
    monkeypatch, make_institution, district, finance_user
):
    """P-SUB-1..4 worked example (see `build`):
    all funds: entitled 50,000 + 16,000 + 20,000 + 100,000 = 186,000; claimed the same
    (B's rejected claim not counted again); approved 50,000 + 12,000 + 100,000 = 162,000;
    paid 50,000 + 100,000 = 150,000 (the 2023 payment is another year); clawed back 30,000;
    net 120,000.
    多湖: 66,000 + 20,000 = 86,000 entitled and claimed, 62,000 approved, 50,000 paid;
    东孝: 100,000 / 100,000 / 100,000 / 100,000 paid / 30,000 clawed back.
    NDRC fund (P-SUB-1 only): entitled 50,000 + 20,000 = 70,000, claimed 70,000, approved
    50,000, paid 50,000. District budget (any rule): 186,000 / 186,000 / 162,000, paid
    100,000, clawed back 30,000."""
    data = build(monkeypatch, make_institution, district)
    report = subsidy_report(acting_user=finance_user, year=YEAR)

    assert report.total.values() == fig(186000, 186000, 162000, 150000, 30000)
    assert report.all_funds_total == report.total
    towns = {r.label: r.figures.values() for r in report.townships}
    assert towns == {
        "多湖街道": fig(86000, 86000, 62000, 50000, 0),
        "东孝街道": fig(100000, 100000, 100000, 100000, 30000),
    }
    funds = {r.key: r.figures.values() for r in report.funds}
    assert funds == {
        "district": fig(186000, 186000, 162000, 100000, 30000),
        "ndrc": fig(70000, 70000, 50000, 50000, 0),
    }
    assert report.overlapping_funds  # the district budget pays P-SUB-1 too

    ndrc = subsidy_report(acting_user=finance_user, year=YEAR, fund=data["ndrc"])
    assert ndrc.total.values() == fig(70000, 70000, 50000, 50000, 0)
    assert {r.label: r.figures.values() for r in ndrc.townships} == {
        "多湖街道": fig(70000, 70000, 50000, 50000, 0)
    }
    inst = {r.label: r.figures.values() for r in ndrc.institutions}
    assert inst == {
        "甲托育有限公司": fig(50000, 50000, 50000, 50000, 0),
        "乙托育有限公司": fig(20000, 20000, 0, 0, 0),
    }


def test_the_drill_down_lists_one_township(monkeypatch, make_institution, district, finance_user):
    build(monkeypatch, make_institution, district)
    report = subsidy_report(acting_user=finance_user, year=YEAR, township="330703001")
    labels = [r.label for r in report.institutions]
    assert sorted(labels) == sorted(["甲托育有限公司", "乙托育有限公司"])
    assert labels == sorted(labels)
    assert {r.township for r in report.institutions} == {"多湖街道"}
    # the township table stays whole
    assert len(report.townships) == 2


def _sheet_rows(ws):
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_the_excel_export_holds_the_cells_of_the_page(
    monkeypatch, make_institution, district, finance_user, client
):
    """The export matches the on-screen table: every row and total, per fund, per township
    and per institution, in the page's column order; and it is audited (P-SUB-4)."""
    build(monkeypatch, make_institution, district)
    client.force_login(finance_user)
    page = client.get(reverse("subsidies:reports"), {"year": YEAR})
    assert page.status_code == 200
    report = page.context["report"]
    response = client.get(reverse("subsidies:reports_export"), {"year": YEAR})
    assert response.status_code == 200
    wb = load_workbook(BytesIO(response.content))

    funds = _sheet_rows(wb["按资金"])
    assert funds[0] == ["资金名称", "应享金额（元）", "申请金额（元）", "批准金额（元）",
                        "已支付（元）", "已追回（元）", "净支付（元）"]  # fmt: skip
    expected = [[r.label, *r.figures.values()] for r in report.funds]
    expected.append(["合计", *report.all_funds_total.values()])
    assert [
        [c if not isinstance(c, (int, float)) else D(str(c)) for c in row] for row in funds[1:]
    ] == expected

    towns = _sheet_rows(wb["按镇乡街道"])
    expected = [[r.label, *r.figures.values()] for r in report.townships]
    expected.append(["合计", *report.total.values()])
    assert [[c if isinstance(c, str) else D(str(c)) for c in row] for row in towns[1:]] == expected

    insts = _sheet_rows(wb["按机构"])
    expected = [[r.label, r.key, r.township, *r.figures.values()] for r in report.institutions]
    assert [[c if isinstance(c, str) else D(str(c)) for c in row] for row in insts[1:]] == expected

    # the page shows the same figures as text
    html = page.content.decode()
    for row in report.townships:
        for cell in row.figures.cells():
            assert cell in html

    (event,) = AuditEvent.objects.filter(action=SubsidyAction.REPORT_EXPORTED)
    assert event.actor_id == finance_user.pk
    assert event.detail == {"year": YEAR, "fund": "", "township": "", "rows": 3}
    assert event.request_id == response["X-Request-ID"]


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_institutions(
    monkeypatch, make_institution, district, finance_user
):
    data = build(monkeypatch, make_institution, district)
    fund = data["budget"]

    def run():
        subsidy_report(acting_user=finance_user, year=YEAR, fund=fund)

    run()  # warm the permission caches
    few = _queries(run)
    table = {}
    for n in range(12):
        inst = make_institution(filed=True, township=district["dongxiao" if n % 2 else "duohu"])
        claim = _claim(inst, Claim.Status.PAID)
        item = ClaimItemFactory(claim=claim, item_key=f"{inst.pk}/P-SUB-1/class/q{n}")
        _pay(item, fund, "50000.00")
        table[inst] = [("P-SUB-1", "50000.00")]
    table.update(
        {
            data["a"]: [("P-SUB-1", "50000.00"), ("P-SUB-2", "16000.00")],
            data["b"]: [("P-SUB-1", "20000.00")],
            data["c"]: [("P-SUB-3", "100000.00")],
        }
    )
    patch_entitlements(monkeypatch, table)
    many = _queries(run)
    assert many == few
    report = subsidy_report(acting_user=finance_user, year=YEAR)
    assert report.total.paid == D("150000.00") + 12 * D("50000.00")


def test_an_empty_year_is_all_zero(monkeypatch, finance_user, district):
    patch_entitlements(monkeypatch, {})
    report = subsidy_report(acting_user=finance_user, year=YEAR)
    assert report.total == Figures()
    assert report.townships == () and report.institutions == ()
