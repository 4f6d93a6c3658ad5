"""The claims and funds pages (P-SUB-1..4, P-ORG-2): the form keeps input and shows errors
beside fields; each department sees its queue and its actions; money as ¥1,234.56; the bank
account masked, revealed only through the audited reveal for 区财政局; supporting files
downloaded through the audited view."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tuoyu.audit.models import AuditEvent
from tuoyu.subsidies.catalogue import SubsidyAction
from tuoyu.subsidies.models import Claim, LedgerEntry
from tuoyu.subsidies.services.claims import claim_approve, claim_review, claim_submit
from tuoyu.subsidies.tests.claims_support import (
    BANK,
    entitled,
    funded,
    item,
    no_standing_problems,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(monkeypatch, filed_institution):
    no_standing_problems(monkeypatch)
    return entitled(
        monkeypatch,
        filed_institution,
        [item(filed_institution, 1), item(filed_institution, 2, "20000.00")],
    )


def test_new_claim_form_keeps_input_and_shows_errors(client, items, filed_user):
    client.force_login(filed_user)
    url = reverse("subsidies:claim_new") + "?year=2024"
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "¥50,000.00" in body and "¥70,000.00" in body  # the item and the total
    bad = client.post(
        url,
        {
            "year": "2024",
            "item": [items[0].key],
            "claimed_0": "60000",
            "bank_account_name": "阳光托育",
            "bank_name": "农行",
            "bank_account": "12",
        },
    )
    text = bad.content.decode()
    assert bad.status_code == 200
    assert "银行账号格式错误" in text and 'value="阳光托育"' in text and 'value="60000"' in text
    assert not Claim.objects.exists()


def test_new_claim_submitted_through_the_form(client, items, filed_user, media_root):
    client.force_login(filed_user)
    pdf = SimpleUploadedFile("批复.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    r = client.post(
        reverse("subsidies:claim_new"),
        {
            "year": "2024",
            "item": [items[0].key, items[1].key],
            "claimed_1": "15000",
            **BANK,
            "materials": [pdf],
        },
    )
    claim = Claim.objects.get()
    assert r.status_code == 302 and r.url == reverse("subsidies:claim_detail", args=[claim.pk])
    page = client.get(r.url).content.decode()
    assert "**** **** 8901" in page and "6228" not in page
    assert "¥15,000.00" in page
    material = claim.materials.get()
    download = client.get(reverse("subsidies:claim_material", args=[material.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action=SubsidyAction.CLAIM_MATERIAL_DOWNLOADED).count() == 1


def test_township_reads_but_sees_no_files_and_no_actions(
    client, items, filed_institution, filed_user, township_user, media_root
):
    pdf = SimpleUploadedFile("批复.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    claim = claim_submit(
        acting_user=filed_user,
        institution=filed_institution,
        year=2024,
        item_keys=[items[0].key],
        materials=[pdf],
        **BANK,
    )
    client.force_login(township_user)
    page = client.get(reverse("subsidies:claim_detail", args=[claim.pk])).content.decode()
    assert claim.number in page and "decision-form" not in page and "批复.pdf" not in page
    material = claim.materials.get()
    assert client.get(reverse("subsidies:claim_material", args=[material.pk])).status_code == 404


def test_queues_and_review_through_the_page(
    client, items, filed_institution, filed_user, health_user, finance_user
):
    claim = claim_submit(
        acting_user=filed_user,
        institution=filed_institution,
        year=2024,
        item_keys=[i.key for i in items],
        **BANK,
    )
    client.force_login(health_user)
    assert claim.number in client.get(reverse("subsidies:claims")).content.decode()
    _ia, ib = claim.items.order_by("pk")
    url = reverse("subsidies:claim_detail", args=[claim.pk])
    page = client.get(url).content.decode()
    assert "decision-form" in page and "未列入黑名单" in page
    bad = client.post(url, {"action": "review", "decision": "approve", f"amount_{ib.pk}": "100"})
    assert bad.status_code == 422 and "核减金额须说明理由" in bad.content.decode()
    ok = client.post(
        url,
        {
            "action": "review",
            "decision": "approve",
            f"amount_{ib.pk}": "10000",
            f"reason_{ib.pk}": "班级开设晚",
        },
    )
    assert ok.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.REVIEWED
    # 区卫健局's queue no longer shows it; 区财政局's does
    assert claim.number not in client.get(reverse("subsidies:claims")).content.decode()
    client.force_login(finance_user)
    assert claim.number in client.get(reverse("subsidies:claims")).content.decode()
    history = client.get(url).content.decode()
    assert "审核补助申请" in history


def test_reveal_and_pay_through_the_page(
    client, items, filed_institution, filed_user, health_user, finance_user
):
    claim = claim_submit(
        acting_user=filed_user,
        institution=filed_institution,
        year=2024,
        item_keys=[items[0].key],
        **BANK,
    )
    claim_review(acting_user=health_user, claim=claim, approve=True)
    claim_approve(acting_user=finance_user, claim=claim, approve=True)
    fund = funded(finance_user)
    client.force_login(finance_user)
    url = reverse("subsidies:claim_detail", args=[claim.pk])
    revealed = client.post(url, {"action": "reveal"}).content.decode()
    assert "6228480012345678901" in revealed
    assert AuditEvent.objects.filter(kind="pii_read", object_id=str(claim.pk)).exists()
    paid = client.post(
        url,
        {"action": "pay", "fund": fund.pk, "voucher_number": "V-PAGE", "paid_on": "2024-11-20"},
    )
    assert paid.status_code == 302
    assert LedgerEntry.objects.filter(voucher_number="V-PAGE").count() == 1
    funds = client.get(reverse("subsidies:funds")).content.decode()
    assert "¥950,000.00" in funds
    ledger = client.get(reverse("subsidies:fund_detail", args=[fund.pk]) + "?year=2024")
    assert "clawback-form" in ledger.content.decode()
    entry = LedgerEntry.objects.get(voucher_number="V-PAGE")
    back = client.post(
        reverse("subsidies:fund_detail", args=[fund.pk]) + "?year=2024",
        {
            "entry": entry.pk,
            "amount_yuan": "60000",
            "reason": "多报",
            "voucher_number": "ZH-P",
            "booked_on": "2024-12-01",
        },
    )
    assert back.status_code == 422 and "追回金额超过已支付金额" in back.content.decode()
    ok = client.post(
        reverse("subsidies:fund_detail", args=[fund.pk]),
        {
            "entry": entry.pk,
            "amount_yuan": "10000",
            "reason": "多报",
            "voucher_number": "ZH-P",
            "booked_on": dt.date(2024, 12, 1).isoformat(),
        },
    )
    assert ok.status_code == 302
    assert "¥960,000.00" in client.get(reverse("subsidies:funds")).content.decode()


def test_funds_page_forms_for_finance_only(client, finance_user, health_user):
    client.force_login(finance_user)
    r = client.post(
        reverse("subsidies:funds"),
        {
            "action": "create",
            "code": "prov-award",
            "name": "省级奖补",
            "source": "provincial_award",
        },
    )
    assert r.status_code == 302
    page = client.get(reverse("subsidies:funds")).content.decode()
    assert "省级奖补" in page and "fund-form" in page
    client.force_login(health_user)
    page = client.get(reverse("subsidies:funds")).content.decode()
    assert "省级奖补" in page and "fund-form" not in page
    r = client.post(reverse("subsidies:funds"), {"action": "create", "code": "x"})
    assert r.status_code == 404


def test_other_department_gets_404(client, make_user):
    client.force_login(make_user("sc-pages", department="market_regulation"))
    assert client.get(reverse("subsidies:claims")).status_code == 404
    assert client.get(reverse("subsidies:funds")).status_code == 403


def test_pages_show_words_not_codes(
    client, items, filed_institution, filed_user, health_user, finance_user, township_user
):
    """[accounts-ux] 5 on the claims and funds pages (the crawl of
    tests/integration/test_words_not_codes.py reaches them only through the navigation):
    every page of every role here, with a claim paid and clawed back and one refused at
    review, shows no code or enum word."""
    import html

    from tests.integration.test_words_not_codes import TOKEN, _Text, forbidden_words
    from tuoyu.subsidies.services.claims import claim_pay
    from tuoyu.subsidies.services.ledger import clawback_book

    paid = claim_submit(
        acting_user=filed_user,
        institution=filed_institution,
        year=2024,
        item_keys=[items[0].key],
        **BANK,
    )
    claim_review(acting_user=health_user, claim=paid, approve=True)
    claim_approve(acting_user=finance_user, claim=paid, approve=True)
    fund = funded(finance_user)
    payment = claim_pay(
        acting_user=finance_user,
        claim=paid,
        fund=fund,
        voucher_number="W-1",
        paid_on=dt.date(2024, 11, 20),
    )
    clawback_book(
        acting_user=finance_user,
        entry=payment.entries.get(),
        amount_yuan="100",
        reason="多报",
        voucher_number="W-2",
        booked_on=dt.date(2024, 12, 1),
    )
    refused = claim_submit(
        acting_user=filed_user,
        institution=filed_institution,
        year=2024,
        item_keys=[items[1].key],
        **BANK,
    )
    claim_review(acting_user=health_user, claim=refused, approve=False, note="材料不全")
    forbidden = forbidden_words()
    urls = [
        reverse("subsidies:claims"),
        reverse("subsidies:claims") + "?status=",
        reverse("subsidies:claim_detail", args=[paid.pk]),
        reverse("subsidies:claim_detail", args=[refused.pk]),
    ]
    ledger = [reverse("subsidies:funds"), reverse("subsidies:fund_detail", args=[fund.pk])]
    for user, pages in [
        (filed_user, [*urls, reverse("subsidies:claim_new") + "?year=2024"]),
        (health_user, urls + ledger),
        (finance_user, urls + ledger),
        (township_user, urls),
    ]:
        client.force_login(user)
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, (user.username, url)
            parser = _Text(allow_code=False)
            parser.feed(response.content.decode())
            text = html.unescape(" ".join(parser.parts))
            bad = {m.group() for m in TOKEN.finditer(text) if m.group() in forbidden}
            assert not bad, (user.username, url, bad)
