"""[accounts-ux] point 9: names that come from data (departments, class types, policy
version titles) reach the English catalog: each is a gettext msgid listed by its app
(`accounts/data_texts.py`, `policy/data_texts.py`), and pages show them through gettext
(`Department.name_display`, `|data_text`)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.template import Context, Template
from django.utils import translation

from tuoyu import policy
from tuoyu.accounts.data_texts import DEPARTMENT_TEXTS
from tuoyu.accounts.models import Department
from tuoyu.policy.data_texts import POLICY_TEXTS

ACCOUNTS_DATA = Path(__file__).resolve().parents[2] / "src/tuoyu/accounts/data/departments.yaml"


def test_every_department_text_is_listed():
    rows = yaml.safe_load(ACCOUNTS_DATA.read_text(encoding="utf-8"))
    texts = {row[k] for row in rows for k in ("name", "full_name", "duties") if row.get(k)}
    assert texts - set(DEPARTMENT_TEXTS) == set()


def test_every_class_name_and_version_title_is_listed():
    names = {standard.name_zh for _key, standard in policy.at().classes.items()}
    titles = {v.title for v in policy.versions()}
    assert (names | titles) - set(POLICY_TEXTS) == set()


@pytest.fixture
def english(monkeypatch):
    """A catalog that knows one data text: what the lead's English catalog will do."""
    import django.utils.translation as tr

    real = tr.gettext

    def fake(text):
        return {"区卫健局": "District Health Commission", "托小班": "Younger toddler class"}.get(
            text, real(text)
        )

    monkeypatch.setattr("tuoyu.accounts.models.gettext", fake)
    monkeypatch.setattr("tuoyu.web.templatetags.data_text.gettext", fake)
    with translation.override("en"):
        yield


def test_department_names_and_data_texts_go_through_gettext(english):
    department = Department(code="health", name="区卫健局")
    assert department.name_display == "District Health Commission"
    assert str(department) == "District Health Commission"
    html = Template("{% load data_text %}{{ n|data_text }}").render(Context({"n": "托小班"}))
    assert html == "Younger toddler class"
    assert (
        Template("{% load data_text %}{{ n|data_text }}").render(Context({"n": "自编"})) == "自编"
    )


def test_counted_units_take_a_plural(monkeypatch):
    """ "≥ 1 institution", "≥ 3 institutions": counted units go through ngettext with n."""
    from tuoyu.policy import selectors
    from tuoyu.policy.labels import label_for

    calls = []

    def fake(singular, plural, n):
        calls.append(n)
        return "%(n)s institution" if n == 1 else "%(n)s institutions"

    monkeypatch.setattr(selectors, "ngettext", fake)
    unit = label_for("targets.new_institutions_2020").unit
    with translation.override("en"):
        assert selectors._with_unit(1, unit) == "1 institution"
        assert selectors._with_unit(3, unit) == "3 institutions"
    assert calls == [1, 3]
    assert selectors._with_unit(3, unit) == "3 institutions"  # the fake, in any language


def test_the_static_500_page_speaks_both_languages():
    from tuoyu.web.errors import FALLBACK

    page = (Path(__file__).resolve().parents[2] / "src/tuoyu/web/templates/500.html").read_text()
    for html in (page, FALLBACK):
        assert "系统暂时出现错误" in html and "Something went wrong" in html
