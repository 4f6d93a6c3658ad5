"""P-ORG-1: the leading group is defined by positions; the successor takes the place."""

import datetime as dt

import pytest

from tuoyu.accounts.models import Position
from tuoyu.accounts.services import position_assign_holder, positions_load
from tuoyu.core.errors import DomainError


@pytest.fixture
def office_head(departments):
    positions_load()
    return Position.objects.get(title="办公室主任")


def test_successor_takes_the_place_and_duties_stay(office_head, make_user):
    weijian = make_user("weijian", department="health")
    duties = office_head.duties
    position_assign_holder(
        acting_user=weijian,
        position=office_head,
        holder_name="张三",
        started_on=dt.date(2021, 1, 1),
    )
    position_assign_holder(
        acting_user=weijian,
        position=office_head,
        holder_name="李四",
        started_on=dt.date(2023, 3, 1),
    )
    office_head.refresh_from_db()
    assert office_head.duties == duties
    assert office_head.current_holding.holder_name == "李四"
    first = office_head.holdings.get(holder_name="张三")
    assert first.ended_on == dt.date(2023, 2, 28)


def test_successor_must_start_after_current(office_head, make_user):
    weijian = make_user("weijian", department="health")
    position_assign_holder(
        acting_user=weijian,
        position=office_head,
        holder_name="张三",
        started_on=dt.date(2021, 1, 1),
    )
    with pytest.raises(DomainError) as exc:
        position_assign_holder(
            acting_user=weijian,
            position=office_head,
            holder_name="李四",
            started_on=dt.date(2020, 1, 1),
        )
    assert exc.value.code == "date_order"


def test_only_health_bureau_may_change_holders(client, office_head, make_user):
    make_user("duohu", township="duohu")
    client.login(username="duohu", password="pass-word-2020")
    response = client.post(
        f"/accounts/leading-group/{office_head.pk}/assign/",
        {"holder_name": "王五", "started_on": "2024-01-01"},
    )
    assert response.status_code == 403
    assert not office_head.holdings.exists()


def test_page_shows_positions_and_departments(client, office_head, make_user):
    weijian = make_user("weijian", department="health")
    client.force_login(weijian)
    response = client.post(
        f"/accounts/leading-group/{office_head.pk}/assign/",
        {"holder_name": "王五", "holder_post": "区卫健局副局长", "started_on": "2024-01-01"},
        follow=True,
    )
    html = response.content.decode()
    assert "王五" in html and "区事业单位登记管理局" in html and "职责保持不变" in html


def test_overlong_names_are_refused_with_a_message_not_a_500(client, office_head, make_user):
    """[hardening] point 9's class: a value longer than its column was a 500 on PostgreSQL."""
    client.force_login(make_user("weijian", department="health"))
    response = client.post(
        f"/accounts/leading-group/{office_head.pk}/assign/",
        {"holder_name": "王" * 61, "holder_post": "岗" * 5000, "started_on": "2024-01-01"},
        follow=True,
    )
    assert response.status_code == 200
    assert "最多 60 字" in response.content.decode()
    assert not office_head.holdings.exists()
    with pytest.raises(DomainError) as exc:
        position_assign_holder(
            acting_user=None,
            position=office_head,
            holder_name="王五",
            holder_post="岗" * 101,
            started_on=dt.date(2024, 1, 1),
        )
    assert exc.value.errors[0].code == "too_long"


def test_user_create_refuses_overlong_names(departments):
    from tuoyu.accounts.services import user_create

    with pytest.raises(DomainError) as exc:
        user_create(username="u" * 151, password="x")
    assert exc.value.errors[0].code == "too_long"
    with pytest.raises(DomainError):
        user_create(username="u1", display_name="名" * 61, password="x")
