"""[accounts-ux] #9 point 3: the filing application never loses what was typed.

The editor was one form per section, each posted to its own endpoint: filling 基本信息 and
then pressing 保存人员配备 sent the staff fields only — basic info came back empty under
"已保存。" — and after a refused value the address bar showed the POST endpoint, which
answered 405 when reopened. Now the whole page is one form posted to its own address:
every button saves every section as a draft (a refused section is shown again with what was
typed and its errors, the others are saved)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tuoyu.filings import checks
from tuoyu.filings.models import FilingApplication
from tuoyu.filings.tests.conftest import BASIC

pytestmark = pytest.mark.django_db

STAFF_TYPED = {f"staff-{role}-count": "1" for role in checks.STAFF_ROLE_NAMES} | {
    f"staff-{role}-certified": "1" for role in checks.STAFF_ROLE_NAMES
}


class Forms(HTMLParser):
    """The page's forms: action, method, the names of their fields and their buttons."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.current: dict | None = None
        self.button: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.current = {
                "action": a.get("action"),
                "method": (a.get("method") or "get").lower(),
                "fields": set(),
                "buttons": [],
            }
            self.forms.append(self.current)
        elif self.current is not None and tag in ("input", "select", "textarea") and a.get("name"):
            self.current["fields"].add(a["name"])
        elif self.current is not None and tag == "button":
            self.button = {"name": a.get("name"), "value": a.get("value"), "text": ""}
            self.current["buttons"].append(self.button)

    def handle_data(self, data):
        if self.button is not None:
            self.button["text"] += data.strip()

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "button":
            self.button = None


def forms_of(html: str) -> list[dict]:
    parser = Forms()
    parser.feed(html)
    return parser.forms


def form_with_button(html: str, text: str) -> tuple[dict, dict]:
    for form in forms_of(html):
        for button in form["buttons"]:
            if button["text"] == text:
                return form, button
    raise AssertionError(f"no button {text}")


@pytest.fixture
def draft(client, institution_user, institution):
    client.force_login(institution_user)
    assert client.post(reverse("filings:start"), {"kind": "initial"}).status_code == 302
    return FilingApplication.objects.get()


def test_saving_the_staff_keeps_the_basic_facts_just_typed(client, draft):
    """The issue's example: fill 基本信息, press 保存人员配备 → basic info is still there."""
    edit = reverse("filings:edit", args=[draft.pk])
    form, button = form_with_button(client.get(edit).content.decode(), "保存人员配备")
    # the staff button sends the basic facts too, to the page's own address
    assert form["action"] == edit and form["method"] == "post"
    assert {"legal_representative", "address", "staff-caregiver-count"} <= form["fields"]

    r = client.post(edit, {**BASIC, **STAFF_TYPED, button["name"]: button["value"]})

    assert r.status_code == 302 and r["Location"] == f"{edit}#staff"
    draft.refresh_from_db()
    assert draft.facts["basic"]["legal_representative"] == "王某"
    assert draft.facts["basic"]["address"] == BASIC["address"]
    assert draft.facts["staff"]["caregiver"] == {"count": 1, "certified": 1}
    page = client.get(edit).content.decode()
    assert 'value="王某"' in page and f'value="{BASIC["address"]}"' in page
    assert "已保存。" in page


def test_every_section_is_saved_in_any_order(client, draft):
    edit = reverse("filings:edit", args=[draft.pk])
    standards = {"std-head_experience_years": "5", "std-head_post_training": "on"}
    for action in ("save:standards", "save:staff", "save:basic"):
        r = client.post(edit, {**BASIC, **STAFF_TYPED, **standards, "action": action})
        assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.facts["basic"]["opening_hours"] == BASIC["opening_hours"]
    assert draft.facts["staff"]["principal"]["count"] == 1
    assert draft.facts["standards"]["head_experience_years"] == 5
    assert draft.facts["standards"]["head_post_training"] is True


