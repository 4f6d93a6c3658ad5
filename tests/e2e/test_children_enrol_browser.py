"""[children] The enrolment form in the browser (API-CONTRACT §2 through the same service;
P-HC-1): an institution user enrols a child from its children page; an error is shown next
to its field and the typed input stays; the child's page shows only the mask."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.e2e.conftest import login
from tests.factories import PASSWORD, CareClassFactory
from tuoyu.children.models import Child
from tuoyu.children.tests.conftest import months_ago

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_enrol_one_child_in_the_browser(page, make_filed, make_user):
    nursery = make_filed(classes=())
    care_class = CareClassFactory(
        institution=nursery, class_type="toddler_small", name="托小一班", capacity=15, filed=True
    )
    make_user("zhaosheng", institution=nursery)
    today = timezone.localdate()
    login(page, "zhaosheng", PASSWORD)
    page.goto("/children/")
    page.get_by_test_id("enrol-link").click()
    page.get_by_label("儿童姓名").fill("陈小雨")
    page.get_by_label("性别").select_option("female")
    page.get_by_label("出生日期").fill(months_ago(18).isoformat())
    page.get_by_label("监护人姓名").fill("陈建国")
    page.get_by_label("监护人手机号码").fill("1381234")  # too short: refused at the field
    page.get_by_label("班级").select_option(str(care_class.pk))
    page.get_by_label("入托日期").fill(today.isoformat())
    page.get_by_label("入托体检日期（P-HC-1）").fill(today.isoformat())
    page.get_by_label("体重（千克）").fill("10.4")
    page.get_by_label("身长/身高（厘米）").fill("80.5")
    page.get_by_test_id("enrol-submit").click()
    phone = page.locator('[data-field="guardian_phone"]')
    phone.get_by_test_id("field-error").wait_for()
    assert page.get_by_label("儿童姓名").input_value() == "陈小雨"  # input kept
    assert page.get_by_label("体重（千克）").input_value() == "10.4"
    assert Child.objects.count() == 0
    page.get_by_label("监护人手机号码").fill("13812345678")
    page.get_by_test_id("enrol-submit").click()
    page.get_by_test_id("growth-table").wait_for()
    child = Child.objects.get()
    assert page.url.endswith(f"/children/{child.pk}/")
    assert "陈小雨" not in page.content() and child.name_masked in page.content()
    assert page.get_by_test_id("growth-table").locator("tbody tr").count() == 1
