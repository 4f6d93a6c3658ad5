"""English is available: the shell pages switch language, and the committed catalogs are
complete, compiled and in step with the source.

msgids are the Chinese UI strings; zh-hans needs no catalog. Regenerate a catalog with
`cd src/tuoyu/<app> && python -P -m tuoyu makemessages -l en --no-obsolete --no-location`
and compile it with `compilemessages -l en` from the same directory.
"""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

SRC = Path(__file__).resolve().parents[2]
# Every app has an English catalog (core's holds the shared error messages): every package
# of src/tuoyu with an AppConfig, so a new app is checked from its first commit.
CATALOG_APPS = sorted(p.parent.name for p in SRC.glob("*/apps.py"))
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def po_path(app: str) -> Path:
    return SRC / app / "locale" / "en" / "LC_MESSAGES" / "django.po"


def parse_po(path: Path) -> list[dict]:
    """A minimal .po reader: msgid, msgid_plural, msgstr / msgstr[n] and #, flags."""
    entries: list[dict] = []
    entry: dict = {}
    key = None

    def flush():
        nonlocal entry
        if "msgid" in entry:
            entries.append(entry)
        entry = {}

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            flush()
            key = None
        elif line.startswith("#,"):
            flush()
            entry["flags"] = {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, literal = line.partition(" ")
            if key == "msgid" and "msgid" in entry:
                flush()
            entry[key] = ast.literal_eval(literal)
    flush()
    return entries


def catalog(app: str) -> list[dict]:
    return [e for e in parse_po(po_path(app)) if e["msgid"]]  # skip the header


# ---- the pages ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_page_is_chinese_by_default(client):
    html = client.get("/login/").content.decode()
    assert 'lang="zh-hans"' in html
    assert "用户登录" in html
    assert "Log in" not in html


@pytest.mark.django_db
def test_login_page_in_english_from_cookie(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/login/").content.decode()
    assert 'lang="en"' in html
    for text in ("User login", "Username", "Password", "Log in"):
        assert text in html
    assert "用户登录" not in html
    assert "密码" not in html


@pytest.mark.django_db
def test_login_page_in_english_from_accept_language(client):
    html = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert 'lang="en"' in html
    assert "Username" in html


@pytest.mark.django_db
def test_set_language_switches_to_english_and_back(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'lang="en"' in html and "User login" in html

    response = client.post(
        "/i18n/setlang/", {"language": "zh-hans", "next": "/login/"}, follow=True
    )
    assert "用户登录" in response.content.decode()


@pytest.mark.django_db
def test_home_page_shell_in_english(client, make_user):
    client.force_login(make_user("weijian", department="health"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/").content.decode()
    assert 'lang="en"' in html
    for text in ("Welcome,", "Log out", "What you can do", "Audit log", "API tokens"):
        assert text in html
    for text in ("退出登录", "您可以办理的事项", "审计日志"):
        assert text not in html


# ---- the catalogs ------------------------------------------------------------------------


@pytest.mark.parametrize("app", CATALOG_APPS)
def test_catalog_is_complete(app):
    entries = catalog(app)
    assert entries, f"{app}: empty catalog"
    for e in entries:
        assert "fuzzy" not in e.get("flags", set()), f"{app}: fuzzy {e['msgid']!r}"
        translations = [v for k, v in e.items() if k.startswith("msgstr")]
        assert len(translations) == (2 if "msgid_plural" in e else 1), e["msgid"]
        for text in translations:
            assert text.strip(), f"{app}: untranslated {e['msgid']!r}"
            assert re.search(r"[\u4e00-\u9fff]", text) is None, f"{app}: Chinese left in {text!r}"
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(e["msgid"])), (
                f"{app}: placeholders differ in {e['msgid']!r} -> {text!r}"
            )


@pytest.mark.parametrize("app", CATALOG_APPS)
def test_compiled_catalog_matches_po(app):
    mo = po_path(app).with_suffix(".mo")
    assert mo.exists(), f"{app}: run compilemessages"
    with mo.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for e in catalog(app):
        if "msgid_plural" in e:
            assert compiled.ngettext(e["msgid"], e["msgid_plural"], 1) == e["msgstr[0]"], app
            assert compiled.ngettext(e["msgid"], e["msgid_plural"], 2) == e["msgstr[1]"], app
        else:
            assert compiled.gettext(e["msgid"]) == e["msgstr"], (
                f"{app}: stale .mo for {e['msgid']!r}"
            )


TRANSLATE_TAG = re.compile(r"""\{%\s*translate\s+(["'])(.+?)\1""")
PY_GETTEXT = re.compile(r"""\b(?:_|gettext|gettext_lazy)\(\s*"([^"\\]+)"\s*[,)]""")


@pytest.mark.parametrize("app", CATALOG_APPS)
def test_catalog_covers_the_source(app):
    """A new {% translate "…" %} or _("…") without re-running makemessages fails here."""
    msgids = {e["msgid"] for e in catalog(app)}
    found: set[str] = set()
    for path in (SRC / app).rglob("*"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        if path.suffix == ".html":
            found |= {m[1] for m in TRANSLATE_TAG.findall(path.read_text(encoding="utf-8"))}
        elif path.suffix == ".py":
            found |= set(PY_GETTEXT.findall(path.read_text(encoding="utf-8")))
    assert found, app
    assert not found - msgids, f"{app}: not in the catalog: {sorted(found - msgids)}"
