"""P-NAT-3 in-care health management rates (any follow-up; systematic 4-2-2) and P-TGT-12
enrolment rate per township, with numerator, denominator and the children behind them."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import ChildFactory, ExaminationFactory, RegionYearStatisticFactory
from tuoyu.children import rates
from tuoyu.core import clock

pytestmark = pytest.mark.django_db

YEAR = clock.today().year


def test_health_management_rates(health_user, large_class):
    born = dt.date(YEAR - 2, 1, 15)  # 1–3 years old all year: 2 examinations expected
    a = ChildFactory(care_class=large_class, birth_date=born, enrolled_on=dt.date(YEAR - 1, 3, 1))
    b = ChildFactory(care_class=large_class, birth_date=born, enrolled_on=dt.date(YEAR - 1, 3, 1))
    ChildFactory(care_class=large_class, birth_date=born, enrolled_on=dt.date(YEAR - 1, 3, 1))
    ChildFactory(  # left before the year: not in the denominator
        care_class=large_class,
        birth_date=born,
        enrolled_on=dt.date(YEAR - 1, 3, 1),
        status="withdrawn",
        left_on=dt.date(YEAR - 1, 12, 1),
    )
    ExaminationFactory(child=a, examined_on=dt.date(YEAR, 1, 10))
    ExaminationFactory(child=b, examined_on=dt.date(YEAR, 1, 10))
    ExaminationFactory(child=b, examined_on=dt.date(YEAR, 1, 20))
    anyf, syst, definition = rates.health_management_rates(
        acting_user=health_user, year=YEAR, with_children=True
    )
    assert (anyf.numerator, anyf.denominator) == (2, 3)
    assert (syst.numerator, syst.denominator) == (1, 3)
    assert definition == "any_followup"
    assert {c.pk for c, ok in syst.children if ok} == {b.pk}


def test_enrolment_rate_per_township(health_user, township_user, district, large_class):
    for _ in range(3):
        ChildFactory(care_class=large_class)
    RegionYearStatisticFactory(
        region=district["duohu"],
        year=YEAR - 1,
        children_age_0=100,
        children_age_1=100,
        children_age_2=100,
    )
    rows = {
        r.township.code: r for r in rates.enrolment_rates(acting_user=health_user, on=clock.today())
    }
    duohu = rows[district["duohu"].code]
    assert (duohu.rate.numerator, duohu.rate.denominator) == (3, 300)
    assert duohu.rate.value == pytest.approx(0.01)
    assert rows[district["dongxiao"].code].rate.value is None
    # a township sees only itself
    own = rates.enrolment_rates(acting_user=township_user, on=clock.today())
    assert [r.township.code for r in own] == [district["duohu"].code]


def test_rates_page(client, health_user, market_user, large_class):
    ChildFactory(care_class=large_class)
    client.force_login(health_user)
    r = client.get("/children/rates/")
    assert r.status_code == 200 and 'data-testid="hm-children"' in r.content.decode()
    client.force_login(market_user)
    assert client.get("/children/rates/").status_code == 403
