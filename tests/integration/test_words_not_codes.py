"""[accounts-ux] point 5, "words, not codes": no page a demo role can reach shows a
catalogued error code, an audit action name or an English enum value in its text.

The crawl logs in as every demo role of API-CONTRACT §7 (and one institution, and the
public), follows every same-site link it finds from the home page (a few samples of each
URL shape), and reads the text a person sees: attributes (`data-code`, `value`, `href`) are
machine-readable and allowed, and so is `<code>` on the API documentation pages. The
English UI (language en) is not crawled: there the enum words are the language.
"""

from __future__ import annotations

import html
import io
import re
from collections import Counter, deque
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.core.management import call_command

from tuoyu.core.catalogue import all_audit_actions, all_error_codes

DEMO_PASSWORD = "demo-pass-2020"
ROLES = [
    None,  # the public
    "weijian",
    "jiaoti",
    "minzheng",
    "shiyedengji",
    "shichang",
    "caizheng",
    "xiaofang",
    "duohu",
    "jg01",
]
SKIP = re.compile(
    r"^/(static/|media/|api/|admin/|i18n/|logout|__|jobs/runs/\d)|"
    r"/(download|preview|receipt\.pdf|export|letter|template)|\.(pdf|xlsx|csv|zip|json|png)$"
)
SAMPLES_PER_SHAPE = 2
MAX_PAGES_PER_ROLE = 160
# A word, not a part of a path, an address or an identifier ("/api/v1" is an address, not
# the enum "api"; a draw's seed "1-market_regulation-2026-04" is an identifier).
TOKEN = re.compile(r"(?<![\w/.-])[A-Za-z_][A-Za-z0-9_.]*[A-Za-z0-9_](?![\w/-])")


def forbidden_words() -> set[str]:
    """Every catalogued error code and audit action, and every English value of a model
    field's choices (the stored word, e.g. `awaiting_decision`, `market_regulation`)."""
    words = set(all_error_codes()) | set(all_audit_actions())
    for model in apps.get_models():
        if not model.__module__.startswith("tuoyu."):
            continue
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or []:
                if isinstance(value, str) and re.fullmatch(r"[a-z][a-z_.]*", value):
                    words.add(value)
    return words


class _Text(HTMLParser):
    """The text a person reads: no attributes, no script or style, not what a
    `data-technical` element holds (the raw push behind 技术详情, shown to 区卫健局 on
    purpose), no `<code>` when `allow_code` (API documentation)."""

    SKIPPED = {"script", "style", "template"}

    def __init__(self, *, allow_code: bool):
        super().__init__(convert_charrefs=True)
        self.allow_code = allow_code
        self.depth = 0
        self.stack: list[str] = []
        self.parts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)
        if self.depth:
            self.stack.append(tag)
            self.depth += 1
        elif (
            tag in self.SKIPPED
            or (self.allow_code and tag == "code")
            or any(name == "data-technical" for name, _value in attrs)
        ):
            self.stack.append(tag)
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth and self.stack and self.stack[-1] == tag:
            self.stack.pop()
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def _shape(url: str) -> str:
    """One shape for `/institutions/17/?tab=history` and `/institutions/18/?tab=history`,
    another for each tab: numbers and credit codes are what varies between samples."""
    return re.sub(r"[0-9A-HJ-NP-RTUWXY]{18}|\d+", "#", url)


def _crawl(client, forbidden: set[str]) -> tuple[dict[str, set[str]], list[str]]:
    """{url: forbidden words in its text} over the pages reachable from /, and the pages
    read."""
    found: dict[str, set[str]] = {}
    seen: set[str] = set()
    shapes: Counter = Counter()
    queue = deque(["/"])
    pages: list[str] = []
    while queue and len(pages) < MAX_PAGES_PER_ROLE:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        pages.append(url)
        parser = _Text(allow_code=url.startswith("/api/"))
        parser.feed(response.content.decode())
        text = html.unescape(" ".join(parser.parts))
        bad = {
            f"{m.group()} «{text[max(0, m.start() - 20) : m.end() + 10].strip()}»"
            for m in TOKEN.finditer(text)
            if m.group() in forbidden
        }
        if bad:
            found[url] = bad
        for href in parser.links:
            href = html.unescape(href).split("#")[0]
            if not href.startswith("/") or href.startswith("//") or SKIP.search(href):
                continue
            shape = _shape(href)
            if href not in seen and shapes[shape] < SAMPLES_PER_SHAPE:
                shapes[shape] += 1
                queue.append(href)
    return found, pages


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed", "--scale", "district", "--seed", "1", "--quiet", stdout=io.StringIO())
        yield
        call_command("flush", "--noinput", verbosity=0)


def test_forbidden_words_cover_codes_and_enums(db):
    """The list the crawl looks for is built from the catalogues and the model choices."""
    words = forbidden_words()
    assert {"fact_missing", "awaiting_decision", "market_regulation"} <= words
    assert "accounts.session.login" in words or any(w.startswith("accounts.") for w in words)


def test_the_text_reader_ignores_attributes_and_api_code():
    parser = _Text(allow_code=True)
    parser.feed('<p data-code="fact_missing">缺少 <code>fact_missing</code></p><script>x</script>')
    assert "fact_missing" not in " ".join(parser.parts)
    parser = _Text(allow_code=False)
    parser.feed("<p>缺少 <code>fact_missing</code></p>")
    assert "fact_missing" in " ".join(parser.parts)
    parser = _Text(allow_code=False)
    parser.feed('<details data-technical><pre><b>"draft"</b></pre></details><p>approved</p>')
    assert " ".join(parser.parts).split() == ["approved"]


@pytest.mark.django_db
@pytest.mark.parametrize("username", ROLES, ids=lambda u: u or "public")
def test_no_page_of_a_demo_role_shows_codes_or_enum_words(client, demo, username):
    """[accounts-ux] 5: pages show Chinese words; codes stay in attributes and the API."""
    if username:
        response = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302
    found, pages = _crawl(client, forbidden_words())
    assert len(pages) >= (3 if username is None else 10), pages
    if username == "weijian":  # the pages the issue found codes on were read
        assert {"/audit/", "/policy/", "/accounts/leading-group/"} <= set(pages), pages
        assert any(re.fullmatch(r"/institutions/registrations/\d+/", p) for p in pages)
        assert any("tab=registrations" in p for p in pages), pages
    assert not found, "\n".join(f"{url}: {sorted(words)}" for url, words in found.items())


@pytest.mark.django_db
def test_every_key_the_demo_audit_log_records_has_a_label(demo):
    """The audit page names every key of `changes` and `detail` in words (no "township_code",
    no "status"): a key nobody labelled would show as "其他"."""
    from tuoyu.audit.models import AuditEvent
    from tuoyu.audit.presentation import field_label

    unlabelled = {
        (e.object_type, key)
        for e in AuditEvent.objects.all().iterator()
        for key in [*e.changes, *e.detail]
        if field_label(e.object_type, key) is None
    }
    assert not unlabelled, sorted(unlabelled)
