"""The filing pages (P-REG-12, P-FIL-1..3): the institution files through the multi-section
form, reviewers see only their subjects, 区卫健局 decides, the receipt and its verification."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import COMPLIANT_STANDARDS
from tuoyu.audit.models import AuditEvent
from tuoyu.filings import checks
from tuoyu.filings.models import FilingApplication, FilingMaterial, SubjectReview
from tuoyu.filings.tests.conftest import BASIC, JPEG, PDF, PNG, approve_all

pytestmark = pytest.mark.django_db
PASSWORD = "pass-word-2020"


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def inst_client(client, institution_user):
    return login(client, institution_user)


def start(inst_client) -> FilingApplication:
    r = inst_client.post(reverse("filings:start"), {"kind": "initial"})
    assert r.status_code == 302
    return FilingApplication.objects.get()


def test_institution_files_through_the_form(inst_client, institution):
    r = inst_client.get(reverse("filings:mine"))
    assert r.status_code == 200 and "开始备案" in r.content.decode()
    app = start(inst_client)
    edit = reverse("filings:edit", args=[app.pk])
    page = inst_client.get(edit).content.decode()
    for section in (
        "一、基本信息",
        "二、班级",
        "三、人员配备",
        "四、设置标准",
        "五、备案材料",
        "六、承诺与提交",
    ):
        assert section in page
    assert "营利性" in page  # for-profit shown from registration

    r = inst_client.post(edit, {**BASIC, "action": "save:basic"})
    assert r.status_code == 302
    r = inst_client.post(
        edit,
        {
            "action": "class_add",
            "class-name": "托大一班",
            "class-class_type": "toddler_large",
            "class-capacity": "20",
        },
    )
    assert r.status_code == 302
    r = inst_client.post(
        edit,
        {
            "action": "class_add",
            "class-name": "乳儿一班",
            "class-class_type": "infant",
            "class-capacity": "12",
        },
    )
    assert r.status_code == 422
    assert "class_size_exceeds_standard" in r.content.decode()
    staff = {f"staff-{role}-count": "1" for role in checks.STAFF_ROLE_NAMES}
    staff.update({f"staff-{role}-certified": "1" for role in checks.STAFF_ROLE_NAMES})
    staff["staff-caregiver-count"] = "4"
    r = inst_client.post(edit, {**staff, "action": "save:staff"})
    assert r.status_code == 302
    # P-STD-2 / P-STD-3: the standards section (checkboxes "on", the rest as typed)
    standards = {
        f"std-{k}": ("on" if v is True else str(v))
        for k, v in COMPLIANT_STANDARDS.items()
        if v is not False
    }
    r = inst_client.post(edit, {**standards, "action": "save:standards"})
    assert r.status_code == 302

    # submitting incomplete: every missing material named, commitment required
    r = inst_client.post(edit, {"action": "submit"})
    assert r.status_code == 422
    body = r.content.decode()
    assert "commitment_required" in body and "material_missing" in body
    assert "食品经营许可证" in body  # meals served → food licence required

    for kind in [*checks.INITIAL_MATERIALS, "food_licence"]:
        r = inst_client.post(
            edit,
            {"action": "upload", "kind": kind, "file": SimpleUploadedFile(f"{kind}.pdf", PDF)},
        )
        assert r.status_code == 302, r.content.decode()[:500]
    r = inst_client.post(edit, {"action": "submit", "commitment_accepted": "on"})
    assert r.status_code == 302
    app.refresh_from_db()
    assert app.status == "in_review"
    page = inst_client.get(reverse("filings:mine")).content.decode()
    assert "审核中" in page and 'data-subject="fire"' in page


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("empty.pdf", b"", "file_empty"),
        ("fake.pdf", b"MZ\x90\x00 not a pdf at all", "file_type_not_allowed"),
        ("scan.exe", PDF, "file_type_not_allowed"),
        ("photo.png", JPEG, "file_type_not_allowed"),  # content and name disagree
        ("big.pdf", PDF + b"0" * 2048, "file_too_large"),
    ],
)
def test_upload_errors(inst_client, settings, name, content, code):
    settings.TUOYU_FILING_MATERIAL_MAX_BYTES = 1024
    app = start(inst_client)
    r = inst_client.post(
        reverse("filings:edit", args=[app.pk]),
        {"action": "upload", "kind": "business_licence", "file": SimpleUploadedFile(name, content)},
    )
    assert r.status_code == 422
    assert f'data-code="{code}"' in r.content.decode()
    assert not FilingMaterial.objects.exists()


@pytest.mark.parametrize(("name", "content"), [("a.pdf", PDF), ("b.png", PNG), ("c.JPG", JPEG)])
def test_upload_allowed_types(inst_client, name, content):
    app = start(inst_client)
    r = inst_client.post(
        reverse("filings:edit", args=[app.pk]),
        {"action": "upload", "kind": "business_licence", "file": SimpleUploadedFile(name, content)},
    )
    assert r.status_code == 302
    assert FilingMaterial.objects.get().original_name == name


def test_upload_without_file(inst_client):
    app = start(inst_client)
    r = inst_client.post(
        reverse("filings:edit", args=[app.pk]), {"action": "upload", "kind": "business_licence"}
    )
    assert r.status_code == 422 and "file_missing" in r.content.decode()


def test_reviewer_queue_scope_review_and_404_for_other_subject(client, submitted, reviewers):
    login(client, reviewers["fire"])
    page = client.get(reverse("filings:queue")).content.decode()
    assert 'data-subject="fire"' in page and 'data-subject="security"' not in page
    detail = client.get(reverse("filings:detail", args=[submitted.pk])).content.decode()
    assert 'data-testid="review-form-fire"' in detail
    assert 'data-testid="review-form-security"' not in detail
    security = SubjectReview.objects.get(application=submitted, subject="security")
    r = client.post(reverse("filings:review", args=[security.pk]), {"decision": "approve"})
    assert r.status_code == 404
    security.refresh_from_db()
    assert security.status == "pending"
    fire = SubjectReview.objects.get(application=submitted, subject="fire")
    r = client.post(
        reverse("filings:review", args=[fire.pk]), {"decision": "return", "reasons": ""}
    )
    assert r.status_code == 302
    fire.refresh_from_db()
    assert fire.status == "pending"  # a return without reason is refused
    r = client.post(
        reverse("filings:review", args=[fire.pk]),
        {"decision": "return", "reasons": "疏散通道被占用\n安全出口指示灯缺失", "confirmed": "1"},
    )
    fire.refresh_from_db()
    assert fire.status == "returned"
    assert fire.reasons == ["疏散通道被占用", "安全出口指示灯缺失"]


def test_other_institution_cannot_see_application_or_materials(
    client, submitted, make_institution, make_user
):
    other = make_user("other", institution=make_institution())
    login(client, other)
    assert client.get(reverse("filings:detail", args=[submitted.pk])).status_code == 404
    material = FilingMaterial.objects.filter(application=submitted).first()
    assert client.get(reverse("filings:material_download", args=[material.pk])).status_code == 404
    assert client.get(reverse("filings:edit", args=[submitted.pk])).status_code == 404


def test_material_download_is_audited_and_access_checked(client, submitted, reviewers):
    material = FilingMaterial.objects.filter(application=submitted).first()
    login(client, reviewers["food"])
    r = client.get(reverse("filings:material_download", args=[material.pk]))
    assert r.status_code == 200
    assert b"".join(r.streaming_content) == PDF
    event = AuditEvent.objects.get(action="filings.material.downloaded")
    assert event.actor_username == "shichang"


def test_departments_without_subject_see_nothing(client, submitted, make_user):
    finance = make_user("caizheng", department="finance")
    login(client, finance)
    assert client.get(reverse("filings:queue")).status_code == 403
    assert client.get(reverse("filings:detail", args=[submitted.pk])).status_code == 404


def test_decide_page_subjects_pending_then_approve_receipt_and_verify(
    client, submitted, reviewers, institution
):
    login(client, reviewers["health"])
    r = client.post(reverse("filings:decide", args=[submitted.pk]), {"decision": "approve"})
    assert r.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "in_review"
    approve_all(submitted, reviewers)
    page = client.get(reverse("filings:queue")).content.decode()
    assert institution.name in page
    client.post(
        reverse("filings:decide", args=[submitted.pk]), {"decision": "approve", "confirmed": "1"}
    )
    institution.refresh_from_db()
    assert institution.filing_status == "filed"

    r = client.get(reverse("filings:receipt", args=[institution.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is required"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=r.content, capture_output=True, check=True
    ).stdout.decode()
    assert "托育机构备案回执" in text
    assert institution.filing_number in text
    assert institution.name in text
    assert institution.uscc in text
    assert "35" in text  # slots

    client.logout()
    r = client.get(reverse("filings:verify", args=[institution.filing_number]))
    assert r.status_code == 200
    assert 'data-valid="true"' in r.content.decode()
    assert "备案有效" in r.content.decode()
    r = client.get(reverse("filings:verify", args=["TY330703-1999-9999"]))
    assert r.status_code == 404
    r = client.get(reverse("filings:verify_form"), {"number": institution.filing_number})
    assert r.status_code == 302


def test_villages_options_limited_to_township(inst_client):
    r = inst_client.get(reverse("filings:villages"), {"township": "330703001"})
    body = r.content.decode()
    assert "光明社区居委会" in body and "东孝村委会" not in body


def test_report_page(client, submitted, reviewers):
    login(client, reviewers["health"])
    r = client.get(reverse("filings:report"))
    assert r.status_code == 200
    assert 'data-subject="fire"' in r.content.decode()
