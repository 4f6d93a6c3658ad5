"""[children] Done-when: a caregiver records a class's morning check in the browser (phone
size, defaults present and normal, only the exceptions typed) and a planted cluster raises
an outbreak alert (P-HC-6) that 区卫健局 then sees with the children behind it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.e2e.conftest import login
from tests.factories import PASSWORD, CareClassFactory, ChildFactory, HealthCheckFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_morning_check_raises_alert_seen_by_health_bureau(page, make_filed, make_user, health_user):
    nursery = make_filed(classes=())
    care_class = CareClassFactory(
        institution=nursery, class_type="toddler_small", name="托小一班", capacity=15, filed=True
    )
    kids = [ChildFactory(care_class=care_class) for _ in range(6)]
    make_user("baoyu", institution=nursery)
    today = timezone.localdate()
    # the planted cluster: two children already had a fever at this morning's check
    for child in kids[:2]:
        HealthCheckFactory(child=child, date=today, symptoms=",fever,", temperature_c="38.1")

    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "baoyu", PASSWORD)
    page.goto("/children/classes/")
    page.locator(f'[data-class="{care_class.pk}"]').click()
    page.get_by_test_id("check-form").wait_for()
    page.goto(f"/children/classes/{care_class.pk}/check/?session=morning")
    third = kids[2].pk
    # keyboard only: type the temperature, open the symptoms, tick fever with the space bar
    page.locator(f"#temp-{third}").focus()
    page.keyboard.type("38.4")
    summary = page.locator(f'[data-child="{third}"] summary')
    summary.focus()
    page.keyboard.press("Enter")
    page.locator(f"#sym-{third}-fever").focus()
    page.keyboard.press("Space")
    page.get_by_test_id("save-checks").click()
    page.locator(".alert").filter(has_text="传染病聚集性预警").wait_for()
    assert page.get_by_test_id("done").count() == 6  # everyone recorded, four by default
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, "weijian", PASSWORD)
    page.goto("/children/alerts/")
    row = page.get_by_test_id("alert-table").locator("tbody tr").first
    assert nursery.name in row.inner_text() and "发热" in row.inner_text()
    row.get_by_role("link").click()
    assert page.get_by_test_id("alert-children").locator("li").count() == 3


def test_growth_chart_draws_under_the_csp(page, make_filed, make_user):
    """P-HC-2: the child's page shows the growth table and an ECharts chart (from npm, a
    static script: no CSP violation)."""
    import datetime as dt

    from tests.factories import ExaminationFactory

    nursery = make_filed(classes=())
    care_class = CareClassFactory(institution=nursery, class_type="toddler_small", filed=True)
    child = ChildFactory(care_class=care_class, gender="female")
    for days, weight, height in ((300, "8.1", "70.5"), (100, "9.4", "76.0")):
        ExaminationFactory(
            child=child,
            kind="periodic",
            examined_on=timezone.localdate() - dt.timedelta(days=days),
            weight_kg=weight,
            height_cm=height,
            waz="-0.50",
            haz="0.10",
            whz="-0.80",
            growth_reference="WHO Child Growth Standards 2006",
        )
    make_user("baojian", institution=nursery)
    violations = []
    page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )
    login(page, "baojian", PASSWORD)
    page.goto(f"/children/{child.pk}/")
    page.locator('[data-testid="growth-chart"][data-rendered="1"]').wait_for()
    assert page.get_by_test_id("growth-table").locator("tbody tr").count() == 2
    assert violations == []
