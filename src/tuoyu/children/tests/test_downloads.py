"""P-HC-3: the scan of a medical certificate (a child sent home returns with one) is served,
not only stored: a download for the child's institution, the township the institution is
located in and 区卫健局 (`scopes.children_visible`); anyone else — another institution,
another township, a department without health scope, an operator — gets 404, as for a
certificate that does not exist. Every download is audited as a reading of personal data
(a child's health document). The entry examination's form (P-HC-1) is served the same way
(tests/test_exam_scans.py)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import ChildFactory, HealthCheckFactory
from tuoyu.audit.models import AuditEvent
from tuoyu.audit.presentation import event_words
from tuoyu.children.catalogue import ChildrenAction
from tuoyu.children.models import MedicalCertificate
from tuoyu.children.services.certificates import medical_certificate_record
from tuoyu.children.tests.conftest import months_ago

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n%test certificate\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _certificate(user, care_class, today, *, scan=None) -> MedicalCertificate:
    child = ChildFactory(care_class=care_class, birth_date=months_ago(30), name="王小明")
    HealthCheckFactory(
        child=child,
        date=today - dt.timedelta(days=2),
        symptoms=",fever,",
        temperature_c="38.5",
        action="sent_home",
    )
    return medical_certificate_record(
        acting_user=user,
        child=child,
        issued_on=today - dt.timedelta(days=1),
        hospital="金东区人民医院",
        scan=scan,
    )


@pytest.fixture
def certificate(nursery_user, large_class, today, media_root):
    scan = SimpleUploadedFile("王小明证明.pdf", PDF_BYTES, content_type="application/pdf")
    return _certificate(nursery_user, large_class, today, scan=scan)


def _url(certificate) -> str:
    return reverse("children:certificate_scan", args=[certificate.pk])


def _downloads():
    return list(AuditEvent.objects.filter(action=ChildrenAction.CERTIFICATE_SCAN_DOWNLOADED))


@pytest.mark.parametrize("role", ["nursery_user", "township_user", "health_user"])
def test_p_hc_3_the_scan_is_downloaded_by_those_in_scope(client, request, role, certificate):
    """P-HC-3: the child's institution, its township and 区卫健局 download the scan: the
    file with its content type, as an attachment with a Chinese name, never sniffed, never
    cached; one audit event per download."""
    user = request.getfixturevalue(role)
    client.force_login(user)

    response = client.get(_url(certificate))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    name = f"返园医学证明-{certificate.issued_on:%Y%m%d}.pdf"
    assert f"filename*=utf-8''{quote(name)}" in disposition
    assert "王" not in name  # the child's name stays out of download histories
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    (event,) = _downloads()
    assert event.actor_id == user.pk
    assert event.kind == AuditEvent.Kind.PII_READ  # a child's health document
    assert event.object_type == "children.medicalcertificate"
    assert event.object_id == str(certificate.pk)
    assert "王小明" not in event.object_label  # masked, as on the pages
    assert event.detail["child_id"] == certificate.child_id
    assert event.detail["institution_id"] == certificate.institution_id
    assert event.detail["size"] == len(PDF_BYTES)
    assert event.request_id == response["X-Request-ID"]
    # the audit page reads it in words: a Chinese sentence, every detail labelled
    words = event_words(event)
    assert "下载返园医学证明扫描件" in words.sentence
    assert {d.key: d.label for d in words.details} == {
        "child_id": "儿童",
        "institution_id": "机构",
        "issued_on": "开具日期",
        "size": "大小（字节）",
    }


@pytest.mark.parametrize(
    "role",
    [
        "other_institution_user",  # another nursery, even in the same township
        "other_township_user",  # 东孝街道: the nursery is located in 多湖街道
        "finance_user",  # a department without health scope
        "education_user",
        "market_user",
        "system_user",  # an operator: no domain data
    ],
)
def test_p_hc_3_anyone_else_gets_404_and_nothing_is_recorded(client, request, role, certificate):
    """P-HC-3: outside the scope is 404 like a certificate that does not exist (no 403
    that would tell the certificate is there), and no download is recorded."""
    client.force_login(request.getfixturevalue(role))

    response = client.get(_url(certificate))

    assert response.status_code == 404
    assert response.get("Content-Disposition") is None
    assert _downloads() == []
    missing = client.get(reverse("children:certificate_scan", args=[certificate.pk + 1000]))
    assert missing.status_code == 404


def test_p_hc_3_the_anonymous_are_sent_to_log_in(client, certificate):
    response = client.get(_url(certificate))
    assert response.status_code == 302 and "/login" in response["Location"]
    assert _downloads() == []


def test_p_hc_3_a_certificate_without_scan_has_no_download(
    client, nursery_user, health_user, large_class, today, media_root
):
    certificate = _certificate(nursery_user, large_class, today)
    client.force_login(health_user)

    assert client.get(_url(certificate)).status_code == 404
    page = client.get(reverse("children:child", args=[certificate.child_id])).content.decode()
    assert 'data-testid="certificates"' in page and "未上传扫描件" in page
    assert _url(certificate) not in page
    assert _downloads() == []


def test_p_hc_3_a_png_scan_is_served_as_png(client, nursery_user, large_class, today, media_root):
    scan = SimpleUploadedFile("zm.png", PNG_BYTES, content_type="image/png")
    certificate = _certificate(nursery_user, large_class, today, scan=scan)
    client.force_login(nursery_user)

    response = client.get(_url(certificate))

    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].endswith(quote(".png"))


@pytest.mark.parametrize("role", ["nursery_user", "township_user", "health_user"])
def test_p_hc_3_the_childs_page_links_the_scan_in_words(client, request, role, certificate):
    """P-HC-3: the child's page lists the child's medical certificates with a download link
    named in words."""
    client.force_login(request.getfixturevalue(role))

    page = client.get(reverse("children:child", args=[certificate.child_id])).content.decode()

    assert 'data-testid="certificates"' in page
    assert "金东区人民医院" in page
    assert f'href="{_url(certificate)}"' in page
    assert "下载扫描件" in page
    assert _downloads() == []  # showing the link downloads nothing


def test_p_hc_3_the_certificate_page_links_the_recorded_scans(client, nursery_user, certificate):
    client.force_login(nursery_user)

    page = client.get(reverse("children:certificate", args=[certificate.child_id])).content.decode()

    assert 'data-testid="certificates"' in page
    assert f'href="{_url(certificate)}"' in page and "下载扫描件" in page
