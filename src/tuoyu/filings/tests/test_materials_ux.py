"""[accounts-ux] #9 point 4: materials. The chosen type stays chosen after an upload or an
error (it jumped back to 备案书); several files at once, all or none; a wrong file can be
removed before submission (not after: 409); reviewers view PDFs and images in the browser,
served inline with their type and audited like downloads."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tuoyu.audit.models import AuditEvent
from tuoyu.core.errors import DomainError, NotFound
from tuoyu.filings import services
from tuoyu.filings.catalogue import FilingsAction
from tuoyu.filings.models import FilingApplication, FilingMaterial
from tuoyu.filings.tests.conftest import PDF, PNG

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(client, institution_user, institution):
    client.force_login(institution_user)
    assert client.post(reverse("filings:start"), {"kind": "initial"}).status_code == 302
    return FilingApplication.objects.get()


def upload(client, draft, kind, *files):
    return client.post(
        reverse("filings:edit", args=[draft.pk]),
        {"action": "upload", "kind": kind, "file": [SimpleUploadedFile(n, c) for n, c in files]},
    )


def selected_kind(html: str) -> list[str]:
    return [
        kind
        for kind in FilingMaterial.Kind.values
        if f'<option value="{kind}" selected>'
        in html.split('id="m-kind"', 1)[1].split("</select>")[0]
    ]


def test_the_type_stays_chosen_after_an_upload(client, draft):
    r = upload(client, draft, "fire_inspection", ("消防.pdf", PDF))
    assert r.status_code == 302
    assert "kind=fire_inspection" in r["Location"] and r["Location"].endswith("#materials")
    assert selected_kind(client.get(r["Location"]).content.decode()) == ["fire_inspection"]


def test_the_type_stays_chosen_after_an_error(client, draft):
    r = upload(client, draft, "premises_proof", ("场地.pdf", b"GIF89a not a pdf"))
    assert r.status_code == 422
    body = r.content.decode()
    assert 'data-code="file_type_not_allowed"' in body
    assert selected_kind(body) == ["premises_proof"]


def test_several_files_at_once_each_its_own_material(client, draft):
    r = upload(
        client,
        draft,
        "staff_qualifications",
        ("张三.pdf", PDF),
        ("李四.png", PNG),
        ("王五.pdf", PDF),
    )
    assert r.status_code == 302
    current = FilingMaterial.objects.filter(application=draft, superseded=False)
    assert sorted(m.original_name for m in current) == ["张三.pdf", "李四.png", "王五.pdf"]
    assert {m.kind for m in current} == {"staff_qualifications"}
    assert AuditEvent.objects.filter(action=FilingsAction.MATERIAL_UPLOADED).count() == 3
    # a new upload of the kind replaces the kind's files (kept, superseded)
    assert upload(client, draft, "staff_qualifications", ("新.pdf", PDF)).status_code == 302
    current = FilingMaterial.objects.filter(application=draft, superseded=False)
    assert [m.original_name for m in current] == ["新.pdf"]


def test_several_files_all_or_nothing_and_the_refused_one_named(client, draft, tmp_path):
    assert upload(client, draft, "premises_proof", ("旧.pdf", PDF)).status_code == 302
    before = FilingMaterial.objects.count()

    r = upload(
        client,
        draft,
        "premises_proof",
        ("租赁合同.pdf", PDF),
        ("产权证.exe", PDF),
        ("平面图.png", PNG),
    )

    assert r.status_code == 422
    body = r.content.decode()
    assert "产权证.exe" in body and 'data-code="file_type_not_allowed"' in body
    assert FilingMaterial.objects.count() == before  # none stored …
    (old,) = FilingMaterial.objects.filter(application=draft, superseded=False)
    assert old.original_name == "旧.pdf"  # … and the earlier file not replaced


def test_a_material_removed_before_submission(client, draft, institution_user):
    upload(client, draft, "other", ("错的.pdf", PDF))
    material = FilingMaterial.objects.get()
    edit = reverse("filings:edit", args=[draft.pk])

    r = client.post(edit, {"action": f"material_remove:{material.pk}"})

    assert r.status_code == 302 and r["Location"].endswith("#materials")
    material.refresh_from_db()
    assert material.superseded  # kept for the history, no longer part of the application
    (event,) = AuditEvent.objects.filter(action=FilingsAction.MATERIAL_REMOVED)
    assert event.actor_id == institution_user.pk and event.object_id == str(material.pk)
    assert event.detail["name"] == "错的.pdf"
    assert "错的.pdf" not in client.get(edit).content.decode()
    # removed once: a second time it is not found
    with pytest.raises(NotFound):
        services.filing_material_remove(
            acting_user=institution_user, application=draft, material_id=material.pk
        )


def test_a_material_cannot_be_removed_after_submission(client, submitted, institution_user):
    material = FilingMaterial.objects.filter(application=submitted).first()
    with pytest.raises(DomainError) as caught:
        services.filing_material_remove(
            acting_user=institution_user, application=submitted, material_id=material.pk
        )
    assert caught.value.status == 409 and caught.value.code == "invalid_transition"

    client.force_login(institution_user)
    r = client.post(
        reverse("filings:edit", args=[submitted.pk]), {"action": f"material_remove:{material.pk}"}
    )
    assert r.status_code == 409
    assert 'data-code="invalid_transition"' in r.content.decode()
    material.refresh_from_db()
    assert not material.superseded


def test_only_the_own_institution_removes(submitted, make_institution, make_user, draft):
    material = FilingMaterial.objects.filter(application=submitted).first()
    other = make_user("jigou-x", institution=make_institution(name="别家托育"))
    with pytest.raises(NotFound):
        services.filing_material_remove(
            acting_user=other, application=submitted, material_id=material.pk
        )


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [("scan.pdf", PDF, "application/pdf"), ("photo.png", PNG, "image/png")],
)
def test_a_reviewer_views_a_material_inline_audited(
    client, institution_user, institution, fire_user, name, content, content_type
):
    app = services.filing_start(
        acting_user=institution_user, institution=institution, kind="initial"
    )
    from tuoyu.filings.tests.conftest import fill

    fill(institution_user, app)
    material = services.filing_material_upload(
        acting_user=institution_user,
        application=app,
        kind="other",
        file=SimpleUploadedFile(name, content),
    )
    services.filing_submit(acting_user=institution_user, application=app, commitment_accepted=True)
    client.force_login(fire_user)

    detail = client.get(reverse("filings:detail", args=[app.pk])).content.decode()
    preview = reverse("filings:material_preview", args=[material.pk])
    assert f'href="{preview}"' in detail
    r = client.get(preview)

    assert r.status_code == 200
    assert r["Content-Type"] == content_type
    assert r["Content-Disposition"].startswith("inline")
    assert r["X-Content-Type-Options"] == "nosniff"
    assert b"".join(r.streaming_content) == content
    (event,) = AuditEvent.objects.filter(action=FilingsAction.MATERIAL_VIEWED)
    assert event.actor_id == fire_user.pk and event.object_id == str(material.pk)
    assert event.detail == {"application_id": app.pk, "kind": "other"}


def test_out_of_scope_users_get_404_for_a_preview(
    client, submitted, township_user, make_institution, make_user
):
    material = FilingMaterial.objects.filter(application=submitted).first()
    preview = reverse("filings:material_preview", args=[material.pk])
    other = make_user("jigou-y", institution=make_institution(name="别家托育"))
    for user in (township_user, other):
        client.force_login(user)
        assert client.get(preview).status_code == 404
    assert not AuditEvent.objects.filter(action=FilingsAction.MATERIAL_VIEWED).exists()
    client.logout()
    assert client.get(preview).status_code == 302  # to the login page
