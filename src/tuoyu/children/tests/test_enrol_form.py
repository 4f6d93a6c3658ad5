"""The enrolment form on the institution's children page (API-CONTRACT §2 through the same
service; P-HC-1, P-STD-1, P-STD-4): every error next to its field in Chinese, input kept,
personal fields encrypted and masked on screen."""

from __future__ import annotations

import pytest

from tests.factories import ChildFactory
from tuoyu.children.models import Child, Examination
from tuoyu.children.tests.conftest import months_ago

pytestmark = pytest.mark.django_db

URL = "/children/new/"


def _form(care_class, today, **extra):
    data = {
        "name": "王小明",
        "gender": "male",
        "birth_date": months_ago(18).isoformat(),
        "id_number": "",
        "guardian_name": "王建国",
        "guardian_phone": "13812345678",
        "class_id": str(care_class.pk),
        "enrolled_on": today.isoformat(),
    }
    data.update(extra)
    return data


def test_enrol_from_the_page_with_entry_examination(client, nursery_user, small_class, today):
    """P-HC-1: the entry examination recorded with the enrolment; the page shows a mask."""
    client.force_login(nursery_user)
    assert 'data-testid="enrol-link"' in client.get("/children/").content.decode()
    assert client.get(URL).status_code == 200
    r = client.post(
        URL,
        _form(
            small_class,
            today,
            examined_on=today.isoformat(),
            examined_by="金东区妇幼保健院",
            weight_kg="10.5",
            height_cm="80.0",
        ),
        follow=True,
    )
    child = Child.objects.get()
    assert r.redirect_chain[-1][0] == f"/children/{child.pk}/"
    html = r.content.decode()
    assert "王小明" not in html and child.name_masked in html
    assert child.care_class == small_class and child.vaccination_due_on is not None
    exam = Examination.objects.get(child=child)
    assert exam.kind == "entry" and exam.growth_reference


def test_errors_next_to_fields_and_input_kept(client, nursery_user, small_class, today):
    client.force_login(nursery_user)
    r = client.post(
        URL, _form(small_class, today, guardian_phone="12345", birth_date="", name="李四")
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert 'value="李四"' in html and 'value="12345"' in html  # input kept
    assert 'data-field="birth_date"' in html and "这个字段是必填项" in html
    assert Child.objects.count() == 0
    # the service's phone rule shown next to the phone field
    r = client.post(URL, _form(small_class, today, guardian_phone="12345"))
    body = r.content.decode()
    field = body.split('data-field="guardian_phone"', 1)[1].split('data-field="class_id"')[0]
    assert "invalid-feedback" in field and 'value="12345"' in field
    assert "phone_format" not in body  # words, never codes


def test_age_outside_range_shown_at_class(client, nursery_user, small_class, today):
    """P-STD-1: a 托小班 admits 12–24 months; a 30-month-old is refused next to the class."""
    client.force_login(nursery_user)
    r = client.post(URL, _form(small_class, today, birth_date=months_ago(30).isoformat()))
    assert r.status_code == 400
    field = r.content.decode().split('data-field="class_id"', 1)[1].split("data-field=")[0]
    assert "30 月龄" in field
    assert Child.objects.count() == 0


def test_class_full_and_enrolled_elsewhere(client, nursery_user, small_class, today, make_filed):
    """P-STD-4: never above the filed number; a child enrolled elsewhere is refused."""
    client.force_login(nursery_user)
    for _ in range(3):
        ChildFactory(care_class=small_class, birth_date=months_ago(18))
    r = client.post(URL, _form(small_class, today))
    assert r.status_code == 400 and "达到核定人数" in r.content.decode()
    other = make_filed(classes=(("toddler_small", 10),)).classes.get()
    ChildFactory(
        care_class=other, name="赵六", birth_date=months_ago(18), guardian_phone="13900001111"
    )
    large = small_class.institution.classes.get(class_type="toddler_large")
    r = client.post(
        URL,
        _form(
            large,
            today,
            name="赵六",
            birth_date=months_ago(18).isoformat(),
            guardian_phone="13900001111",
        ),
    )
    # the age fits no 托大班 either, but enrolled elsewhere is checked first
    assert "已在托育机构在托" in r.content.decode()


def test_exam_detail_needs_its_date(client, nursery_user, small_class, today):
    client.force_login(nursery_user)
    r = client.post(URL, _form(small_class, today, weight_kg="10.2"))
    field = r.content.decode().split('data-field="examined_on"', 1)[1].split("data-field=")[0]
    assert "须填写体检日期" in field and Child.objects.count() == 0


def test_only_the_institution_enrols(client, health_user, township_user):
    for user in (health_user, township_user):
        client.force_login(user)
        assert client.get(URL).status_code == 403
