"""The complainant's phone: masked for the department handling the complaint, revealed by
查看 through `personal_value_reveal` (audited); anonymous complaints keep none; another
department gets 404 (P-SUP-4, PIPL). And navigation honesty: each supervision entry is
shown only to the roles whose page it opens (per demo role)."""

from __future__ import annotations

import pytest

from tuoyu.accounts.seeding import DEPARTMENT_ACCOUNTS
from tuoyu.audit.models import AuditEvent
from tuoyu.supervision import services
from tuoyu.web.navigation import entries_for

PHONE = "13857901234"


@pytest.fixture
def food_complaint(filed):
    # food → 区市场监管局 (routing policy data)
    return services.complaint_file(
        uscc=filed.uscc, category="food", description="饭菜变质", contact_phone=PHONE
    )


def test_the_handling_department_sees_the_phone_masked_and_reveals_it(
    food_complaint, market_user, client
):
    client.force_login(market_user)
    html = client.get(f"/supervision/complaints/{food_complaint.pk}/").content.decode()
    assert PHONE not in html and 'data-testid="reveal-phone"' in html
    assert not AuditEvent.objects.filter(action="audit.personal_data.read").exists()
    response = client.post(f"/supervision/complaints/{food_complaint.pk}/phone/")
    assert response.status_code == 200
    assert f'data-testid="contact-clear">{PHONE}<' in response.content.decode()
    row = AuditEvent.objects.get(action="audit.personal_data.read")
    assert row.actor_username == market_user.username
    assert row.object_id == str(food_complaint.pk) and row.detail["field"] == "contact_phone"


def test_another_department_gets_404(food_complaint, fire_user, client):
    client.force_login(fire_user)
    assert client.post(f"/supervision/complaints/{food_complaint.pk}/phone/").status_code == 404
    assert not AuditEvent.objects.filter(action="audit.personal_data.read").exists()


def test_a_township_or_institution_never_reveals(food_complaint, township_user, client):
    client.force_login(township_user)
    assert client.post(f"/supervision/complaints/{food_complaint.pk}/phone/").status_code in (
        403,
        404,
    )
    assert not AuditEvent.objects.filter(action="audit.personal_data.read").exists()


def test_an_anonymous_complaint_has_no_phone(filed, health_user, client):
    complaint = services.complaint_file(
        uscc=filed.uscc,
        category="other",
        description="匿名投诉",
        contact_phone=PHONE,
        anonymous=True,
    )
    client.force_login(health_user)
    html = client.get(f"/supervision/complaints/{complaint.pk}/").content.decode()
    assert 'data-testid="reveal-phone"' not in html
    assert client.post(f"/supervision/complaints/{complaint.pk}/phone/").status_code == 404


SUPERVISION_PAGES = {
    "supervision:complaints",
    "supervision:inspections",
    "supervision:plans",
    "supervision:orders",
    "supervision:risk",
    "supervision:blacklist",
    "supervision:township",
    "supervision:cases",
}
INSPECTING = {"health", "market_regulation", "fire_rescue", "housing", "public_security"}


def _roles(make_user, institution):
    users = {
        code: make_user(username, department=code)
        for username, (code, _name) in DEPARTMENT_ACCOUNTS.items()
    }
    users["township"] = make_user("duohu", township="duohu")
    users["institution"] = make_user("jigou", institution=institution)
    return users


def test_navigation_offers_only_pages_the_role_can_open(make_user, institution, client):
    """Every supervision entry shown opens (200); every entry hidden would refuse (403)."""
    for role, user in _roles(make_user, institution).items():
        shown = {e["url_name"]: e["url"] for e in entries_for(user)}
        client.force_login(user)
        for name in SUPERVISION_PAGES:
            from django.urls import reverse

            status = client.get(reverse(name)).status_code
            if name in shown:
                assert status == 200, (role, name, status)
            else:
                assert status in (403, 404), (role, name, status)


def test_human_resources_is_not_offered_inspections(make_user, institution):
    users = _roles(make_user, institution)
    names = lambda role: {e["url_name"] for e in entries_for(users[role])}  # noqa: E731
    assert "supervision:inspections" not in names("human_resources")
    assert "supervision:orders" not in names("human_resources")
    assert "supervision:complaints" in names("human_resources")
    for code in INSPECTING:
        assert {"supervision:inspections", "supervision:plans"} <= names(code), code
    assert "supervision:inspections" in names("township")
    assert "supervision:plans" not in names("township")
    # the description names only actions the role can take
    texts = {e["url_name"]: e["description"] for e in entries_for(users["institution"])}
    assert "12345" not in texts["supervision:complaints"]
    assert "下达整改通知" not in texts["supervision:inspections"]
