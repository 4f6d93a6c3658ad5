"""The report pages and files (P-SUB-4): the payment list PDF for signature carries every
payment and the total in figures and in Chinese capital numerals (read back with
`pdftotext`, as the filing receipt's tests do), each file is an audited event, and who may
see the reports: 区财政局 and 区卫健局 (`subsidies.view_reports`); 区税务局 and an
institution are refused (403, like every permission-guarded page of the platform)."""

from __future__ import annotations

import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import ClaimFactory, ClaimItemFactory, FundFactory, LedgerEntryFactory
from tuoyu.audit.models import AuditEvent
from tuoyu.subsidies.catalogue import SubsidyAction
from tuoyu.subsidies.models import Claim
from tuoyu.subsidies.payment_list import payment_list_pdf
from tuoyu.subsidies.tests.test_reports_figures import YEAR, build, patch_entitlements

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True)
    return out.stdout.decode()


def _flat(text: str) -> str:
    return "".join(text.split())


def test_the_payment_list_has_the_total_in_figures_and_capitals(
    monkeypatch, make_institution, district, finance_user
):
    """P-SUB-4: the district budget paid ¥100,000.00 of 2024 (丙); the NDRC fund
    ¥50,000.00 (甲); every fund together ¥150,000.00 → 壹拾伍万元整."""
    data = build(monkeypatch, make_institution, district)
    text = _flat(_text(payment_list_pdf(acting_user=finance_user, year=YEAR, fund=None)))
    assert "托育补助资金支付清单" in text
    assert "¥150,000.00" in text and "人民币壹拾伍万元整" in text
    assert "甲托育有限公司" in text and "丙托育有限公司" in text
    for word in ("经办人", "复核人", "负责人"):
        assert word in text
    ndrc = _flat(_text(payment_list_pdf(acting_user=finance_user, year=YEAR, fund=data["ndrc"])))
    assert "¥50,000.00" in ndrc and "人民币伍万元整" in ndrc
    assert "丙托育有限公司" not in ndrc


def test_a_total_with_jiao_and_fen_is_written_in_capitals(make_institution, finance_user):
    inst = make_institution(name="丁托育有限公司", filed=True)
    fund = FundFactory(code="p", name="省级奖补资金")
    claim = ClaimFactory(institution=inst, status=Claim.Status.PAID, year=YEAR)
    for n, amount in enumerate(("1000.00", "234.56")):
        item = ClaimItemFactory(
            claim=claim, item_key=f"{inst.pk}/P-SUB-2/x{n}", entitled_yuan=Decimal(amount)
        )
        LedgerEntryFactory(claim_item=item, fund=fund, amount_yuan=Decimal(amount))
    text = _flat(_text(payment_list_pdf(acting_user=finance_user, year=YEAR, fund=fund)))
    assert "¥1,234.56" in text and "人民币壹仟贰佰叁拾肆元伍角陆分" in text


def test_the_pdf_download_is_audited(monkeypatch, make_institution, district, finance_user, client):
    data = build(monkeypatch, make_institution, district)
    client.force_login(finance_user)
    response = client.get(reverse("subsidies:payment_list_pdf"), {"year": YEAR, "fund": "ndrc"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    (event,) = AuditEvent.objects.filter(action=SubsidyAction.PAYMENT_LIST_PRINTED)
    assert event.actor_id == finance_user.pk
    assert event.object_id == str(data["ndrc"].pk)
    assert event.detail == {"year": YEAR, "fund": "ndrc", "rows": 1, "total_yuan": "50000.00"}


@pytest.mark.parametrize("department", ["finance", "health"])
def test_finance_and_health_see_the_reports(monkeypatch, client, make_user, department):
    patch_entitlements(monkeypatch, {})
    client.force_login(make_user(f"u-{department}", department=department))
    for name in ("subsidies:reports", "subsidies:reports_export", "subsidies:payment_list_pdf"):
        assert client.get(reverse(name), {"year": YEAR}).status_code == 200, name


@pytest.mark.parametrize("who", ["tax", "development_reform", "township", "institution"])
def test_others_never_see_the_reports(monkeypatch, client, make_user, institution_user, who):
    patch_entitlements(monkeypatch, {})
    if who == "institution":
        user = institution_user
    elif who == "township":
        user = make_user("zhen", township="duohu")
    else:
        user = make_user(f"u-{who}", department=who)
    client.force_login(user)
    for name in ("subsidies:reports", "subsidies:reports_export", "subsidies:payment_list_pdf"):
        assert client.get(reverse(name), {"year": YEAR}).status_code == 403, name
    assert not AuditEvent.objects.filter(
        action__in=[SubsidyAction.REPORT_EXPORTED, SubsidyAction.PAYMENT_LIST_PRINTED]
    ).exists()


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("subsidies:reports"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_bad_year_falls_back_to_this_year(monkeypatch, client, finance_user):
    patch_entitlements(monkeypatch, {})
    client.force_login(finance_user)
    response = client.get(reverse("subsidies:reports"), {"year": "abc", "fund": "nope"})
    assert response.status_code == 200
    assert response.context["report"].fund is None
