"""P-HC-7: meal fees are ring-fenced and their accounts published monthly. An institution
serving meals records each month's income and food spending and publishes it; the account
appears on the institution's page; a month not published by the deadline (decision: the
10th of the next month, policy data health.meal_account_publish_by_day) shows as overdue, also to 区卫健局."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tuoyu.audit.models import AuditEvent
from tuoyu.children.models import MealFeeAccount
from tuoyu.children.services.meals import publish_deadline

pytestmark = pytest.mark.django_db

URL = "/children/meals/"


@pytest.fixture
def canteen(nursery):
    nursery.serves_meals = True
    nursery.filed_on = dt.date(2026, 6, 15)
    nursery.save(update_fields=["serves_meals", "filed_on"])
    return nursery


def test_deadline_is_the_decided_day_of_next_month():
    assert publish_deadline(dt.date(2026, 12, 1)) == dt.date(2027, 1, 10)
    assert publish_deadline(dt.date(2026, 2, 1)) == dt.date(2026, 3, 10)


@time_machine.travel(dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC), tick=False)
def test_record_publish_and_overdue(client, canteen, nursery_user, health_user):
    client.force_login(nursery_user)
    # November is due by 10 December: pending, not overdue; October overdue until published
    html = client.get(URL).content.decode()
    assert 'data-month="2026-11" data-status="pending"' in html
    assert 'data-month="2026-10" data-status="overdue"' in html
    assert 'data-month="2026-05"' not in html  # before the filing
    r = client.post(
        URL,
        {"month": "2026-10", "income_yuan": "36000", "food_spending_yuan": "35100", "do": "save"},
    )
    assert r.status_code == 302
    assert 'data-month="2026-10" data-status="overdue"' in client.get(URL).content.decode()
    client.post(
        URL,
        {
            "month": "2026-10",
            "income_yuan": "36000",
            "food_spending_yuan": "35200",
            "do": "publish",
        },
    )
    account = MealFeeAccount.objects.get()
    assert account.published_at and account.food_spending_yuan == 35200
    assert 'data-month="2026-10" data-status="published"' in client.get(URL).content.decode()
    # published: no more changes, the error next to the month, input kept
    r = client.post(
        URL,
        {"month": "2026-10", "income_yuan": "1", "food_spending_yuan": "1", "do": "save"},
    )
    assert r.status_code == 400 and "已公示，不能再修改" in r.content.decode()
    assert 'value="2026-10"' in r.content.decode()
    assert AuditEvent.objects.filter(action="children.meal_fee_account.published").count() == 1
    # 区卫健局: the overview names the institution with its overdue months (not October)
    client.force_login(health_user)
    html = client.get(URL).content.decode()
    row = html.split(f'data-institution="{canteen.pk}"', 1)[1].split("</tr>")[0]
    assert "2026-09" in row and "2026-10" not in row and "2026-11" not in row
    # and the published account on the institution's page
    tab = client.get(f"/institutions/{canteen.pk}/", {"tab": "meals"}).content.decode()
    assert 'data-month="2026-10" data-status="published"' in tab and "35200" in tab


@time_machine.travel(dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC), tick=False)
def test_drafts_are_the_institutions_own(client, canteen, nursery_user, health_user):
    client.force_login(nursery_user)
    client.post(
        URL,
        {"month": "2026-11", "income_yuan": "100", "food_spending_yuan": "90", "do": "save"},
    )
    client.force_login(health_user)
    tab = client.get(f"/institutions/{canteen.pk}/", {"tab": "meals"}).content.decode()
    assert 'data-month="2026-11" data-status="pending"' in tab and ">100<" not in tab


@time_machine.travel(dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC), tick=False)
def test_bad_input_and_no_meals(client, nursery, canteen, nursery_user):
    client.force_login(nursery_user)
    r = client.post(
        URL, {"month": "2027-01", "income_yuan": "5", "food_spending_yuan": "x", "do": "save"}
    )
    assert r.status_code == 400 and MealFeeAccount.objects.count() == 0
    r = client.post(
        URL, {"month": "2027-01", "income_yuan": "5", "food_spending_yuan": "4", "do": "save"}
    )
    assert "尚未开始" in r.content.decode()
    canteen.serves_meals = False
    canteen.save(update_fields=["serves_meals"])
    html = client.get(URL).content.decode()
    assert 'data-testid="no-meals"' in html
