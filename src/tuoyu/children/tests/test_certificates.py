"""P-HC-3: a child sent home returns only with a medical certificate. The class page refuses
`present` for such a child (`medical_certificate_required`) until the certificate (date,
issuing hospital, optional scan) is recorded. The batch API does not: API-CONTRACT §3 lists
no code for it (stated decision)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import ChildFactory, HealthCheckFactory
from tuoyu.audit.models import AuditEvent
from tuoyu.children.models import HealthCheck, MedicalCertificate
from tuoyu.children.tests.conftest import months_ago, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_home(large_class, today):
    child = ChildFactory(care_class=large_class, birth_date=months_ago(30))
    yesterday = today - dt.timedelta(days=1)
    HealthCheckFactory(
        child=child, date=yesterday, symptoms=",fever,", temperature_c="38.5", action="sent_home"
    )
    return child


def _page(client, large_class, today):
    url = f"/children/classes/{large_class.pk}/check/"
    return url, client.post(url, {"date": today.isoformat(), "session": "morning"}, follow=True)


def test_class_page_refuses_present_until_certificate(
    client, nursery_user, large_class, sent_home, today
):
    """P-HC-3: refused with the coded error, shown in words; stored after the certificate."""
    client.force_login(nursery_user)
    url = f"/children/classes/{large_class.pk}/check/"
    page = client.get(url, {"date": today.isoformat(), "session": "morning"}).content.decode()
    assert 'data-testid="needs-certificate"' in page
    _, r = _page(client, large_class, today)
    assert "须先登记医学证明" in r.content.decode()
    assert not HealthCheck.objects.filter(child=sent_home, date=today).exists()
    # the certificate: before the sent-home day is refused, next to its field
    cert_url = f"/children/{sent_home.pk}/certificate/"
    r = client.post(
        cert_url,
        {"issued_on": (today - dt.timedelta(days=3)).isoformat(), "hospital": "金东区人民医院"},
    )
    assert r.status_code == 400 and "早于离园日期" in r.content.decode()
    assert 'value="金东区人民医院"' in r.content.decode()  # input kept
    scan = SimpleUploadedFile("zm.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    r = client.post(
        cert_url, {"issued_on": today.isoformat(), "hospital": "金东区人民医院", "scan": scan}
    )
    assert r.status_code == 302
    certificate = MedicalCertificate.objects.get()
    assert certificate.scan.name and certificate.hospital == "金东区人民医院"
    assert AuditEvent.objects.filter(action="children.medical_certificate.recorded").exists()
    _, r = _page(client, large_class, today)
    assert HealthCheck.objects.get(child=sent_home, date=today).attendance == "present"
    # no pending sent-home any more: a second certificate is refused
    r = client.post(cert_url, {"issued_on": today.isoformat(), "hospital": "某医院"})
    assert "没有待补交医学证明" in r.content.decode()


def test_absent_allowed_and_same_check_not_blocked(
    client, nursery_user, large_class, sent_home, today
):
    client.force_login(nursery_user)
    url = f"/children/classes/{large_class.pk}/check/"
    client.post(
        url,
        {"date": today.isoformat(), "session": "morning", f"att-{sent_home.pk}": "absent_sick"},
    )
    assert HealthCheck.objects.get(child=sent_home, date=today).attendance == "absent_sick"


def test_sent_home_this_morning_blocks_noon_only(client, nursery_user, large_class, today):
    """The check that sends the child home records the child present; the next session
    needs the certificate."""
    child = ChildFactory(care_class=large_class, birth_date=months_ago(30))
    client.force_login(nursery_user)
    url = f"/children/classes/{large_class.pk}/check/"
    client.post(
        url,
        {
            "date": today.isoformat(),
            "session": "morning",
            f"temp-{child.pk}": "38.6",
            f"sym-{child.pk}": ["fever"],
            f"act-{child.pk}": "sent_home",
        },
    )
    assert HealthCheck.objects.get(child=child, session="morning").action == "sent_home"
    r = client.post(url, {"date": today.isoformat(), "session": "noon"}, follow=True)
    assert "须先登记医学证明" in r.content.decode()
    assert not HealthCheck.objects.filter(child=child, session="noon").exists()


def test_batch_api_does_not_refuse(nursery, nursery_api, sent_home, today):
    """API-CONTRACT §3 has no code for a missing certificate: the API stores the record."""
    body = {
        "records": [
            {
                "record_id": "api-1",
                "child_id": sent_home.pk,
                "date": today.isoformat(),
                "session": "morning",
                "attendance": "present",
            }
        ]
    }
    r = post(nursery_api, f"/api/v1/institutions/{nursery.uscc}/health-checks", body)
    assert r.status_code == 200 and r.json()["accepted"] == 1


def test_other_institution_cannot_record(client, make_user, make_filed, sent_home, today):
    client.force_login(make_user("other", institution=make_filed()))
    r = client.post(
        f"/children/{sent_home.pk}/certificate/",
        {"issued_on": today.isoformat(), "hospital": "某医院"},
    )
    assert r.status_code == 404 and MedicalCertificate.objects.count() == 0
