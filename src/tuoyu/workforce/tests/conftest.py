"""Fixtures of the workforce tests: a filed institution with its account, and `add_staff`,
which enters a person through the service as the form does."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import id_number_for


@pytest.fixture
def filed(make_filed):
    """A filed institution in 多湖街道 with one 托小班 of 15 (P-STD-1: 1:5 → 3 caregivers)."""
    return make_filed(classes=(("toddler_small", 15),), name="多湖小橡树托育有限公司")


@pytest.fixture
def filed_user(make_user, filed):
    return make_user("xiaoxiangshu", institution=filed)


@pytest.fixture
def add_staff():
    """`add_staff(user, institution, n, **fields)`: the n-th test person added by form."""
    from tuoyu.workforce.services import CertificateInput, staff_add

    def add(user, institution, n=1, *, channel="form", certificates=None, **fields):
        data = {
            "name": f"员工{n}",
            "id_number": id_number_for(n),
            "role": "caregiver",
            "hired_on": dt.date(2024, 2, 1),
            **fields,
        }
        data["certificates"] = [
            CertificateInput(**c) if isinstance(c, dict) else c for c in (certificates or [])
        ]
        return staff_add(acting_user=user, institution=institution, data=data, channel=channel)

    return add


@pytest.fixture
def second_health_user(make_user):
    """Another 区卫健局 officer: the second pair of eyes of a ban (P-SUP-6)."""
    return make_user("weijian2", department="health")
