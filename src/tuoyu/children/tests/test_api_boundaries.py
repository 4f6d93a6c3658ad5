"""[hardening] point 6 for the children operations: extreme values never crash (no 500)
and never store anything."""

from __future__ import annotations

import pytest

from tests.factories import ChildFactory
from tuoyu.children.models import Child, HealthCheck
from tuoyu.children.tests.conftest import post

pytestmark = pytest.mark.django_db

EXTREMES = [
    10**20,
    -(10**20),
    2**63,
    1e30,
    -1e30,
    0,
    -1,
    "",
    "x" * 10_000,
    "9999-12-31",
    "0001-01-01",
    "NaN",
    None,
    True,
    [],
    {},
]


def test_health_checks_extremes(nursery, nursery_api, small_class):
    nursery_api.raise_request_exception = False
    child = ChildFactory(care_class=small_class)
    base = {
        "record_id": "b1",
        "child_id": child.pk,
        "date": "2024-05-06",
        "session": "morning",
        "attendance": "present",
        "temperature_c": 36.6,
        "symptoms": [],
        "action": "none",
    }
    url = f"/api/v1/institutions/{nursery.uscc}/health-checks"
    for name in base:
        for extreme in EXTREMES:
            r = post(nursery_api, url, {"records": [{**base, name: extreme}]})
            assert r.status_code < 500, (name, extreme, r.content[:200])
    assert HealthCheck.objects.filter(date__year__gt=2100).count() == 0


def test_children_extremes(nursery, nursery_api, small_class):
    nursery_api.raise_request_exception = False
    base = {
        "name": "王小明",
        "gender": "male",
        "birth_date": "2024-01-01",
        "class_id": small_class.pk,
        "enrolled_on": "2025-01-01",
        "guardian": {"name": "王建国", "phone": "13812345678"},
    }
    url = f"/api/v1/institutions/{nursery.uscc}/children"
    for name in base:
        for extreme in EXTREMES:
            r = post(nursery_api, url, {**base, name: extreme})
            assert r.status_code < 500, (name, extreme, r.content[:200])
    for extreme in (10**20, 2**63, 0, -1):
        r = post(nursery_api, f"{url}/{extreme}/withdrawal", {"left_on": "2025-01-01"})
        assert r.status_code < 500
        r = post(nursery_api, f"{url}/1/class-move", {"class_id": extreme, "on": "2025-01-01"})
        assert r.status_code < 500
    assert not Child.objects.filter(birth_date__year__gt=2100).exists()
