"""The caregiver's class page (P-HC-3) and the alert pages (P-HC-6): defaults present and
normal, only exceptions typed, submitting twice stores once; pages scoped."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import ChildFactory, HealthCheckFactory
from tuoyu.children.models import HealthCheck, OutbreakAlert

pytestmark = pytest.mark.django_db


@pytest.fixture
def kids(large_class):
    from tuoyu.children.tests.conftest import months_ago

    return [ChildFactory(care_class=large_class, birth_date=months_ago(30)) for _ in range(4)]


def test_class_page_defaults_and_exception(client, nursery_user, large_class, kids, today):
    client.force_login(nursery_user)
    url = f"/children/classes/{large_class.pk}/check/"
    assert client.get(url).status_code == 200
    form = {
        "date": today.isoformat(),
        "session": "morning",
        f"att-{kids[1].pk}": "absent_sick",
        f"sym-{kids[1].pk}": ["fever", "cough"],
        f"temp-{kids[2].pk}": "37.9",
    }
    r = client.post(url, form)
    assert r.status_code == 302
    checks = {c.child_id: c for c in HealthCheck.objects.all()}
    assert len(checks) == 4
    assert checks[kids[0].pk].attendance == "present" and checks[kids[0].pk].symptoms == ""
    assert checks[kids[1].pk].attendance == "absent_sick"
    assert checks[kids[1].pk].symptoms == ",cough,fever,"
    assert str(checks[kids[2].pk].temperature_c) == "37.9"
    client.post(url, form)  # a second submission stores nothing more
    assert HealthCheck.objects.count() == 4


def test_bad_temperature_is_reported_not_stored(client, nursery_user, large_class, kids, today):
    client.force_login(nursery_user)
    url = f"/children/classes/{large_class.pk}/check/"
    r = client.post(
        url, {"date": today.isoformat(), "session": "noon", f"temp-{kids[0].pk}": "45"}, follow=True
    )
    assert "体温应在" in r.content.decode()
    assert HealthCheck.objects.count() == 3


def test_other_institutions_class_is_404(client, make_user, make_filed, large_class):
    client.force_login(make_user("zz", institution=make_filed()))
    assert client.get(f"/children/classes/{large_class.pk}/check/").status_code == 404


def _cluster(kids, today):
    for k in kids[:3]:
        HealthCheckFactory(child=k, date=today, symptoms=",fever,")
    from tuoyu.children.services.outbreak import outbreak_evaluate

    rows = [{"date": today, "symptoms": ",fever,", "care_class_id": kids[0].care_class_id}]
    return outbreak_evaluate(acting_user=None, institution=kids[0].institution, rows=rows)


def test_alert_pages_scoped(client, kids, today, health_user, make_user, market_user):
    (alert,) = _cluster(kids, today)
    client.force_login(health_user)
    assert f'data-alert="{alert.pk}"' in client.get("/children/alerts/").content.decode()
    r = client.get(f"/children/alerts/{alert.pk}/")
    assert r.status_code == 200 and r.content.decode().count("<li>") >= 3
    # 东孝街道 does not see 多湖街道's alert
    client.force_login(make_user("dongxiao", township="dongxiao"))
    assert f'data-alert="{alert.pk}"' not in client.get("/children/alerts/").content.decode()
    assert client.get(f"/children/alerts/{alert.pk}/").status_code == 404
    client.force_login(market_user)
    assert client.get("/children/alerts/").status_code == 403


def test_close_alert_from_page(client, kids, today, health_user):
    (alert,) = _cluster(kids, today)
    client.force_login(health_user)
    url = f"/children/alerts/{alert.pk}/handle/"
    client.post(url, {"do": "close", "action_taken": ""})
    assert OutbreakAlert.objects.get().status == "open"
    client.post(url, {"do": "close", "action_taken": "已报告区疾控中心"})
    assert OutbreakAlert.objects.get().status == "closed"


def test_child_page_growth_table_names_reference_and_records_exam(
    client, nursery_user, kids, health_user, make_user, make_filed, today
):
    child = kids[0]
    client.force_login(nursery_user)
    day = (today - dt.timedelta(days=10)).isoformat()
    form = {"examined_on": day, "kind": "periodic", "weight_kg": "12.0", "height_cm": "88.0"}
    assert client.post(f"/children/{child.pk}/", form).status_code == 302
    page = client.get(f"/children/{child.pk}/").content.decode()
    assert "WHO Child Growth Standards 2006" in page and 'id="growth-data"' in page
    # 区卫健局 reads, does not record; another institution gets 404
    client.force_login(health_user)
    assert 'data-testid="exam-form"' not in client.get(f"/children/{child.pk}/").content.decode()
    client.force_login(make_user("qq", institution=make_filed()))
    assert client.get(f"/children/{child.pk}/").status_code == 404
