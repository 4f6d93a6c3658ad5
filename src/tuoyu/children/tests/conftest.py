"""Fixtures of the children tests: a filed nursery in 多湖街道 with a 托小班 of 3 places
(so that `class_full` is reachable) and a 托大班, its account and API client."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone


@pytest.fixture
def nursery(make_filed):
    return make_filed(classes=(("toddler_small", 3), ("toddler_large", 20)))


@pytest.fixture
def small_class(nursery):
    return nursery.classes.get(class_type="toddler_small")


@pytest.fixture
def large_class(nursery):
    return nursery.classes.get(class_type="toddler_large")


@pytest.fixture
def nursery_user(make_user, nursery):
    return make_user("yuanzhang", institution=nursery)


@pytest.fixture
def nursery_api(api_client, nursery_user):
    return api_client(nursery_user)


@pytest.fixture
def today():
    return timezone.localdate()


def months_ago(months: int, today: dt.date | None = None) -> dt.date:
    """A birth date exactly `months` completed months before today."""
    today = today or timezone.localdate()
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return dt.date(year, month + 1, min(today.day, 28))


def post(client, path: str, body: dict):
    return client.post(path, body, content_type="application/json")


@pytest.fixture
def other_institution_user(make_filed, make_user):
    """Another nursery in the same township (多湖街道)."""
    return make_user("qita", institution=make_filed(name="另一家托育有限公司"))


@pytest.fixture
def other_township_user(make_user):
    return make_user("dongxiao", township="dongxiao")
