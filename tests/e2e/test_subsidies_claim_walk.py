"""[subsidies] #14 done-when: in Chromium, an institution claims its entitlement (the real
computation, P-SUB-1) → 区卫健局 reviews eligibility → 区财政局 approves and pays (fund,
voucher, date; P-ORG-2) → the funds page shows the balance reduced by the paid amount
(P-SUB-4)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from playwright.sync_api import expect

from tests.e2e.test_filing_path import logout, sign_in
from tests.factories.subsidies import FundBudgetFactory, FundFactory
from tuoyu.institutions import standing
from tuoyu.subsidies import entitlements

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ledger_flush_allowed(transactional_db):
    """The ledger refuses DELETE (migration 0002); on SQLite the test runner's flush after
    a live-server test is a DELETE, let through while subsidies_ledger_unlock has a row."""
    yield
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT OR IGNORE INTO subsidies_ledger_unlock (id) VALUES (1)")


def test_claim_review_approve_pay_and_balance(
    page, ledger_flush_allowed, make_user, make_filed, health_user, finance_user, monkeypatch
):
    for key in ("not_blacklisted", "no_open_critical_order", "not_suspended"):
        monkeypatch.setitem(standing._providers, key, lambda ids, on: {})
    institution = make_filed(
        name="多湖小太阳托育有限公司",
        filed_on=dt.date(2024, 3, 4),
        classes=(("toddler_small", 15),),
    )
    make_user("xiaotaiyang", institution=institution)
    (new_class,) = [
        i
        for i in entitlements.entitlement_for(institution=institution, year=2024).items
        if "/P-SUB-1/" in i.key
    ]
    fund = FundFactory(code="district-2024", name="区级托育补助资金")
    FundBudgetFactory(
        fund=fund, year=2024, amount_yuan=Decimal("500000.00"), recorded_by=finance_user
    )
    paid = new_class.amount_yuan
    money = f"¥{Decimal('500000.00') - paid:,.2f}"

    # the institution claims its new-class subsidy
    sign_in(page, "xiaotaiyang")
    page.goto("/subsidies/claims/")
    page.get_by_test_id("claim-new").click()
    page.locator("#f-year").select_option("2024")
    with page.expect_navigation():
        page.get_by_role("button", name="查看应享补助").click()
    page.locator(f"input[name='item'][value='{new_class.key}']").check()
    page.get_by_label("开户银行").fill("中国农业银行金华金东支行")
    page.get_by_label("银行账号").fill("6228 4800 1234 5678 901")
    with page.expect_navigation():
        page.get_by_test_id("claim-submit").click()
    expect(page.get_by_test_id("claim-status")).to_have_text("待审核")
    expect(page.get_by_test_id("bank-account")).to_have_text("**** **** 8901")
    claim_url = page.url
    logout(page)

    # 区卫健局 reviews eligibility: every rule passes, approves in full
    sign_in(page, health_user.username)
    page.goto("/subsidies/claims/")
    page.get_by_test_id("claims").get_by_role("link").first.click()
    expect(page.get_by_test_id("checks").locator("[data-outcome='passed']")).to_have_count(4)
    page.get_by_label("结论").select_option("approve")
    with page.expect_navigation():
        page.get_by_test_id("decision-submit").click()
    expect(page.get_by_test_id("claim-status")).to_have_text("待财政审批")
    logout(page)

    # 区财政局 approves, then pays from the fund with a voucher
    sign_in(page, finance_user.username)
    page.goto(claim_url)
    page.get_by_label("结论").select_option("approve")
    with page.expect_navigation():
        page.get_by_test_id("decision-submit").click()
    expect(page.get_by_test_id("claim-status")).to_have_text("待支付")
    page.get_by_label("支付资金").select_option(str(fund.pk))
    page.get_by_label("凭证号").fill("JDCZ-2024-0088")
    page.get_by_label("支付日期").fill("2024-11-20")
    page.get_by_label("支出预算年度").fill("2024")
    with page.expect_navigation():
        page.get_by_test_id("pay-submit").click()
    expect(page.get_by_test_id("claim-status")).to_have_text("已支付")

    # the funds page: the balance fell by the paid amount
    page.goto("/subsidies/funds/")
    row = page.locator("[data-code='district-2024'] tr[data-year='2024']")
    expect(row.get_by_test_id("balance")).to_have_text(money)
