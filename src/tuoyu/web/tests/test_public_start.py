"""[accounts-ux] points 7 and 9: `/` is the public start page for a visitor who is not logged
in (find an institution, verify a receipt, the published refusals, a discreet staff login),
the login page leads back to it, and the shell's English has English punctuation and a
language switch that names each language in itself."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

CJK_PUNCTUATION = re.compile("[：，。；、（）]")


def text_of(html: str) -> str:
    """What a person reads: the page without its tags and attributes."""
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.django_db
def test_anonymous_root_is_the_public_start_page(client, district):
    """Point 7: `/` answered 302 to the login page, which links to no public page."""
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="public-start"' in html
    # search institutions: a form onto the public listing with its `q`
    assert re.search(r'<form method="get" action="/public/institutions/"[^>]*>', html)
    assert 'name="q"' in html
    # [supervision] P-SUP-4/5: the public's complaint form, its status page and the
    # published blacklist and inspection draws are one click away
    for page in ("complaints/new/", "complaints/status/", "blacklist/", "plans/"):
        assert f'href="/supervision/public/{page}"' in html
    # verify a receipt: a form onto the filings verification page with its `number`
    assert re.search(r'<form method="get" action="/filings/verify/"[^>]*>', html)
    assert 'name="number"' in html
    assert 'href="/filings/public/rejections/"' in html
    assert 'href="/login/"' in html and "工作人员登录" in html
    assert 'data-testid="current-user"' not in html


def test_a_logged_in_user_still_gets_the_home(client, health_user):
    client.force_login(health_user)
    html = client.get("/").content.decode()
    assert 'data-testid="current-user"' in html and "您可以办理的事项" in html
    assert 'data-testid="public-start"' not in html


@pytest.mark.django_db
def test_start_page_forms_lead_to_the_listing_and_a_case_insensitive_verification(
    client, make_filed
):
    """What the two forms send: `?q=` finds the institution on the listing, and a filing
    number typed in lower case finds its receipt (TY…-0001 from ty…-0001)."""
    make_filed(name="阳光托育", filing_number="TY330703-2024-0001")
    listing = client.get("/public/institutions/", {"q": "阳光"})
    assert [i.name for i in listing.context["page"].results] == ["阳光托育"]

    verified = client.get("/filings/verify/", {"number": "ty330703-2024-0001"}, follow=True)
    assert verified.status_code == 200
    assert verified.context["result"]["institution"] == "阳光托育"
    assert verified.context["result"]["valid"] is True


@pytest.mark.django_db
def test_login_page_links_back_to_the_public_start(client):
    html = client.get("/login/").content.decode()
    assert re.search(r'<a href="/" data-testid="public-start-link"', html)


@pytest.mark.django_db
def test_public_listing_shows_the_public_contact_address(client, make_filed):
    """Point 7: the listing shows where to find each institution. Institutions carry no
    public phone (only the legal representative's is pushed, and that is personal data)."""
    make_filed(name="阳光托育", address="金东区多湖街道光南路 8 号", legal_representative="王五")
    html = client.get("/public/institutions/").content.decode()
    address = re.search(r'data-testid="public-address">(.*?)</div>', html, re.S)
    assert address and "金东区多湖街道光南路 8 号" in address.group(1)
    assert "地址：" in text_of(address.group(1))
    assert "王五" not in html


# ---- point 9: the language switch and punctuation ------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/login/"])
def test_language_switch_names_each_language_in_itself(client, path):
    """The switch read "英语" in Chinese (Django's Chinese name for English)."""
    html = client.get(path).content.decode()
    assert '<option value="en" lang="en">English</option>' in html
    assert "英语" not in html

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(path).content.decode()
    assert '<option value="zh-hans" lang="zh-hans">中文</option>' in html
    assert '<option value="en" lang="en" selected>English</option>' in html


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/login/", "/public/institutions/"])
def test_english_pages_have_no_chinese_punctuation(client, make_filed, path):
    """The public listing wrote "Monthly fee：3000 yuan", "Places 25：Infant class 10、…" and
    "DIR-2024-0001（2024-01-10）" in English."""
    make_filed(
        name="阳光托育",
        address="光南路 8 号",
        monthly_fee_yuan=3000,
        classes=[("infant", 10), ("toddler_small", 15)],
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(path)
    assert response.status_code == 200
    text = text_of(response.content.decode())
    assert 'lang="en"' in response.content.decode()
    # The names of classes in the age note come from the policy data (another part of
    # point 9); the punctuation between them is the page's.
    found = [line.strip() for line in text.splitlines() if CJK_PUNCTUATION.search(line)]
    assert found == []


@pytest.mark.django_db
def test_chinese_pages_keep_chinese_punctuation(client, make_filed):
    make_filed(name="阳光托育", monthly_fee_yuan=3000, classes=[("infant", 10)])
    text = text_of(client.get("/public/institutions/").content.decode())
    assert "月收费：3000 元" in text
    assert "托位 10：乳儿班 10" in text


@pytest.mark.django_db
def test_api_docs_have_a_phone_viewport_and_only_local_assets(client):
    """Point 8 (kept): the docs page is readable on a phone and names no other host."""
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert re.search(r'<link rel="icon" href="/static/[^"]+"', html)
    assert not re.search(r"""(?:src|href)=["'](?:https?:)?//""", html)
