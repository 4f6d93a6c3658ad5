"""Who sees which claims (scopes.py; P-ORG-2): an institution only its own, 区卫健局 and
区财政局 all, a township only its area's (read only), any other department and an operator
none (404 on the page)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories.subsidies import ClaimFactory
from tuoyu.core.errors import NotFound
from tuoyu.subsidies.selectors.claims import claim_get, claims_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_claims(make_filed, district):
    mine = ClaimFactory(institution=make_filed(), number="BZ2024-000001")
    other = ClaimFactory(
        institution=make_filed(township=district["dongxiao"]), number="BZ2024-000002"
    )
    return mine, other


def _numbers(user):
    return sorted(c.number for c in claims_list(acting_user=user))


def test_institution_sees_only_its_own(two_claims, make_user):
    mine, other = two_claims
    user = make_user("jg-scope", institution=mine.institution)
    assert _numbers(user) == [mine.number]
    with pytest.raises(NotFound):
        claim_get(acting_user=user, pk=other.pk)


def test_health_and_finance_see_all(two_claims, health_user, finance_user):
    assert _numbers(health_user) == _numbers(finance_user) == ["BZ2024-000001", "BZ2024-000002"]


def test_township_sees_its_area_only(two_claims, township_user):
    mine, other = two_claims  # mine in 多湖街道 (the default), other in 东孝街道
    assert _numbers(township_user) == [mine.number]
    with pytest.raises(NotFound):
        claim_get(acting_user=township_user, pk=other.pk)


def test_other_department_and_operator_see_none(two_claims, make_user, system_user):
    market = make_user("sc-scope", department="market_regulation")
    assert _numbers(market) == [] and _numbers(system_user) == []


def test_claim_page_404_outside_scope(two_claims, client, make_user):
    mine, other = two_claims
    user = make_user("jg-page", institution=mine.institution)
    client.force_login(user)
    assert client.get(reverse("subsidies:claim_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("subsidies:claim_detail", args=[other.pk])).status_code == 404
    market = make_user("sc-page", department="market_regulation")
    client.force_login(market)
    assert client.get(reverse("subsidies:claim_detail", args=[mine.pk])).status_code == 404
