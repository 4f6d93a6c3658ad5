"""P-WF-1: a certificate carries its scan — a private upload (PDF, JPEG or PNG by content,
size-limited, `tuoyu.core.uploads`), attached or replaced by the institution itself, opened
by the institution, 区卫健局 and the township in scope, every opening audited; P-RET-2
deletes the scans of an anonymised person."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import CertificateFactory, PersonFactory, StaffMemberFactory
from tuoyu.audit.models import AuditEvent
from tuoyu.core.errors import DomainError, NotFound
from tuoyu.institutions.tests.conftest import PDF_BYTES, pdf_upload
from tuoyu.workforce import services
from tuoyu.workforce.catalogue import WorkforceAction
from tuoyu.workforce.models import Certificate
from tuoyu.workforce.tests.test_retention import run_retention

pytestmark = pytest.mark.django_db

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _files(media_root) -> list:
    return sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []


@pytest.fixture
def certificate(filed, filed_user, add_staff):
    staff = add_staff(
        filed_user,
        filed,
        1,
        certificates=[
            {"kind": "childcare_worker", "number": "BY001", "valid_from": dt.date(2024, 1, 1)}
        ],
    )
    return staff.certificates.get()


def _detail_post(client, certificate, upload):
    return client.post(
        reverse("workforce:staff", args=[certificate.staff_id]),
        {"action": "scan", "s-certificate": certificate.pk, "s-file": upload},
    )


def test_p_wf_1_upload_on_the_detail_page_stores_a_private_scan(
    client, filed_user, certificate, media_root
):
    client.force_login(filed_user)

    response = _detail_post(client, certificate, pdf_upload("张三保育员证.pdf"))

    assert response.status_code == 302
    certificate.refresh_from_db()
    assert (certificate.scan_name, certificate.scan_content_type) == (
        "张三保育员证.pdf",
        "application/pdf",
    )
    assert certificate.scan.name.startswith("workforce/certificates/")
    assert "张三" not in certificate.scan.name  # random stored name (core.filenames)
    (stored,) = _files(media_root)
    assert stored.read_bytes() == PDF_BYTES and oct(stored.stat().st_mode & 0o777) == "0o600"
    (event,) = AuditEvent.objects.filter(action=WorkforceAction.CERTIFICATE_SCAN_ATTACHED)
    assert event.actor_id == filed_user.pk and event.object_id == str(certificate.pk)
    assert event.detail["replaced"] is False and event.detail["size"] == len(PDF_BYTES)


def test_p_wf_1_a_certificate_added_with_its_scan(client, filed_user, filed, add_staff, media_root):
    staff = add_staff(filed_user, filed, 2)
    client.force_login(filed_user)
    response = client.post(
        reverse("workforce:staff", args=[staff.pk]),
        {
            "action": "certificate",
            "c-kind": "health_certificate",
            "c-valid_from": "2025-01-01",
            "c-scan": SimpleUploadedFile("健康证.png", PNG_BYTES, content_type="image/png"),
        },
    )
    assert response.status_code == 302
    certificate = staff.certificates.get()
    assert certificate.scan_content_type == "image/png" and len(_files(media_root)) == 1


def test_p_wf_1_replacing_a_scan_deletes_the_old_file(
    filed_user, certificate, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_scan_attach(
            acting_user=filed_user, certificate=certificate, file=pdf_upload("旧.pdf")
        )
    (old,) = _files(media_root)
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_scan_attach(
            acting_user=filed_user,
            certificate=certificate,
            file=SimpleUploadedFile("新.png", PNG_BYTES),
        )
    (new,) = _files(media_root)
    assert new != old and new.read_bytes() == PNG_BYTES
    certificate.refresh_from_db()
    assert certificate.scan_name == "新.png"
    events = AuditEvent.objects.filter(action=WorkforceAction.CERTIFICATE_SCAN_ATTACHED)
    assert [e.detail["replaced"] for e in events.order_by("seq")] == [False, True]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("证书.pdf", b"GIF89a not a pdf", "file_type_not_allowed"),
        ("证书.docx", PDF_BYTES, "file_type_not_allowed"),  # a PDF renamed: ext disagrees
        ("证书.pdf", b"", "file_empty"),
        ("证书.pdf", PDF_BYTES + b"0" * 200, "file_too_large"),
    ],
)
def test_p_wf_1_a_refused_file_writes_nothing(
    filed_user, certificate, media_root, settings, name, content, code
):
    settings.TUOYU_CERTIFICATE_SCAN_MAX_BYTES = 100
    with pytest.raises(DomainError) as exc:
        services.certificate_scan_attach(
            acting_user=filed_user, certificate=certificate, file=SimpleUploadedFile(name, content)
        )
    assert exc.value.code == code and exc.value.errors[0].field == "scan"
    assert _files(media_root) == []
    certificate.refresh_from_db()
    assert (certificate.scan.name, certificate.scan_name) == ("", "")
    assert not AuditEvent.objects.filter(action=WorkforceAction.CERTIFICATE_SCAN_ATTACHED).exists()


def test_p_wf_1_a_non_image_on_the_page_is_refused_in_words(
    client, filed_user, filed, add_staff, media_root
):
    staff = add_staff(filed_user, filed, 3)
    client.force_login(filed_user)
    response = client.post(
        reverse("workforce:staff", args=[staff.pk]),
        {
            "action": "certificate",
            "c-kind": "health_certificate",
            "c-valid_from": "2025-01-01",
            "c-scan": SimpleUploadedFile("证书.pdf", b"MZ\x90\x00 an executable"),
        },
    )
    assert response.status_code == 200
    assert "只接受" in response.content.decode()
    assert not staff.certificates.exists()  # the certificate is not written either
    assert _files(media_root) == []


def test_p_wf_1_another_institution_cannot_attach_or_open(
    client, make_user, make_institution, certificate, media_root
):
    other = make_user("other", institution=make_institution(name="别家托育有限公司"))
    with pytest.raises(NotFound):
        services.certificate_scan_attach(
            acting_user=other, certificate=certificate, file=pdf_upload()
        )
    client.force_login(other)
    assert _detail_post(client, certificate, pdf_upload()).status_code == 404
    assert _files(media_root) == []
    certificate.scan = pdf_upload()
    certificate.save()
    assert (
        client.get(reverse("workforce:certificate_scan", args=[certificate.pk])).status_code == 404
    )
    assert not AuditEvent.objects.filter(
        action=WorkforceAction.CERTIFICATE_SCAN_DOWNLOADED
    ).exists()


@pytest.fixture
def scanned(filed_user, certificate, media_root):
    return services.certificate_scan_attach(
        acting_user=filed_user, certificate=certificate, file=pdf_upload("证书.pdf")
    )


@pytest.mark.parametrize(
    ("route", "action", "disposition"),
    [
        ("workforce:certificate_scan", WorkforceAction.CERTIFICATE_SCAN_DOWNLOADED, "attachment"),
        ("workforce:certificate_scan_preview", WorkforceAction.CERTIFICATE_SCAN_VIEWED, "inline"),
    ],
)
def test_p_wf_1_a_scan_download_is_audited(
    client, health_user, scanned, route, action, disposition
):
    client.force_login(health_user)
    response = client.get(reverse(route, args=[scanned.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith(disposition)
    assert response["X-Content-Type-Options"] == "nosniff"
    (event,) = AuditEvent.objects.filter(action=action)
    assert event.actor_id == health_user.pk and event.object_id == str(scanned.pk)
    assert event.request_id == response["X-Request-ID"]


def test_p_wf_1_the_township_in_scope_sees_the_scan_others_do_not(
    client, township_user, make_user, market_user, scanned
):
    url = reverse("workforce:certificate_scan", args=[scanned.pk])
    client.force_login(township_user)  # 多湖街道: the institution is located there
    page = client.get(reverse("workforce:staff", args=[scanned.staff_id])).content.decode()
    assert url in page
    assert client.get(url).status_code == 200
    for outsider in (make_user("dongxiao", township="dongxiao"), market_user):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    events = AuditEvent.objects.filter(action=WorkforceAction.CERTIFICATE_SCAN_DOWNLOADED)
    assert list(events.values_list("actor_id", flat=True)) == [township_user.pk]


def test_p_wf_1_the_institution_opens_its_own_scan(client, filed_user, scanned):
    client.force_login(filed_user)
    page = client.get(reverse("workforce:staff", args=[scanned.staff_id])).content.decode()
    assert reverse("workforce:certificate_scan_preview", args=[scanned.pk]) in page
    assert 'data-testid="scan-form"' in page
    response = client.get(reverse("workforce:certificate_scan_preview", args=[scanned.pk]))
    assert response.status_code == 200


def test_p_ret_2_retention_deletes_the_scans_of_an_anonymised_person(
    make_institution, media_root, django_capture_on_commit_callbacks
):
    """The scan shows the holder's name and face: it goes with the certificate number."""
    institution = make_institution(name="甲托育")
    staff = StaffMemberFactory(
        institution=institution,
        person=PersonFactory(name="张旧"),
        hired_on=dt.date(2019, 1, 1),
        left_on=dt.date(2022, 1, 31),
    )
    old = CertificateFactory(staff=staff, scan=pdf_upload("张旧.pdf"), scan_name="张旧.pdf")
    current = CertificateFactory(
        staff=StaffMemberFactory(institution=institution), scan=pdf_upload()
    )
    old_path, current_path = media_root / old.scan.name, media_root / current.scan.name
    assert old_path.exists() and current_path.exists()

    with django_capture_on_commit_callbacks(execute=True):
        run_retention()

    old.refresh_from_db()
    assert (old.scan.name, old.scan_name, old.scan_content_type) == ("", "", "")
    assert not old_path.exists()
    assert current_path.exists()  # someone still employed keeps the scan
    assert Certificate.objects.filter(pk=old.pk).exists()  # the row (and the rate) stays
