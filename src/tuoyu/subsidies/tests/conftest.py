"""Fixtures of the claims and ledger tests: a filed institution and its account."""

from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture
def filed_institution(make_filed):
    return make_filed(filed_on=dt.date(2024, 1, 10), name="金东区阳光托育有限公司")


@pytest.fixture
def filed_user(make_user, filed_institution):
    return make_user("jg-sun", institution=filed_institution)
