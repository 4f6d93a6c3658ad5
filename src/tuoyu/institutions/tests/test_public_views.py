"""The plain public page /public/institutions/ (no login, no personal data) and the way to
a receipt's verification page. The root urlconf mounts these pages at /public/ (namespace
"public"); the tests reach them by name."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import AffordableDesignationFactory


@pytest.fixture
def listed(make_filed, make_institution, district):
    a = make_filed(
        name="阳光托育",
        legal_representative="王五",
        monthly_fee_yuan=3000,
        classes=[("infant", 10)],
    )
    b = make_filed(name="东孝托育", township=district["dongxiao"], classes=[("toddler_large", 20)])
    make_institution(name="未备案托育")
    make_filed(name="注销托育", filing_status="cancelled")
    AffordableDesignationFactory(institution=b, starts_on=dt.date(2024, 1, 10), decision_ref="A")
    return a, b


def test_public_page_without_login(client, listed):
    url = reverse("public:institutions")
    assert url == "/public/institutions/"
    r = client.get(url)
    assert r.status_code == 200
    content = r.content.decode()
    assert "阳光托育" in content and "东孝托育" in content
    assert "未备案托育" not in content and "注销托育" not in content
    assert "王五" not in content  # never personal data
    assert "3000" in content and "乳儿班 10" in content
    assert reverse("public:verify") in content


def test_public_search_filters(client, listed):
    url = reverse("public:institutions")
    assert [i.name for i in client.get(url, {"q": "阳光"}).context["page"].results] == ["阳光托育"]
    r = client.get(url, {"township": "330703002"})
    assert [i.name for i in r.context["page"].results] == ["东孝托育"]
    assert '<option value="330703002" selected>东孝街道</option>' in r.content.decode()
    r = client.get(url, {"affordable": "true"})
    assert [i.name for i in r.context["page"].results] == ["东孝托育"]
    r = client.get(url, {"age_months": "8"})
    assert [i.name for i in r.context["page"].results] == ["阳光托育"]


def test_public_search_bad_values(client, listed):
    url = reverse("public:institutions")
    r = client.get(url, {"age_months": "abc"})
    assert r.status_code == 400 and 'data-testid="search-errors"' in r.content.decode()
    assert client.get(url, {"township": "123"}).status_code == 400
    assert client.get(url, {"page": "0"}).status_code == 400


def test_verify_form_leads_to_the_filing_verification_page(client, listed):
    a, _ = listed
    r = client.get(reverse("public:verify"), {"number": a.filing_number})
    assert r.status_code == 302
    assert r["Location"].startswith("/filings/verify/")
    assert a.filing_number in r["Location"]
    assert client.get(reverse("public:verify")).status_code == 200
    assert client.get(reverse("public:verify"), {"number": "<script>"}).status_code == 400
