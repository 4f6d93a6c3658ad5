"""P-MODE-2 pages: designate and withdraw 普惠 status; the list and the institution tab."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import AffordableDesignationFactory
from tuoyu.institutions.models import AffordableDesignation
from tuoyu.institutions.tests.conftest import pdf_upload

D = dt.date


@pytest.fixture
def hb(client, health_user, media_root):
    client.force_login(health_user)
    return client


@pytest.fixture
def filed(make_filed):
    return make_filed(name="普惠候选托育", filed_on=D(2023, 3, 1))


def test_only_health_bureau(client, township_user, filed):
    client.force_login(township_user)
    assert client.get(reverse("institutions:affordable")).status_code == 403
    assert client.get(reverse("institutions:affordable_designate")).status_code == 403
    # The tab shows the history read-only to directory users.
    r = client.get(reverse("institutions:detail", args=[filed.pk]), {"tab": "affordable"})
    assert r.status_code == 200 and 'data-testid="designate-link"' not in r.content.decode()


def test_designate_from_the_institution_tab_and_withdraw(hb, filed):
    detail = reverse("institutions:detail", args=[filed.pk])
    tab = hb.get(detail, {"tab": "affordable"}).content.decode()
    assert 'data-testid="designate-link"' in tab
    form = hb.get(reverse("institutions:affordable_designate"), {"uscc": filed.uscc})
    assert form.status_code == 200 and filed.uscc in form.content.decode()
    r = hb.post(
        reverse("institutions:affordable_designate"),
        {
            "uscc": filed.uscc,
            "starts_on": "2023-08-01",
            "ends_on": "",
            "decision_ref": "金东卫〔2023〕8号",
            "decision_document": pdf_upload(),
            "next": f"{detail}?tab=affordable",
        },
    )
    assert r.status_code == 302 and r["Location"] == f"{detail}?tab=affordable"
    d = AffordableDesignation.objects.get(institution=filed)
    assert d.decision_ref == "金东卫〔2023〕8号" and d.ends_on is None
    listing = hb.get(reverse("institutions:affordable")).content.decode()
    assert "普惠候选托育" in listing and "金东卫〔2023〕8号" in listing
    doc = hb.get(reverse("institutions:affordable_document", args=[d.pk]))
    assert doc.status_code == 200

    withdraw = reverse("institutions:affordable_withdraw", args=[d.pk])
    assert hb.get(withdraw).status_code == 200
    r = hb.post(
        withdraw,
        {"withdrawn_on": "2023-07-01", "withdrawal_ref": "撤1", "reason": "不再符合条件"},
    )
    assert r.status_code == 400 and r.context["form"].errors["withdrawn_on"]
    r = hb.post(
        withdraw,
        {"withdrawn_on": "2024-12-31", "withdrawal_ref": "撤1", "reason": "不再符合条件"},
    )
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.ends_on == D(2024, 12, 31) and d.withdrawal_ref == "撤1"
    tab = hb.get(detail, {"tab": "affordable"}).content.decode()
    assert "已撤销" in tab and "不再符合条件" in tab


def test_designate_errors_are_shown(hb, filed, make_institution):
    url = reverse("institutions:affordable_designate")
    base = {"starts_on": "2023-08-01", "decision_ref": "A", "decision_document": pdf_upload()}
    r = hb.post(url, {**base, "uscc": make_institution().uscc})
    assert r.status_code == 400
    assert "只有已备案" in r.context["form"].errors["uscc"][0]
    AffordableDesignationFactory(institution=filed, starts_on=D(2023, 6, 1), decision_ref="X")
    r = hb.post(url, {**base, "uscc": filed.uscc, "decision_document": pdf_upload()})
    assert r.status_code == 400
    assert "期间重叠" in r.context["form"].errors["starts_on"][0]
    r = hb.post(
        url,
        {
            **base,
            "uscc": filed.uscc,
            "decision_document": pdf_upload(),
            "starts_on": "2030-01-01",
            "ends_on": "2029-01-01",
        },
    )
    assert r.status_code == 400 and r.context["form"].errors["ends_on"]
    # The document is required on the form.
    r = hb.post(url, {"uscc": filed.uscc, "starts_on": "2031-01-01", "decision_ref": "B"})
    assert r.status_code == 400 and r.context["form"].errors["decision_document"]
    assert AffordableDesignation.objects.count() == 1


def test_list_filters(hb, filed, make_filed):
    other = make_filed(name="已到期托育", filed_on=D(2020, 1, 1))
    AffordableDesignationFactory(institution=filed, starts_on=D(2023, 8, 1), decision_ref="当前")
    AffordableDesignationFactory(
        institution=other, starts_on=D(2021, 1, 1), ends_on=D(2021, 12, 31), decision_ref="到期"
    )
    url = reverse("institutions:affordable")
    assert "当前" in hb.get(url).content.decode()
    assert "到期托育" not in hb.get(url).content.decode()
    assert "已到期托育" in hb.get(url, {"status": "ended"}).content.decode()
    both = hb.get(url, {"status": "all"}).content.decode()
    assert "已到期托育" in both and "普惠候选托育" in both
