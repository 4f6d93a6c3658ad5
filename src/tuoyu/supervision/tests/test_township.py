"""The township view (P-ORG-2: 镇乡街道 know every institution in their area): institutions,
open orders and complaints of the township only."""

from __future__ import annotations

from tests.factories import RectificationOrderFactory
from tuoyu.supervision import services


def test_township_sees_its_area_only(make_filed, district, township_user, client, health_user):
    here = make_filed(name="多湖托育园")
    there = make_filed(name="东孝托育园", township=district["dongxiao"])
    RectificationOrderFactory(inspection__institution=here, inspection__inspector=health_user)
    RectificationOrderFactory(inspection__institution=there, inspection__inspector=health_user)
    services.complaint_file(uscc=here.uscc, category="other", description="多湖的投诉")
    services.complaint_file(uscc=there.uscc, category="other", description="东孝的投诉")
    client.force_login(township_user)
    html = client.get("/supervision/townships/").content.decode()
    assert "多湖托育园" in html and "东孝托育园" not in html
    assert html.count("保健观察室未配备观察床") == 1


def test_department_chooses_a_township(make_filed, district, client, health_user):
    make_filed(name="东孝托育园", township=district["dongxiao"])
    client.force_login(health_user)
    html = client.get("/supervision/townships/", {"township": district["dongxiao"].code})
    assert "东孝托育园" in html.content.decode()
    assert client.get("/supervision/townships/", {"township": "999"}).status_code == 404


def test_institution_has_no_township_view(institution_user, client):
    client.force_login(institution_user)
    assert client.get("/supervision/townships/").status_code == 403


def test_institution_page_has_a_supervision_tab(make_filed, health_user, client, dongxiao_user):
    here = make_filed(name="多湖托育园")
    RectificationOrderFactory(inspection__institution=here, inspection__inspector=health_user)
    client.force_login(health_user)
    html = client.get(f"/institutions/{here.pk}/", {"tab": "supervision"}).content.decode()
    assert 'data-pane="supervision"' in html and "保健观察室未配备观察床" in html
    client.force_login(dongxiao_user)
    assert client.get(f"/institutions/{here.pk}/", {"tab": "supervision"}).status_code == 404
