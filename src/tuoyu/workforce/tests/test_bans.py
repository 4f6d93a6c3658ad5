"""Lifetime bans (P-SUP-6): four eyes, refusal at every entry path and every institution,
the attempt recorded, employments flagged at once, never deleted, lifted by a decision."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from tests.factories import id_number_for
from tuoyu.core import events
from tuoyu.core.errors import DomainError
from tuoyu.workforce import services
from tuoyu.workforce.excel_roster import DATA_SHEET_TITLE, HEADERS
from tuoyu.workforce.models import Ban, BanAttempt, StaffMember

pytestmark = pytest.mark.django_db

BANNED = 42


def _propose(user, n=BANNED, **kw):
    return services.ban_propose(
        acting_user=user,
        name="王某",
        id_number=id_number_for(n),
        reason="虐待婴幼儿",
        decided_on=dt.date(2024, 3, 1),
        decision_ref=kw.pop("decision_ref", "金东卫禁〔2024〕1号"),
        **kw,
    )


@pytest.fixture
def ban(health_user, second_health_user):
    return services.ban_approve(acting_user=second_health_user, ban=_propose(health_user))


def test_four_eyes(health_user, second_health_user):
    proposed = _propose(health_user)
    assert proposed.status == "proposed"
    with pytest.raises(DomainError) as exc:
        services.ban_approve(acting_user=health_user, ban=proposed)
    assert exc.value.code == "ban_four_eyes"
    approved = services.ban_approve(acting_user=second_health_user, ban=proposed)
    assert approved.status == "in_force" and approved.approved_by == second_health_user


def test_a_proposed_ban_does_not_refuse_yet(health_user, filed_user, filed, add_staff):
    _propose(health_user)
    add_staff(filed_user, filed, BANNED)


def test_decision_reference_required(health_user):
    with pytest.raises(DomainError) as exc:
        _propose(health_user, decision_ref=" ")
    assert exc.value.code == "ban_decision_ref_required"


def test_only_health_bureau_records_bans(market_user):
    with pytest.raises(DomainError) as exc:
        _propose(market_user)
    assert exc.value.status == 403


def test_banned_refused_by_form_at_every_institution(
    ban, filed_user, filed, add_staff, make_filed, make_user
):
    other = make_filed(name="东孝春苗托育有限公司")
    other_user = make_user("chunmiao", institution=other)
    for user, institution in ((filed_user, filed), (other_user, other)):
        with pytest.raises(DomainError) as exc:
            add_staff(user, institution, BANNED)
        assert exc.value.status == 409 and exc.value.code == "lifetime_ban"
    attempts = BanAttempt.objects.order_by("pk")
    assert [(a.institution, a.attempted_by, a.channel) for a in attempts] == [
        (filed, filed_user, "form"),
        (other, other_user, "form"),
    ]
    assert not StaffMember.objects.exists()


def test_banned_refused_by_api(ban, filed_user, filed, api_client):
    response = api_client(filed_user).post(
        f"/api/v1/institutions/{filed.uscc}/staff",
        {
            "name": "王某",
            "id_number": id_number_for(BANNED),
            "role": "cook",
            "hired_on": "2024-05-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "lifetime_ban"
    assert BanAttempt.objects.get().channel == "api"


def _workbook(rows) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET_TITLE
    ws.append(list(HEADERS))
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "roster.xlsx"
    return out


def test_banned_refused_by_excel_and_nothing_imported(ban, filed_user, filed):
    file = _workbook(
        [
            [
                "李一",
                id_number_for(1),
                "保育人员",
                "",
                "2024-03-01",
                "专职",
                "",
                "大专",
                "",
                "",
                "",
                "",
            ],
            [
                "王某",
                id_number_for(BANNED),
                "炊事人员",
                "",
                "2024-03-01",
                "兼职",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
        ]
    )
    with pytest.raises(DomainError) as exc:
        services.staff_import(acting_user=filed_user, institution=filed, file=file)
    assert [(e.code, e.row) for e in exc.value.errors] == [("lifetime_ban", 3)]
    assert not StaffMember.objects.exists()
    assert BanAttempt.objects.get().channel == "excel"


def test_ban_after_hiring_flags_employments_at_once(
    health_user, second_health_user, filed_user, filed, add_staff
):
    staff = add_staff(filed_user, filed, BANNED)
    seen = []
    events.subscribe(events.PRACTITIONER_BANNED, _spy(seen), in_transaction=True)
    try:
        ban = services.ban_approve(acting_user=second_health_user, ban=_propose(health_user))
    finally:
        events.unsubscribe(events.PRACTITIONER_BANNED, _spy(seen))
    staff.refresh_from_db()
    assert staff.banned_by == ban and staff.ban_flagged_at is not None
    assert seen == [ban.pk]
    from tuoyu.workforce import selectors

    assert list(selectors.flagged_staff(acting_user=filed_user)) == [staff]
    assert list(selectors.flagged_staff(acting_user=health_user)) == [staff]
    services.staff_leave(acting_user=filed_user, staff=staff, left_on=dt.date(2024, 6, 1))
    assert not selectors.flagged_staff(acting_user=health_user).exists()


def _spy(seen):
    def practitioner_banned_spy(*, ban_id, id_blind_index, acting_user):
        seen.append(ban_id)

    return practitioner_banned_spy


def test_never_deleted_and_lifted_by_decision(ban, health_user, filed_user, filed, add_staff):
    with pytest.raises(DomainError):
        ban.delete()
    with pytest.raises(DomainError):
        Ban.objects.all().delete()
    with pytest.raises(DomainError) as exc:
        services.ban_lift(
            acting_user=health_user,
            ban=ban,
            lifted_on=dt.date(2025, 1, 1),
            authority="",
            decision_ref="",
        )
    assert exc.value.code == "ban_lift_decision_required"
    services.ban_lift(
        acting_user=health_user,
        ban=ban,
        lifted_on=dt.date(2025, 1, 1),
        authority="金华市中级人民法院",
        decision_ref="（2024）浙07行终1号",
    )
    assert Ban.objects.get().status == "lifted"
    add_staff(filed_user, filed, BANNED)


def test_person_blacklisted_records_a_ban_in_force(health_user, filed_user, filed, add_staff):
    """P-SUP-5/6: supervision's blacklisting (already four-eyes approved) is a ban at once,
    in the same transaction, flagging the employment."""
    staff = add_staff(filed_user, filed, BANNED)
    events.emit(
        events.PERSON_BLACKLISTED,
        entry_id=7,
        name="王某",
        id_number=id_number_for(BANNED),
        reason="虐童",
        decided_on=dt.date(2024, 4, 1),
        decision_ref="金东综监〔2024〕3号",
        acting_user=health_user,
    )
    ban = Ban.objects.get()
    assert ban.status == "in_force" and ban.source == "blacklist" and ban.blacklist_entry_id == 7
    staff.refresh_from_db()
    assert staff.banned_by == ban


def test_ban_list_is_health_bureau_only(ban, township_user, filed_user):
    from tuoyu.workforce import selectors

    assert selectors.bans(acting_user=township_user).count() == 0
    assert selectors.bans(acting_user=filed_user).count() == 0
