"""The user guide stays true ([accounts-ux] point 11): every image a guide page shows is one
the screenshot script takes (and is there), every shot is shown by a page, and every page
the guide shows or names answers 200 to its role on the demo data. Nothing is written
into docs/ (`make guide` regenerates the images)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from tests.e2e.guide_shots import DEMO_PASSWORD, GUIDE_DIR, IMAGE_DIR, SHOTS, role_of

IMAGE = re.compile(r"!\[[^\]]*\]\(img/([\w-]+)\.png\)")
# A page the guide names in text: `/filings/queue/` (in back-quotes, beginning with /).
NAMED_PAGE = re.compile(r"`(/[\w/?=&.-]*)`")
ROLE_OF_PAGE = {
    "health.md": "weijian",
    "reviewers.md": "xiaofang",
    "township.md": "duohu",
    "institution.md": "@institution",
    "public.md": None,
    "subsidies.md": "caizheng",
}
PAGES = sorted(ROLE_OF_PAGE)
# Pages for people not yet signed in, whatever guide names them (a signed-in visit of the
# activation page goes home).
ANONYMOUS_PAGES = {"/activate/"}
# The reviewers' guide also covers the registration authorities (区市场监管局).
ROLE_OF_NAMED_PAGE = {
    "/institutions/registrations/": "shichang",
    # the subsidies guide covers the institution's claim and 区卫健局's titles too
    "/subsidies/claims/new/": "@institution",
    "/subsidies/titles/": "weijian",
}


def _read(name: str) -> str:
    return (GUIDE_DIR / name).read_text(encoding="utf-8")


def test_every_role_has_a_guide_page_linked_from_the_index():
    index = _read("README.md")
    for name in PAGES:
        assert (GUIDE_DIR / name).exists(), name
        assert f"({name})" in index, name


def test_every_image_is_taken_by_the_script_and_every_shot_is_shown():
    shown = {m for name in PAGES for m in IMAGE.findall(_read(name))}
    names = {s.name for s in SHOTS}
    assert shown - names == set(), "images no shot takes"
    assert names - shown == set(), "shots no page shows"
    missing = [n for n in names if not (IMAGE_DIR / f"{n}.png").exists()]
    assert not missing, f"run `make guide`: {missing}"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed", "--scale", "district", "--seed", "1", "--quiet", stdout=io.StringIO())
        yield
        call_command("flush", "--noinput", verbosity=0)


def _client_as(role):
    from django.test import Client

    from tests.e2e.guide_shots import INSTITUTION, institution_role

    client = Client()
    if role:
        username = institution_role() if role == INSTITUTION else role
        assert (
            client.post("/login/", {"username": username, "password": DEMO_PASSWORD}).status_code
            == 302
        )
    return client


@pytest.mark.django_db
def test_every_page_the_guide_shows_or_names_answers_200(demo):
    clients: dict = {}
    for shot in SHOTS:
        role = role_of(shot)
        client = clients.setdefault(role, _client_as(shot.role))
        url = shot.url()
        assert client.get(url).status_code == 200, (shot.name, url)
    anonymous = _client_as(None)
    for name in PAGES:
        client = _client_as(ROLE_OF_PAGE[name])
        for url in NAMED_PAGE.findall(_read(name)):
            if url in ANONYMOUS_PAGES:
                answer = anonymous.get(url)
            elif url in ROLE_OF_NAMED_PAGE:
                answer = _client_as(ROLE_OF_NAMED_PAGE[url]).get(url)
            else:
                answer = client.get(url)
            assert answer.status_code == 200, (name, url)
