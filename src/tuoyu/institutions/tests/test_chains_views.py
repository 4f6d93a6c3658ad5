"""P-REG-13 chain pages: 区卫健局 creates, edits, ends agreements and attaches branches."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tuoyu import policy
from tuoyu.institutions.models import ChainAgreement
from tuoyu.institutions.tests.conftest import pdf_upload

UNTIL = policy.today() + dt.timedelta(days=3650)


@pytest.fixture
def hb(client, health_user, media_root):
    client.force_login(health_user)
    return client


def form_data(head, district, **overrides):
    data = {
        "head_uscc": head.uscc,
        "agreement_number": "LS-2024-009",
        "townships": [district["duohu"].pk],
        "max_branches": "2",
        "valid_from": "2024-01-01",
        "valid_until": UNTIL.isoformat(),
        "document": pdf_upload("协议.pdf"),
    }
    data.update(overrides)
    return data


def test_chain_pages_need_the_health_bureau(client, make_user, township_user):
    client.force_login(township_user)
    assert client.get(reverse("institutions:chains")).status_code == 403
    assert client.get(reverse("institutions:chain_create")).status_code == 403
    client.force_login(make_user("shichang", department="market_regulation"))
    assert client.get(reverse("institutions:chains")).status_code == 403


def test_create_attach_detach_end_through_the_pages(hb, make_institution, district):
    head = make_institution(name="总部托育")
    r = hb.post(reverse("institutions:chain_create"), form_data(head, district))
    assert r.status_code == 302
    agreement = ChainAgreement.objects.get(agreement_number="LS-2024-009")
    detail = reverse("institutions:chain_detail", args=[agreement.pk])
    assert r["Location"] == detail
    listing = hb.get(reverse("institutions:chains")).content.decode()
    assert "LS-2024-009" in listing and "总部托育" in listing

    inside = make_institution(name="多湖分店")
    outside = make_institution(name="东孝分店", township=district["dongxiao"])
    attach = reverse("institutions:chain_attach", args=[agreement.pk])
    r = hb.post(attach, {"uscc": inside.uscc}, follow=True)
    assert "按连锁简化备案办理" in r.content.decode()
    r = hb.post(attach, {"uscc": outside.uscc.lower()}, follow=True)
    content = r.content.decode()
    assert "须按完整备案流程办理" in content
    assert 'data-testid="outside-scope"' in content
    r = hb.post(attach, {"uscc": make_institution().uscc}, follow=True)
    assert "分支机构已达协议上限" in r.content.decode()
    r = hb.post(attach, {"uscc": head.uscc}, follow=True)
    assert "总部机构不能作为本协议的分支机构" in r.content.decode()
    r = hb.post(attach, {"uscc": "91330703MA2HZZZZ9X"}, follow=True)
    assert "未找到" in r.content.decode()

    detach = reverse("institutions:chain_detach", args=[agreement.pk, outside.pk])
    # [accounts-ux] 6: first a confirmation page, nothing changed; then the change
    page = hb.post(detach)
    assert page.status_code == 200 and 'data-testid="confirmation"' in page.content.decode()
    outside.refresh_from_db()
    assert outside.chain_agreement_id == agreement.pk
    assert hb.post(detach, {"confirmed": "1"}).status_code == 302
    outside.refresh_from_db()
    assert outside.chain_agreement_id is None

    r = hb.post(
        reverse("institutions:chain_end", args=[agreement.pk]),
        {"ended_on": "2025-06-30", "reason": "总部申请终止"},
    )
    assert r.status_code == 302
    agreement.refresh_from_db()
    assert agreement.ended_on == dt.date(2025, 6, 30)
    assert "提前终止于" in hb.get(detail).content.decode()


def test_create_form_shows_service_errors_on_fields(hb, make_institution, district):
    head = make_institution(registration_status="deregistered")
    r = hb.post(reverse("institutions:chain_create"), form_data(head, district))
    assert r.status_code == 400
    assert "总部机构须为已登记且未注销的机构" in r.context["form"].errors["head_uscc"][0]
    head2 = make_institution()
    r = hb.post(
        reverse("institutions:chain_create"),
        form_data(head2, district, document=pdf_upload("协议.pdf", b"not a pdf")),
    )
    assert r.status_code == 400
    assert "PDF" in r.context["form"].errors["document"][0]
    r = hb.post(
        reverse("institutions:chain_create"),
        form_data(head2, district, valid_until="2023-01-01"),
    )
    assert r.status_code == 400 and r.context["form"].errors["valid_until"]
    assert not ChainAgreement.objects.exists()


def test_edit_and_document(hb, health_user, make_institution, district):
    from tuoyu.institutions.services.chains import chain_agreement_create

    agreement = chain_agreement_create(
        acting_user=health_user,
        head=make_institution(),
        agreement_number="LS-7",
        townships=[district["duohu"]],
        max_branches=2,
        valid_from=dt.date(2024, 1, 1),
        valid_until=UNTIL,
        document=pdf_upload("协议.pdf"),
    )
    edit = reverse("institutions:chain_edit", args=[agreement.pk])
    page = hb.get(edit)
    assert page.status_code == 200 and "LS-7" in page.content.decode()
    r = hb.post(
        edit,
        {
            "agreement_number": "LS-7",
            "townships": [district["duohu"].pk, district["dongxiao"].pk],
            "max_branches": "4",
            "valid_from": "2024-01-01",
            "valid_until": UNTIL.isoformat(),
        },
    )
    assert r.status_code == 302
    agreement.refresh_from_db()
    assert agreement.max_branches == 4 and agreement.townships.count() == 2
    doc = hb.get(reverse("institutions:chain_document", args=[agreement.pk]))
    assert doc.status_code == 200 and b"".join(doc.streaming_content).startswith(b"%PDF-")
