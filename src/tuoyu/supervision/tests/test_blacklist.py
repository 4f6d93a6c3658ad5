"""The blacklist with four eyes (P-SUP-5/6): proposed by one 区卫健局 officer, approved by a
second; the proposer approving is a coded error; published with individuals masked; an
approved person emits `person_blacklisted` (workforce records the lifetime ban)."""

from __future__ import annotations

import datetime as dt

import pytest

from tuoyu.core import events
from tuoyu.core.errors import DomainError
from tuoyu.supervision import services
from tuoyu.supervision.models import BlacklistEntry

ID_NUMBER = "11010519491231002X"


@pytest.fixture
def received():
    got = []

    def catch(**payload):
        got.append(payload)

    events.subscribe(events.PERSON_BLACKLISTED, catch, in_transaction=True)
    events.subscribe(events.INSTITUTION_BLACKLISTED, catch, in_transaction=True)
    yield got
    events.unsubscribe(events.PERSON_BLACKLISTED, catch)
    events.unsubscribe(events.INSTITUTION_BLACKLISTED, catch)


def propose_person(user):
    return services.blacklist_propose(
        acting_user=user,
        subject="person",
        person_name="张三丰",
        id_number=ID_NUMBER,
        reason="虐待婴幼儿，经公安机关查实",
        decision_ref="金东卫健〔2024〕12号",
        decided_on=dt.date(2024, 5, 6),
    )


def test_p_sup_6_four_eyes_and_the_ban_event(health_user, health_user2, received, client):
    entry = propose_person(health_user)
    with pytest.raises(DomainError) as exc:
        services.blacklist_approve(acting_user=health_user, entry_id=entry.pk)
    assert exc.value.code == "blacklist_self_approval"
    assert received == []
    services.blacklist_approve(acting_user=health_user2, entry_id=entry.pk)
    assert received[0]["id_number"] == ID_NUMBER and received[0]["name"] == "张三丰"
    assert received[0]["decision_ref"] == "金东卫健〔2024〕12号"
    page = client.get("/supervision/public/blacklist/").content.decode()
    assert "张**" in page and "110105********002X" in page
    assert "张三丰" not in page and ID_NUMBER not in page


def test_institution_listing_emits_its_event(health_user, health_user2, filed, received):
    entry = services.blacklist_propose(
        acting_user=health_user,
        subject="institution",
        institution_id=filed.pk,
        reason="发生虐童事件",
        decision_ref="金东卫健〔2024〕13号",
        decided_on=dt.date(2024, 5, 6),
    )
    services.blacklist_approve(acting_user=health_user2, entry_id=entry.pk)
    assert received == [
        {"institution_id": filed.pk, "entry_id": entry.pk, "acting_user": health_user2}
    ]


def test_only_the_health_bureau_and_a_subject_is_required(market_user, health_user):
    with pytest.raises(DomainError) as exc:
        propose_person(market_user)
    assert exc.value.status == 403
    with pytest.raises(DomainError) as exc:
        services.blacklist_propose(
            acting_user=health_user,
            subject="person",
            reason="x",
            decision_ref="y",
            decided_on=dt.date(2024, 1, 1),
        )
    assert exc.value.code == "blacklist_subject_required"
    assert not BlacklistEntry.objects.exists()


def test_pages(health_user, health_user2, client):
    client.force_login(health_user)
    response = client.post(
        "/supervision/blacklist/",
        {
            "subject": "person",
            "person_name": "李四",
            "id_number": ID_NUMBER,
            "reason": "虐童",
            "decision_ref": "文号1",
            "decided_on": "2024-05-06",
        },
    )
    assert response.status_code == 302
    entry = BlacklistEntry.objects.get()
    client.post(f"/supervision/blacklist/{entry.pk}/approve/")
    entry.refresh_from_db()
    assert entry.status == "proposed"
    client.force_login(health_user2)
    client.post(f"/supervision/blacklist/{entry.pk}/approve/")
    entry.refresh_from_db()
    assert entry.status == "approved" and entry.approved_by == health_user2


def test_p_sup_6_zero_tolerance_case_walks_through_bans_and_notice(
    health_user, health_user2, filed, received, fire_user, dongxiao_user, client
):
    case = services.case_open(
        acting_user=health_user,
        institution_id=filed.pk,
        description="保育员殴打幼儿，监控录像为证",
        decision_ref="金东卫健〔2024〕20号",
        suspended_on=dt.date(2024, 6, 1),
        persons=[
            {"name": "王五", "id_number": ID_NUMBER},
            {"name": "赵六", "id_number": "110105194912310038", "manager": True},
        ],
    )
    entries = list(case.entries.order_by("id"))
    assert [e.subject for e in entries] == ["institution", "person", "person"]
    assert [e.responsible_manager for e in entries] == [False, False, True]
    for entry in entries:
        services.blacklist_approve(acting_user=health_user2, entry_id=entry.pk)
    ids = sorted(p.get("id_number", "") for p in received if "id_number" in p)
    assert ids == sorted([ID_NUMBER, "110105194912310038"])
    assert any(p.get("institution_id") == filed.pk for p in received)
    # every supervising department is told; a township outside the area is not
    from tuoyu.supervision import selectors

    assert selectors.cases(acting_user=fire_user).get() == case
    assert not selectors.cases(acting_user=dongxiao_user).exists()
    with pytest.raises(DomainError) as exc:
        services.case_open(
            acting_user=health_user,
            institution_id=filed.pk,
            description="x",
            decision_ref="y",
            suspended_on=dt.date(2024, 6, 1),
            persons=[{"name": "王五", "id_number": ID_NUMBER}],
        )
    assert exc.value.code == "case_persons_required"
    client.force_login(fire_user)
    assert "金东卫健〔2024〕20号" in client.get("/supervision/cases/").content.decode()
