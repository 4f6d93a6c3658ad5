"""API-CONTRACT §2 `POST /api/v1/institutions/{uscc}/children`, code by code (P-HC-1,
P-HC-4, P-STD-1, P-STD-4) and the scopes of children's data."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import ChildFactory
from tuoyu.audit.models import AuditEvent
from tuoyu.children.models import Child, Examination
from tuoyu.children.tests.conftest import months_ago, post
from tuoyu.core import clock
from tuoyu.core.identifiers import make_id_number

pytestmark = pytest.mark.django_db


def body(care_class, **over):
    data = {
        "name": "王小明",
        "gender": "male",
        "birth_date": months_ago(18).isoformat(),
        "class_id": care_class.pk,
        "enrolled_on": clock.today().isoformat(),
        "guardian": {"name": "王建国", "phone": "13812345678"},
    }
    data.update(over)
    return data


def url(institution):
    return f"/api/v1/institutions/{institution.uscc}/children"


def test_enrol_201_encrypts_personal_fields_and_tracks_vaccination_deadline(
    nursery, small_class, nursery_api
):
    """P-HC-4: the certificate check is due 30 days after enrolment (policy)."""
    born = months_ago(18)
    idn = make_id_number("330703", born, 12)
    r = post(nursery_api, url(nursery), body(small_class, id_number=idn))
    assert r.status_code == 201, r.content
    child = Child.objects.get(pk=r.json()["child_id"])
    assert child.id_number.reveal() == idn and child.id_number_index
    assert child.name.masked == "王**"
    assert child.vaccination_due_on == child.enrolled_on + dt.timedelta(days=30)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT name, guardian_phone FROM children_child WHERE id = %s", [child.pk])
        raw = cursor.fetchone()
    assert "王小明" not in raw[0] and "13812345678" not in raw[1]
    event = AuditEvent.objects.filter(action="children.child.enrolled").get()
    assert "王小明" not in event.object_label


def test_entry_examination_recorded_with_enrolment(nursery, small_class, nursery_api):
    """P-HC-1: the entry examination comes with the enrolment."""
    exam = {"examined_on": clock.today().isoformat(), "examined_by": "金东区妇幼保健院"}
    r = post(nursery_api, url(nursery), body(small_class, entry_examination=exam))
    assert r.status_code == 201, r.content
    assert Examination.objects.filter(child_id=r.json()["child_id"], kind="entry").exists()


def test_enrolled_elsewhere_by_id_number(make_filed, make_user, api_client, nursery, small_class):
    born = months_ago(18)
    idn = make_id_number("330703", born, 7)
    other = make_filed(classes=(("toddler_small", 15),))
    ChildFactory(care_class=other.classes.get(), id_number=idn, birth_date=born)
    client = api_client(make_user("a1", institution=nursery))
    r = post(client, url(nursery), body(small_class, id_number=idn, birth_date=born.isoformat()))
    assert r.status_code == 409
    assert r.json()["errors"][0]["code"] == "enrolled_elsewhere"


def test_enrolled_elsewhere_without_id_by_name_birth_phone(
    make_filed, nursery, small_class, nursery_api
):
    born = months_ago(18)
    other = make_filed(classes=(("toddler_small", 15),))
    ChildFactory(
        care_class=other.classes.get(),
        name="李小花",
        birth_date=born,
        guardian_phone="13900001111",
    )
    same = body(
        small_class,
        name="李小花",
        birth_date=born.isoformat(),
        guardian={"name": "李妈妈", "phone": "13900001111"},
    )
    r = post(nursery_api, url(nursery), same)
    assert r.status_code == 409 and r.json()["errors"][0]["code"] == "enrolled_elsewhere"
    # another phone: another child of the same name and birthday
    same["guardian"]["phone"] = "13900002222"
    assert post(nursery_api, url(nursery), same).status_code == 201


def test_transferred_child_may_enrol_here(make_filed, nursery, small_class, nursery_api):
    born = months_ago(18)
    idn = make_id_number("330703", born, 8)
    other = make_filed(classes=(("toddler_small", 15),))
    ChildFactory(
        care_class=other.classes.get(),
        id_number=idn,
        birth_date=born,
        status=Child.Status.TRANSFERRED,
        left_on=clock.today() - dt.timedelta(days=1),
    )
    r = post(nursery_api, url(nursery), body(small_class, id_number=idn))
    assert r.status_code == 201, r.content


@pytest.mark.parametrize("months", [11, 24, 30])
def test_age_outside_class_range(nursery, small_class, nursery_api, months):
    """P-STD-1: 托小班 takes 12 to 24 months (24 belongs to 托大班)."""
    r = post(
        nursery_api, url(nursery), body(small_class, birth_date=months_ago(months).isoformat())
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["code"] == "age_outside_class_range"


def test_class_full_never_above_filed_number(nursery, small_class, nursery_api):
    """P-STD-4: the class holds its filed 3 places, the 4th child is refused."""
    for i in range(3):
        phone = f"1380000000{i}"
        r = post(
            nursery_api, url(nursery), body(small_class, guardian={"name": "甲", "phone": phone})
        )
        assert r.status_code == 201
    r = post(
        nursery_api,
        url(nursery),
        body(small_class, guardian={"name": "乙", "phone": "13911112222"}),
    )
    assert r.status_code == 409 and r.json()["errors"][0]["code"] == "class_full"
    assert Child.objects.filter(care_class=small_class).count() == 3


def test_withdrawn_child_frees_a_place(nursery, small_class, nursery_api):
    ids = []
    for i in range(3):
        r = post(
            nursery_api,
            url(nursery),
            body(small_class, guardian={"name": "甲", "phone": f"1380000000{i}"}),
        )
        ids.append(r.json()["child_id"])
    r = post(
        nursery_api,
        f"{url(nursery)}/{ids[0]}/withdrawal",
        {"left_on": clock.today().isoformat(), "reason": "搬家"},
    )
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    r = post(
        nursery_api,
        url(nursery),
        body(small_class, guardian={"name": "丙", "phone": "13911113333"}),
    )
    assert r.status_code == 201


def test_class_move_checks_age(nursery, small_class, large_class, nursery_api):
    r = post(nursery_api, url(nursery), body(small_class))
    child_id = r.json()["child_id"]
    move = {"class_id": large_class.pk, "on": clock.today().isoformat()}
    r = post(nursery_api, f"{url(nursery)}/{child_id}/class-move", move)
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "age_outside_class_range"


def test_invalid_id_number_and_phone(nursery, small_class, nursery_api):
    r = post(nursery_api, url(nursery), body(small_class, id_number="330703202301010011"))
    assert r.json()["errors"][0]["code"] in ("id_number_checksum", "id_number_birth_date")
    bad = body(small_class, guardian={"name": "甲", "phone": "12345"})
    r = post(nursery_api, url(nursery), bad)
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "phone_format"


def test_class_of_another_institution_is_404(make_filed, nursery, nursery_api):
    other = make_filed(classes=(("toddler_small", 15),))
    r = post(nursery_api, url(nursery), body(other.classes.get()))
    assert r.status_code == 404


def test_scopes_other_institution_404_township_and_health_403(
    make_filed, make_user, api_client, nursery, small_class, health_user, township_user
):
    """An institution never reaches another's children (404); 区卫健局 and the township see
    the institution but do not enrol (403)."""
    other = make_filed(classes=(("toddler_small", 15),))
    other_client = api_client(make_user("other", institution=other))
    assert post(other_client, url(nursery), body(small_class)).status_code == 404
    for user in (health_user, township_user):
        r = post(api_client(user), url(nursery), body(small_class))
        assert r.status_code == 403 and r.json()["errors"][0]["code"] == "out_of_scope"


def test_market_department_does_not_see_children(market_user, api_client, nursery, small_class):
    r = post(api_client(market_user), url(nursery), body(small_class))
    assert r.status_code == 404
