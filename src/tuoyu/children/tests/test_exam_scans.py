"""P-HC-1 ("record it or upload the form"): the entry examination can be the scan of the
examination form (入托体检表) the maternal and child health hospital filled in. A scan alone
completes the entry examination (`services.examinations.ENTRY_COMPLETE`); it is checked by
content (PDF/JPEG/PNG, 10 MiB, as the certificate scans), stored only with its row (a
rolled-back enrolment deletes it again), and served like the certificate scans: to the
child's institution, the township it is located in and 区卫健局, 404 for anyone else, every
download audited as a reading of personal data."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import ChildFactory, ExaminationFactory
from tuoyu.audit.models import AuditEvent
from tuoyu.audit.presentation import event_words
from tuoyu.children import selectors
from tuoyu.children.catalogue import ChildrenAction
from tuoyu.children.models import Child, Examination
from tuoyu.children.services import enrolment
from tuoyu.children.services.enrolment import child_enrol
from tuoyu.children.services.examinations import examination_record
from tuoyu.children.tests.conftest import months_ago
from tuoyu.core.errors import DomainError

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n%entry examination form\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
NEW = "/children/new/"


def _pdf(name="王小明入托体检表.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def _stored(media_root) -> list:
    folder = media_root / "children" / "examinations"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def _enrol(user, care_class, today, *, exam):
    return child_enrol(
        acting_user=user,
        institution=care_class.institution,
        name="王小明",
        gender="male",
        birth_date=months_ago(18),
        class_id=care_class.pk,
        enrolled_on=today,
        guardian_name="王建国",
        guardian_phone="13812345678",
        entry_examination=exam,
    )


def _form(care_class, today, **extra) -> dict:
    data = {
        "name": "王小明",
        "gender": "male",
        "birth_date": months_ago(18).isoformat(),
        "guardian_name": "王建国",
        "guardian_phone": "13812345678",
        "class_id": str(care_class.pk),
        "enrolled_on": today.isoformat(),
    }
    data.update(extra)
    return data


# --- recording ----------------------------------------------------------------------------


def test_p_hc_1_enrolment_with_the_scan_alone_completes_the_entry_examination(
    client, nursery_user, small_class, today, media_root
):
    """P-HC-1: the enrolment page takes the examination form's scan with its date and no
    measurement; the child is not listed as missing the entry examination."""
    client.force_login(nursery_user)
    page = client.get(NEW).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="form_scan"' in page

    r = client.post(NEW, _form(small_class, today, examined_on=today.isoformat(), form_scan=_pdf()))

    child = Child.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/children/{child.pk}/"
    exam = Examination.objects.get(child=child)
    assert exam.kind == "entry" and exam.weight_kg is None and exam.height_cm is None
    # stored under a random name: neither the child's name nor the uploaded name on disk
    assert exam.form_scan.name.startswith("children/examinations/")
    assert "王" not in exam.form_scan.name and exam.form_scan.name.endswith(".pdf")
    assert exam.form_scan.read() == PDF_BYTES
    assert (
        list(selectors.entry_exam_missing(acting_user=nursery_user, institution=child.institution))
        == []
    )
    event = AuditEvent.objects.get(action=ChildrenAction.EXAMINATION_RECORDED)
    assert event.detail["form_scan"] is True


def test_p_hc_1_an_entry_examination_with_neither_findings_nor_scan_is_still_missing(
    nursery_user, large_class, media_root
):
    """P-HC-1 (`ENTRY_COMPLETE`): a date and an examining body record no examination; a
    measurement, the conclusion or the scan does."""
    bare = ChildFactory(care_class=large_class, birth_date=months_ago(30))
    ExaminationFactory(child=bare)  # date and body only
    measured = ChildFactory(care_class=large_class, birth_date=months_ago(30))
    ExaminationFactory(child=measured, weight_kg="12.00")
    concluded = ChildFactory(care_class=large_class, birth_date=months_ago(30))
    ExaminationFactory(child=concluded, result="未见异常")
    scanned = ChildFactory(care_class=large_class, birth_date=months_ago(30))
    examination_record(
        acting_user=nursery_user,
        child=scanned,
        kind="entry",
        examined_on=scanned.enrolled_on,
        form_scan=_pdf(),
    )
    periodic_only = ChildFactory(care_class=large_class, birth_date=months_ago(30))
    ExaminationFactory(child=periodic_only, kind="periodic", weight_kg="12.00")

    missing = selectors.entry_exam_missing(
        acting_user=nursery_user, institution=large_class.institution
    )

    assert {c.pk for c in missing} == {bare.pk, periodic_only.pk}


def test_p_hc_1_a_file_of_another_type_is_refused_and_nothing_is_stored(
    nursery_user, small_class, today, media_root
):
    """P-HC-1: a renamed file of another kind (content, not extension, decides) is refused
    with its code and field before anything is written: no child, no examination, no file."""
    fake = SimpleUploadedFile("体检表.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")

    with pytest.raises(DomainError) as caught:
        _enrol(nursery_user, small_class, today, exam={"examined_on": today, "form_scan": fake})

    (item,) = caught.value.errors
    assert (item.code, item.field) == ("file_type_not_allowed", "form_scan")
    assert "PDF" in item.message and "只接受" in item.message
    assert Child.objects.count() == 0 and Examination.objects.count() == 0
    assert _stored(media_root) == []


def test_p_hc_1_the_enrolment_page_shows_the_refusal_next_to_the_scan(
    client, nursery_user, small_class, today, media_root
):
    client.force_login(nursery_user)
    text = SimpleUploadedFile("体检表.png", b"hello", content_type="image/png")

    r = client.post(NEW, _form(small_class, today, examined_on=today.isoformat(), form_scan=text))

    assert r.status_code == 400
    body = r.content.decode()
    field = body.split('data-field="form_scan"', 1)[1].split("data-field=")[0]
    assert "只接受" in field and "invalid-feedback" in field
    assert "file_type_not_allowed" not in body  # words, never codes
    assert 'value="王小明"' in body  # input kept
    assert Child.objects.count() == 0 and _stored(media_root) == []


def test_p_hc_1_a_scan_needs_the_examination_date(
    client, nursery_user, small_class, today, media_root
):
    client.force_login(nursery_user)
    r = client.post(NEW, _form(small_class, today, form_scan=_pdf()))
    field = r.content.decode().split('data-field="examined_on"', 1)[1].split("data-field=")[0]
    assert "须填写体检日期" in field
    assert Child.objects.count() == 0 and _stored(media_root) == []


def test_p_hc_1_a_rolled_back_enrolment_deletes_the_scan_it_stored(
    nursery_user, small_class, today, media_root, monkeypatch
):
    """Nothing half-written: the scan is stored inside the enrolment's transaction; when the
    enrolment fails after the examination was written (here its own audit event), the
    rollback takes the rows and the file is deleted."""
    real = enrolment.audit_record

    def failing(*, action, **kwargs):
        if action == ChildrenAction.CHILD_ENROLLED:
            raise RuntimeError("audit log unavailable")
        return real(action=action, **kwargs)

    monkeypatch.setattr(enrolment, "audit_record", failing)

    with pytest.raises(RuntimeError):
        _enrol(nursery_user, small_class, today, exam={"examined_on": today, "form_scan": _pdf()})

    assert Child.objects.count() == 0 and Examination.objects.count() == 0
    assert _stored(media_root) == []


def test_p_hc_1_the_childs_page_takes_the_scan(client, nursery_user, large_class, media_root):
    child = ChildFactory(care_class=large_class, birth_date=months_ago(30))
    client.force_login(nursery_user)
    url = reverse("children:child", args=[child.pk])
    page = client.get(url).content.decode()
    form = page.split('data-testid="exam-form"', 1)[0].rsplit("<form", 1)[1]
    assert 'enctype="multipart/form-data"' in form and 'name="form_scan"' in page

    r = client.post(
        url,
        {"examined_on": child.enrolled_on.isoformat(), "kind": "entry", "form_scan": _pdf()},
        follow=True,
    )

    exam = Examination.objects.get(child=child)
    assert exam.form_scan and exam.kind == "entry"
    assert "体检记录已保存" in r.content.decode()
    bad = SimpleUploadedFile("a.jpg", b"GIF89a", content_type="image/jpeg")
    r = client.post(
        url, {"examined_on": child.enrolled_on.isoformat(), "kind": "entry", "form_scan": bad}
    )
    assert Examination.objects.filter(child=child).count() == 1
    messages = [str(m) for m in r.wsgi_request._messages]
    assert any("只接受" in m for m in messages)


# --- serving ------------------------------------------------------------------------------


@pytest.fixture
def exam(nursery_user, large_class, media_root):
    child = ChildFactory(care_class=large_class, birth_date=months_ago(30), name="王小明")
    return examination_record(
        acting_user=nursery_user,
        child=child,
        kind="entry",
        examined_on=child.enrolled_on - dt.timedelta(days=3),
        examined_by="金东区妇幼保健院",
        form_scan=_pdf(),
    )


def _url(exam) -> str:
    return reverse("children:examination_scan", args=[exam.pk])


def _downloads():
    return list(AuditEvent.objects.filter(action=ChildrenAction.EXAMINATION_SCAN_DOWNLOADED))


@pytest.mark.parametrize("role", ["nursery_user", "township_user", "health_user"])
def test_p_hc_1_the_form_scan_is_downloaded_by_those_in_scope(client, request, role, exam):
    """P-HC-1: the child's institution, its township and 区卫健局 download the form: the file
    with its type, an attachment named without personal data, never sniffed, never cached,
    one pii_read audit event per download, read in words on the audit page."""
    user = request.getfixturevalue(role)
    client.force_login(user)

    response = client.get(_url(exam))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    name = f"入托体检表-{exam.examined_on:%Y%m%d}.pdf"
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote(name)}" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    (event,) = _downloads()
    assert event.actor_id == user.pk
    assert event.kind == AuditEvent.Kind.PII_READ  # a child's health document
    assert event.object_type == "children.examination"
    assert event.object_id == str(exam.pk)
    assert "王小明" not in event.object_label  # masked, as on the pages
    assert event.detail["child_id"] == exam.child_id
    assert event.detail["institution_id"] == exam.institution_id
    assert event.detail["size"] == len(PDF_BYTES)
    assert event.request_id == response["X-Request-ID"]
    words = event_words(event)
    assert "下载入托体检表扫描件" in words.sentence
    assert {d.key: d.label for d in words.details} == {
        "child_id": "儿童",
        "institution_id": "机构",
        "examined_on": "体检日期",
        "size": "大小（字节）",
    }
    client.get(_url(exam))
    assert len(_downloads()) == 2  # every download, not the first only


@pytest.mark.parametrize(
    "role",
    [
        "other_institution_user",  # another nursery, even in the same township
        "other_township_user",  # 东孝街道: the nursery is located in 多湖街道
        "finance_user",  # departments without health scope
        "education_user",
        "market_user",
        "system_user",  # an operator: no domain data
    ],
)
def test_p_hc_1_anyone_else_gets_404_and_nothing_is_recorded(client, request, role, exam):
    client.force_login(request.getfixturevalue(role))

    response = client.get(_url(exam))

    assert response.status_code == 404
    assert response.get("Content-Disposition") is None
    assert _downloads() == []
    assert (
        client.get(reverse("children:examination_scan", args=[exam.pk + 1000])).status_code == 404
    )


def test_p_hc_1_the_anonymous_are_sent_to_log_in(client, exam):
    response = client.get(_url(exam))
    assert response.status_code == 302 and "/login" in response["Location"]
    assert _downloads() == []


def test_p_hc_1_an_examination_without_scan_has_no_download(client, health_user, large_class):
    exam = ExaminationFactory(
        child=ChildFactory(care_class=large_class, birth_date=months_ago(30)), weight_kg="12.00"
    )
    client.force_login(health_user)
    assert client.get(_url(exam)).status_code == 404
    page = client.get(reverse("children:child", args=[exam.child_id])).content.decode()
    assert _url(exam) not in page
    assert _downloads() == []


def test_p_hc_1_a_png_form_is_served_as_png(client, nursery_user, large_class, media_root):
    child = ChildFactory(care_class=large_class, birth_date=months_ago(30))
    exam = examination_record(
        acting_user=nursery_user,
        child=child,
        kind="periodic",
        examined_on=child.enrolled_on,
        form_scan=SimpleUploadedFile("t.png", PNG_BYTES, content_type="image/png"),
    )
    client.force_login(nursery_user)

    response = client.get(_url(exam))

    assert response["Content-Type"] == "image/png"
    name = f"体检表-{exam.examined_on:%Y%m%d}.png"  # a periodic examination's form
    assert response["Content-Disposition"].endswith(quote(name))


@pytest.mark.parametrize("role", ["nursery_user", "township_user", "health_user"])
def test_p_hc_1_the_childs_examination_table_links_the_form(client, request, role, exam):
    client.force_login(request.getfixturevalue(role))

    page = client.get(reverse("children:child", args=[exam.child_id])).content.decode()

    table = page.split('data-testid="growth-table"', 1)[1].split("</table>", 1)[0]
    assert f'href="{_url(exam)}"' in table and "下载体检表" in table
    assert _downloads() == []  # showing the link downloads nothing
