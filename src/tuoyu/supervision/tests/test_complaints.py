"""Complaints (P-SUP-4, API-CONTRACT §6): the public API and the portal, routing by category
(policy data), the deadline, urgent abuse allegations (P-SUP-6), the reply read by tracking
number, bad input, personal data and scopes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client

from tuoyu import policy
from tuoyu.core.errors import DomainError
from tuoyu.supervision import selectors, services
from tuoyu.supervision.models import Complaint, CreditEvent

URL = "/api/v1/public/complaints"


def post(client, body, **extra):
    return client.post(URL, body, content_type="application/json", **extra)


def body(institution, **kw):
    return {
        "uscc": institution.uscc,
        "category": "health_care",
        "description": "午睡室通风不好",
        "anonymous": False,
        "contact_phone": "13812345678",
        **kw,
    }


@pytest.fixture
def complaint(filed):
    return services.complaint_file(
        uscc=filed.uscc, category="food", description="饭菜有异味", contact_phone="13812345678"
    )


def test_p_sup_4_api_files_and_tracks_without_token(filed, client):
    response = post(client, body(filed))
    assert response.status_code == 201
    number = response.json()["tracking_number"]
    assert set(response.json()) == {"tracking_number"}
    status = client.get(f"{URL}/{number}").json()
    assert status["status"] == "received"
    assert "reply" not in status or status["reply"] is None
    assert "updated_at" in status


def test_p_sup_4_routed_by_category_with_the_policy_deadline(filed):
    rules = policy.at(policy.today()).supervision
    c = services.complaint_file(uscc=filed.uscc, category="food", description="饭菜有异味")
    assert c.department_code == rules.complaint_routing["food"] == "market_regulation"
    assert c.due_on == policy.today() + dt.timedelta(rules.complaint_answer_days)
    assert not c.urgent and c.notified_departments == ""


def test_p_sup_6_abuse_goes_at_once_to_health_and_police(filed, police_user, market_user):
    c = services.complaint_file(uscc=filed.uscc, category="abuse", description="老师打孩子")
    rules = policy.at(policy.today()).supervision
    assert c.urgent
    assert c.due_on == policy.today() + dt.timedelta(rules.complaint_urgent_answer_days)
    assert selectors.complaints(acting_user=police_user).filter(pk=c.pk).exists()
    assert not selectors.complaints(acting_user=market_user).filter(pk=c.pk).exists()


def test_p_sup_4_answered_by_its_department_and_read_by_tracking_number(
    complaint, market_user, client
):
    services.complaint_answer(
        acting_user=market_user, complaint_id=complaint.pk, reply="已约谈整改", substantiated=True
    )
    status = client.get(f"{URL}/{complaint.tracking_number}").json()
    assert status == {**status, "status": "answered", "reply": "已约谈整改"}
    # a substantiated complaint is a credit event (P-SUP-5)
    event = CreditEvent.objects.get(institution=complaint.institution)
    assert event.kind == "substantiated_complaint" and event.points < 0


def test_another_department_cannot_answer(complaint, fire_user, health_user):
    # fire_rescue is not told of a food complaint: 404 like what does not exist
    with pytest.raises(DomainError) as exc:
        services.complaint_answer(
            acting_user=fire_user, complaint_id=complaint.pk, reply="x", substantiated=False
        )
    assert exc.value.status == 404
    # 区卫健局 (lead) may answer any
    services.complaint_answer(
        acting_user=health_user, complaint_id=complaint.pk, reply="已转办", substantiated=False
    )
    with pytest.raises(DomainError) as exc:
        services.complaint_answer(
            acting_user=health_user, complaint_id=complaint.pk, reply="再答", substantiated=False
        )
    assert exc.value.code == "complaint_already_answered"


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"description": "   "}, "description", "complaint_text_empty"),
        ({"description": "长" * 2001}, "description", "complaint_text_too_long"),
        ({"uscc": "91330703MA2HXXXXX0"}, "uscc", "complaint_unknown_institution"),
        ({"category": "ufo"}, "category", "complaint_unknown_category"),
        ({"contact_phone": "12"}, "contact_phone", "phone_format"),
    ],
)
def test_bad_input_is_a_coded_422(filed, client, change, field, code):
    response = post(client, body(filed, **change))
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (error["code"], error.get("field")) == (code, field)
    assert not Complaint.objects.exists()


def test_oversized_body_is_413(filed, client):
    response = post(client, body(filed, description="长" * 6000))
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "request_too_large"


def test_rate_limited_per_sender(filed, client, settings):
    settings.TUOYU_COMPLAINT_RATE_PER_HOUR = 2
    assert post(client, body(filed)).status_code == 201
    assert post(client, body(filed)).status_code == 201
    response = post(client, body(filed))
    assert response.status_code == 429
    assert response.json()["errors"][0]["code"] == "complaint_rate_limited"
    # another address is not limited
    assert post(Client(REMOTE_ADDR="10.0.0.9"), body(filed)).status_code == 201


def test_unknown_tracking_number_is_404(client, db):
    assert client.get(f"{URL}/TSNOPE").status_code == 404


def test_phone_encrypted_and_masked_anonymity_keeps_none(filed):
    named = services.complaint_file(
        uscc=filed.uscc, category="fees", description="多收费", contact_phone="13812345678"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_phone FROM supervision_complaint WHERE id = %s", [named.pk])
        raw = cursor.fetchone()[0]
    assert raw and "13812345678" not in raw
    assert Complaint.objects.get(pk=named.pk).contact_phone.masked == "138****5678"
    anonymous = services.complaint_file(
        uscc=filed.uscc,
        category="fees",
        description="多收费",
        contact_phone="13812345678",
        anonymous=True,
    )
    assert Complaint.objects.get(pk=anonymous.pk).contact_phone == ""


def test_html_is_stored_as_text_and_escaped(filed, client, health_user):
    script = '<script>alert("x")</script><b>粗</b>'
    c = services.complaint_file(uscc=filed.uscc, category="other", description=script)
    assert Complaint.objects.get(pk=c.pk).description == script
    client.force_login(health_user)
    html = client.get(f"/supervision/complaints/{c.pk}/").content.decode()
    assert "&lt;script&gt;" in html and "<script>alert" not in html


def test_p_org_2_township_sees_its_area_only_and_institution_never_the_complainant(
    complaint, township_user, dongxiao_user, make_user, client
):
    assert selectors.complaints(acting_user=township_user).filter(pk=complaint.pk).exists()
    assert not selectors.complaints(acting_user=dongxiao_user).exists()
    owner = make_user("xiaoxiangshu", institution=complaint.institution)
    assert selectors.complaints(acting_user=owner).filter(pk=complaint.pk).exists()
    client.force_login(owner)
    html = client.get(f"/supervision/complaints/{complaint.pk}/").content.decode()
    assert "饭菜有异味" in html
    assert "5678" not in html and 'data-testid="contact"' not in html
    client.force_login(dongxiao_user)
    assert client.get(f"/supervision/complaints/{complaint.pk}/").status_code == 404


def test_overdue_flag(filed, health_user, client):
    c = services.complaint_file(uscc=filed.uscc, category="other", description="其他问题")
    Complaint.objects.filter(pk=c.pk).update(due_on=policy.today() - dt.timedelta(1))
    assert selectors.complaint_counts(acting_user=health_user)["overdue"] == 1
    client.force_login(health_user)
    assert 'data-testid="overdue"' in client.get("/supervision/complaints/").content.decode()


def test_portal_form_without_login_and_status_page(filed, client):
    response = client.post(
        "/supervision/public/complaints/new/",
        {"uscc": filed.uscc, "category": "fire", "description": "楼道堆放杂物"},
    )
    assert response.status_code == 200
    c = Complaint.objects.get()
    assert c.channel == "portal" and c.department_code == "fire_rescue"
    assert c.tracking_number in response.content.decode()
    page = client.get("/supervision/public/complaints/status/", {"number": c.tracking_number})
    assert "已受理" in page.content.decode()
    bad = client.post(
        "/supervision/public/complaints/new/",
        {"uscc": filed.uscc, "category": "fire", "description": ""},
    )
    assert bad.status_code == 400 and "请填写投诉内容" in bad.content.decode()


def test_hotline_entered_by_staff(filed, market_user, client):
    client.force_login(market_user)
    response = client.post(
        "/supervision/complaints/hotline/",
        {"uscc": filed.uscc, "category": "food", "description": "12345 转来：食物变质"},
    )
    assert response.status_code == 302
    c = Complaint.objects.get()
    assert c.channel == "hotline" and c.entered_by == market_user
