"""P-HC-6 outbreak early warning: the thresholds of the policy data (3 children with the
same symptom in one class on one day; 5 in 3 days; hand-foot-mouth 2 in a class or 5 in
the institution within 7 days) raise alerts returned by the batch, listed for the
institution and 区卫健局, acknowledged and closed with the action taken, and emitted as
`outbreak_alert_raised`."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import CareClassFactory, ChildFactory
from tuoyu.children.models import OutbreakAlert
from tuoyu.children.services.outbreak import alert_acknowledge, alert_close
from tuoyu.children.tests.test_health_checks_api import rec, send
from tuoyu.core import clock, events
from tuoyu.core.errors import DomainError

pytestmark = pytest.mark.django_db


@pytest.fixture
def klass(large_class):
    return large_class


@pytest.fixture
def kids(klass):
    from tuoyu.children.tests.conftest import months_ago

    return [ChildFactory(care_class=klass, birth_date=months_ago(30)) for _ in range(8)]


def day(n):
    return (clock.today() - dt.timedelta(days=n)).isoformat()


def test_two_fevers_no_alert_three_raise_class_same_day(nursery, nursery_api, kids):
    r = send(
        nursery_api, nursery, [rec(k, f"a{i}", symptoms=["fever"]) for i, k in enumerate(kids[:2])]
    )
    assert r.json()["alerts"] == []
    r = send(nursery_api, nursery, [rec(kids[2], "a2", symptoms=["fever", "cough"])])
    alerts = r.json()["alerts"]
    assert [
        (a["kind"], a["scope"], a["symptom"], a["cases"], a["window_days"]) for a in alerts
    ] == [("class_same_day", "class", "fever", 3, 1)]
    alert = OutbreakAlert.objects.get()
    assert sorted(c["child_id"] for c in alert.cases_detail) == sorted(k.pk for k in kids[:3])
    # a fourth case the same day is the same alert, not a new one
    r = send(nursery_api, nursery, [rec(kids[3], "a3", symptoms=["fever"])])
    assert r.json()["alerts"] == [] and OutbreakAlert.objects.count() == 1


def test_five_in_three_days_raise_class_window(nursery, nursery_api, kids):
    records = [
        rec(kids[0], "w0", date=day(2), symptoms=["vomiting"]),
        rec(kids[1], "w1", date=day(2), symptoms=["vomiting"]),
        rec(kids[2], "w2", date=day(1), symptoms=["vomiting"]),
        rec(kids[3], "w3", date=day(1), symptoms=["vomiting"]),
        rec(kids[4], "w4", date=day(0), symptoms=["vomiting"]),
    ]
    r = send(nursery_api, nursery, records)
    assert [(a["kind"], a["cases"], a["window_days"]) for a in r.json()["alerts"]] == [
        ("class_window", 5, 3)
    ]


def test_policy_spelling_diarrhoea_matches_contract_diarrhea(nursery, nursery_api, kids):
    r = send(
        nursery_api,
        nursery,
        [rec(k, f"d{i}", symptoms=["diarrhea"]) for i, k in enumerate(kids[:3])],
    )
    assert [a["symptom"] for a in r.json()["alerts"]] == ["diarrhea"]


def test_cough_is_not_in_the_policy_list(nursery, nursery_api, kids):
    r = send(
        nursery_api, nursery, [rec(k, f"c{i}", symptoms=["cough"]) for i, k in enumerate(kids[:5])]
    )
    assert r.json()["alerts"] == []


def test_hfmd_two_in_a_class_within_a_week(nursery, nursery_api, kids):
    r = send(
        nursery_api,
        nursery,
        [
            rec(kids[0], "h0", date=day(6), symptoms=["hand_foot_mouth_signs"]),
            rec(kids[1], "h1", date=day(0), symptoms=["hand_foot_mouth_signs"]),
        ],
    )
    assert [(a["kind"], a["cases"], a["window_days"]) for a in r.json()["alerts"]] == [
        ("hfmd_class", 2, 7)
    ]


def test_hfmd_five_in_the_institution_across_classes(nursery, nursery_api, today):
    from tuoyu.children.tests.conftest import months_ago

    classes = [
        CareClassFactory(institution=nursery, class_type="toddler_large", filed=True)
        for _ in range(5)
    ]
    kids = [ChildFactory(care_class=c, birth_date=months_ago(30)) for c in classes]
    r = send(
        nursery_api,
        nursery,
        [
            rec(k, f"i{i}", date=day(i), symptoms=["hand_foot_mouth_signs"])
            for i, k in enumerate(kids)
        ],
    )
    assert [(a["kind"], a["scope"], a["cases"]) for a in r.json()["alerts"]] == [
        ("hfmd_institution", "institution", 5)
    ]


def test_alert_event_emitted_on_commit(
    nursery, nursery_api, kids, django_capture_on_commit_callbacks
):
    got = []

    def receiver(**payload):
        got.append(payload)

    events.subscribe(events.OUTBREAK_ALERT_RAISED, receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            send(
                nursery_api,
                nursery,
                [rec(k, f"e{i}", symptoms=["rash"]) for i, k in enumerate(kids[:3])],
            )
    finally:
        events.unsubscribe(events.OUTBREAK_ALERT_RAISED, receiver)
    alert = OutbreakAlert.objects.get()
    assert got and got[0]["alert_id"] == alert.pk and got[0]["institution_id"] == nursery.pk


def test_alert_list_institution_and_health_bureau_not_other(
    nursery, nursery_api, kids, api_client, health_user, make_user, make_filed
):
    send(
        nursery_api, nursery, [rec(k, f"l{i}", symptoms=["fever"]) for i, k in enumerate(kids[:3])]
    )
    url = f"/api/v1/institutions/{nursery.uscc}/outbreak-alerts"
    for client in (nursery_api, api_client(health_user)):
        r = client.get(url)
        assert r.status_code == 200 and len(r.json()) == 1
        assert len(r.json()[0]["children"]) == 3
    other = api_client(make_user("x9", institution=make_filed()))
    assert other.get(url).status_code == 404


def test_acknowledge_and_close_with_action_taken(
    nursery, nursery_api, kids, nursery_user, health_user
):
    send(
        nursery_api, nursery, [rec(k, f"k{i}", symptoms=["fever"]) for i, k in enumerate(kids[:3])]
    )
    alert = OutbreakAlert.objects.get()
    alert = alert_acknowledge(acting_user=nursery_user, alert=alert)
    assert alert.status == "acknowledged"
    with pytest.raises(DomainError) as exc:
        alert_close(acting_user=health_user, alert=alert, action_taken=" ")
    assert exc.value.code == "action_taken_required"
    alert = alert_close(
        acting_user=health_user, alert=alert, action_taken="已报告疾控中心，全园消毒"
    )
    assert alert.status == "closed" and alert.closed_by_id == health_user.pk
    with pytest.raises(DomainError) as exc:
        alert_close(acting_user=health_user, alert=alert, action_taken="再次")
    assert exc.value.code == "alert_already_closed"