def test_a_refused_value_stays_on_the_page_at_its_own_address(client, draft):
    """A draft with an invalid value: shown again as typed with its error, at the page's
    URL (a GET of which is 200, never 405); the valid sections are saved."""
    edit = reverse("filings:edit", args=[draft.pk])
    typed = {**BASIC, "latitude": "99.5", "address": "光明路88号（刚输入）"}

    r = client.post(edit, {**typed, **STAFF_TYPED, "action": "save:staff"})

    assert r.status_code == 422
    assert r.wsgi_request.path == edit
    body = r.content.decode()
    assert 'value="99.5"' in body and 'value="光明路88号（刚输入）"' in body
    assert 'data-code="coordinates_invalid"' in body
    assert 'id="f-latitude" name="latitude"' in body.replace("is-invalid", "")
    assert "is-invalid" in body
    draft.refresh_from_db()
    assert draft.facts["staff"]["caregiver"]["count"] == 1  # the valid section saved
    assert draft.facts["basic"].get("address") != "光明路88号（刚输入）"  # the refused one not
    assert client.get(edit).status_code == 200


def test_a_refused_staff_count_keeps_the_typed_basic_facts_and_the_count(client, draft):
    edit = reverse("filings:edit", args=[draft.pk])
    staff = {**STAFF_TYPED, "staff-cook-count": "1", "staff-cook-certified": "3"}

    r = client.post(edit, {**BASIC, **staff, "action": "save:basic"})

    assert r.status_code == 422
    body = r.content.decode()
    assert 'data-code="certified_exceeds_count"' in body
    assert 'name="staff-cook-certified" aria-label="炊事人员持证人数" value="3"' in body
    draft.refresh_from_db()
    assert draft.facts["basic"]["legal_representative"] == "王某"  # saved all the same


def test_a_refused_class_keeps_the_class_typed_and_the_other_sections(client, draft):
    edit = reverse("filings:edit", args=[draft.pk])
    r = client.post(
        edit,
        {
            **BASIC,
            "legal_representative": "李某",
            "action": "class_add",
            "class-name": "乳儿一班",
            "class-class_type": "infant",
            "class-capacity": "12",
        },
    )
    assert r.status_code == 422
    body = r.content.decode()
    assert 'data-code="class_size_exceeds_standard"' in body
    assert 'value="乳儿一班"' in body and 'value="12"' in body
    assert '<option value="infant" selected>' in body
    assert 'value="李某"' in body
    assert r.wsgi_request.path == edit


def test_a_refused_submission_stays_at_the_pages_address(client, draft):
    edit = reverse("filings:edit", args=[draft.pk])
    r = client.post(edit, {**BASIC, "action": "submit", "commitment_accepted": "on"})
    assert r.status_code == 422
    assert 'data-code="staff_missing"' in r.content.decode()
    assert 'id="commitment" name="commitment_accepted" checked' in r.content.decode()
    assert client.get(edit).status_code == 200


def test_every_form_of_the_editor_posts_to_its_own_address(client, draft):
    """No button of the page posts elsewhere (each did: /basic/, /staff/, /classes/ …,
    whose address then answered 405), and the form arms the leave-page warning."""
    edit = reverse("filings:edit", args=[draft.pk])
    html = client.get(edit).content.decode()
    posting = [
        f
        for f in forms_of(html)
        if f["method"] == "post" and f["action"] not in ("/logout/", "/i18n/setlang/")
    ]
    assert posting and all(f["action"] == edit for f in posting), posting
    assert "data-unsaved-warning=" in html
    for old in ("basic", "staff", "standards", "classes", "materials", "submit"):
        assert client.get(f"/filings/applications/{draft.pk}/{old}/").status_code == 404


def test_another_institution_cannot_post_to_the_editor(client, draft, make_institution, make_user):
    other = make_user("jigou-other", institution=make_institution(name="别家托育"))
    client.force_login(other)
    r = client.post(
        reverse("filings:edit", args=[draft.pk]),
        {**BASIC, "legal_representative": "赵某", "action": "save:basic"},
    )
    assert r.status_code == 404
    draft.refresh_from_db()
    assert draft.facts["basic"].get("legal_representative") != "赵某"
