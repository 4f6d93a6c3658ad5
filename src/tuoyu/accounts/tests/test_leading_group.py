"""P-ORG-1: the leading group is defined by positions; the successor takes the place."""

import datetime as dt

import pytest

from tuoyu.accounts.models import Department, Position, PositionHolding
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


# --- issue #7 point 9: the organisation data matches the annex of 金区政办〔2020〕36号 ---------

# The annex, in its order: "成员单位：区发改局、区教体局、…、区计划生育协会等有关成员单位分管领导".
ANNEX_MEMBER_UNITS = [
    "区发改局", "区教体局", "区公安分局", "区民政局", "区财政局", "区人力社保局", "区住建局",
    "区卫健局", "区市场监管局", "区税务局", "市自然资源和规划局金东分局", "区消防救援大队",
    "区总工会", "团区委", "区妇联", "区计划生育协会",
]  # fmt: skip


@pytest.fixture
def group(departments):
    positions_load()
    from tuoyu.accounts.selectors import leading_group_structure

    return leading_group_structure()


def test_p_org_1_leader_and_three_deputies_by_post(group):
    """组长：副区长；副组长：区府办副主任、区卫生健康局局长、区教育体育局局长 (positions, no names)."""
    assert [p.post for p in group.leaders] == ["副区长"]
    deputies = {p.post: (p.department.code if p.department else None) for p in group.deputies}
    assert deputies == {
        "区府办副主任": None,  # 区府办 is not a platform department
        "区卫生健康局局长": "health",
        "区教育体育局局长": "education",
    }
    import yaml

    from tuoyu.accounts.services import DATA_DIR

    rows = yaml.safe_load((DATA_DIR / "leading_group.yaml").read_text(encoding="utf-8"))
    # positions, not persons: the data has no holder, only the seat and its post
    assert all(set(row) <= {"title", "rank", "post", "department", "duties"} for row in rows)
    assert not PositionHolding.objects.exists()


def test_p_org_1_office_at_the_health_bureau_headed_by_its_deputy_director(group):
    (head,) = group.office_heads
    assert (head.department.code, head.post) == ("health", "区卫健局副局长")


def test_p_org_1_exactly_the_16_member_units_of_the_annex(group):
    assert sorted(d.name for d in group.member_units) == sorted(ANNEX_MEMBER_UNITS)
    assert len(group.member_units) == 16
    others = {d.code for d in group.other_departments}
    assert {"public_institution_registration", "mch_centre"} <= others
    assert not Department.objects.filter(
        code__in=["public_institution_registration", "mch_centre"], is_member_unit=True
    ).exists()


def test_p_org_1_page_shows_leader_deputies_members_and_office(client, group, make_user):
    client.force_login(make_user("weijian", department="health"))
    html = client.get("/accounts/leading-group/").content.decode()
    for post in (
        "副区长",
        "区府办副主任",
        "区卫生健康局局长",
        "区教育体育局局长",
        "区卫健局副局长",
    ):
        assert post in html, post
    assert "办公室设在区卫健局，由区卫健局副局长兼任办公室主任" in html
    members = html.split('data-testid="leading-group-members"')[1].split("</table>")[0]
    non_members = html.split('data-testid="leading-group-non-members"')[1].split("</table>")[0]
    for name in ANNEX_MEMBER_UNITS:
        assert f"<td>{name}" in members, name
    assert members.count("<tr data-department=") == 16
    assert "区事业单位登记管理局" in non_members and "区妇计中心" in non_members
    assert "区事业单位登记管理局" not in members


def test_p_org_1_reloading_updates_a_position_and_keeps_its_holder(group, make_user):
    """A district's edited file updates the seat (post, duties) in place; the holder stays."""
    deputy = Position.objects.get(title="副组长")
    position_assign_holder(
        acting_user=None, position=deputy, holder_name="某某", started_on=dt.date(2021, 1, 1)
    )
    Position.objects.filter(pk=deputy.pk).update(post="旧职务", duties="旧")
    positions_load()
    deputy.refresh_from_db()
    assert deputy.post == "区府办副主任" and deputy.duties != "旧"
    assert deputy.current_holding.holder_name == "某某"
    assert Position.objects.filter(title="副组长").count() == 1
