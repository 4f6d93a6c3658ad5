"""[accounts-ux] point 9: Chinese names sort by pinyin on SQLite and PostgreSQL (阿福, 北斗,
乐育, 七色花, 亲亲), not by code point (七色花, 乐育, 亲亲 …); the directory and the chain
branch lists use it."""

from __future__ import annotations

import pytest

from tuoyu.core.pinyin import Pinyin, pinyin_key
from tuoyu.institutions.models import Institution
from tuoyu.institutions.selectors.directory import sort_keys

NAMES = ["七色花托育", "乐育托育", "亲亲托育", "阿福托育", "北斗托育", "Zeta 托育"]
BY_PINYIN = ["阿福托育", "北斗托育", "乐育托育", "七色花托育", "亲亲托育"]


def test_the_key_reads_pinyin():
    assert sorted(NAMES[:5], key=pinyin_key) == BY_PINYIN
    assert sorted(NAMES[:5]) != BY_PINYIN  # code point order differs: the test can fail


@pytest.mark.django_db
def test_the_database_orders_by_pinyin(make_institution):
    for name in NAMES[:5]:
        make_institution(name=name)
    ordered = list(Institution.objects.order_by(Pinyin("name")).values_list("name", flat=True))
    assert ordered == BY_PINYIN
    descending = Institution.objects.order_by(Pinyin("name").desc())
    assert list(descending.values_list("name", flat=True)) == BY_PINYIN[::-1]


@pytest.mark.django_db
def test_the_directory_sorts_names_by_pinyin(client, health_user, make_institution):
    for name in NAMES[:5]:
        make_institution(name=name)
    assert (
        list(Institution.objects.order_by(*sort_keys("name")).values_list("name", flat=True))
        == BY_PINYIN
    )
    client.force_login(health_user)
    html = client.get("/institutions/", {"sort": "name"}).content.decode()
    positions = [html.index(name) for name in BY_PINYIN]
    assert positions == sorted(positions)
