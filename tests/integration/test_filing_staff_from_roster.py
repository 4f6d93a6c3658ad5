"""P-STD-2 / P-WF-1 across filings and workforce: an institution keeping a roster files the
roster's staff counts (employments active on the submission day, certificates valid on it,
of the kind the filing form means by 持证); typed counts are refused; an institution
without a roster types them as before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import CertificateFactory, InstitutionFactory, StaffMemberFactory
from tuoyu import policy
from tuoyu.audit.models import AuditEvent
from tuoyu.core.errors import DomainError
from tuoyu.filings import services, staff_source
from tuoyu.filings.models import FilingApplication
from tuoyu.filings.tests.conftest import STAFF, fill
from tuoyu.workforce.selectors import filing_staff_counts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _draft(user, institution):
    app = services.filing_start(
        acting_user=user, institution=institution, kind=FilingApplication.Kind.INITIAL
    )
    return fill(user, app)


def _staff(institution, role, *kinds, **certificate):
    member = StaffMemberFactory(institution=institution, role=role)
    for kind in kinds:
        CertificateFactory(staff=member, kind=kind, **certificate)
    return member


def _roster(institution, today):
    """Expected: principal 1/1, caregiver 8/6, health_worker 1/1, cook 2/1, security 2/1,
    other 1/0 — and the left employee and the other institution's staff not counted."""
    recent = {"valid_from": today - dt.timedelta(days=30)}
    _staff(institution, "principal", "kindergarten_teacher")
    for _ in range(6):
        _staff(institution, "caregiver", "childcare_worker", "health_certificate", **recent)
    _staff(  # an expired qualification does not count (P-WF-1)
        institution,
        "caregiver",
        "infant_carer",
        valid_from=dt.date(2020, 1, 1),
        valid_until=today - dt.timedelta(days=1),
    )
    _staff(institution, "caregiver", "health_certificate", **recent)  # not a qualification
    _staff(institution, "health_worker", "nurse")
    _staff(institution, "cook", "health_certificate", **recent)
    # P-HC-5: a health certificate without an end date lasts the examination interval only
    _staff(institution, "cook", "health_certificate", valid_from=today - dt.timedelta(days=800))
    _staff(institution, "security", "security_guard")
    _staff(institution, "security", "health_certificate", **recent)  # no 保安员证
    _staff(institution, "other", "no_criminal_record")
    left = _staff(institution, "caregiver", "childcare_worker")
    left.left_on = today - dt.timedelta(days=10)
    left.save(update_fields=["left_on"])
    _staff(InstitutionFactory(), "caregiver", "childcare_worker")
    return {
        "principal": {"count": 1, "certified": 1},
        "caregiver": {"count": 8, "certified": 6},
        "health_worker": {"count": 1, "certified": 1},
        "cook": {"count": 2, "certified": 1},
        "security": {"count": 2, "certified": 1},
        "other": {"count": 1, "certified": 0},
    }


def test_workforce_registers_the_roster_as_the_staff_source():
    assert filing_staff_counts in staff_source._sources.values()


def test_submitted_application_files_the_roster_counts_p_std_2_p_wf_1(
    client, institution_user, institution
):
    app = _draft(institution_user, institution)
    today = policy.today()
    expected = _roster(institution, today)
    assert staff_source.roster_staff(institution, today) == expected

    # the page shows the roster's counts read-only, with the way to the roster
    client.force_login(institution_user)
    edit = reverse("filings:edit", args=[app.pk])
    page = client.get(edit).content.decode()
    assert "人员配备取自本机构的从业人员名册（更新名册后自动同步）" in page
    assert f'href="{reverse("workforce:my_roster")}"' in page
    assert 'name="staff-' not in page
    assert client.get(reverse("workforce:my_roster")).status_code == 200

    services.filing_submit(acting_user=institution_user, application=app, commitment_accepted=True)
    app.refresh_from_db()
    assert app.status == "in_review"
    assert app.facts["staff"] == expected != STAFF
    event = AuditEvent.objects.get(action="filings.application.submitted", object_id=str(app.pk))
    assert event.detail["staff_source"] == "roster"


def test_typed_counts_refused_when_a_roster_exists_p_wf_1(client, institution_user, institution):
    app = _draft(institution_user, institution)
    _roster(institution, policy.today())
    with pytest.raises(DomainError) as exc:
        services.filing_update_staff(acting_user=institution_user, application=app, staff=STAFF)
    assert exc.value.code == "staff_from_roster" and exc.value.status == 409
    client.force_login(institution_user)
    r = client.post(
        reverse("filings:edit", args=[app.pk]),
        {"staff-caregiver-count": "20", "staff-caregiver-certified": "20", "action": "submit"},
    )
    assert r.status_code == 409 and "不能手工填写" in r.content.decode()
    app.refresh_from_db()
    assert app.status == "draft" and app.facts["staff"] == STAFF


def test_institution_without_roster_still_types_counts(client, institution_user, institution):
    """Staff who all left are no roster: the counts are typed, as before."""
    left = StaffMemberFactory(institution=institution, role="principal")
    left.left_on = policy.today() - dt.timedelta(days=1)
    left.save(update_fields=["left_on"])
    assert staff_source.roster_staff(institution, policy.today()) is None
    app = _draft(institution_user, institution)
    client.force_login(institution_user)
    edit = reverse("filings:edit", args=[app.pk])
    page = client.get(edit).content.decode()
    assert 'name="staff-caregiver-count"' in page and "更新名册后自动同步" not in page
    typed = {f"staff-{r}-{k}": str(v[k]) for r, v in STAFF.items() for k in v}
    typed["staff-caregiver-count"] = "9"
    assert client.post(edit, {**typed, "action": "save:staff"}).status_code == 302
    services.filing_submit(acting_user=institution_user, application=app, commitment_accepted=True)
    app.refresh_from_db()
    assert app.facts["staff"]["caregiver"] == {"count": 9, "certified": 7}
    event = AuditEvent.objects.get(action="filings.application.submitted", object_id=str(app.pk))
    assert event.detail["staff_source"] == "typed"
