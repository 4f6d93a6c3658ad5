"""[hardening] point 16: every export and every download of a stored document leaves an
audit event — the registrations export and the chain / 普惠 decision documents were the
ones that did not — and a new view that sends a file must say how it is audited (or why
it need not be) below, or test_every_view_that_sends_a_file_is_accounted_for fails."""

from __future__ import annotations

import inspect
from io import BytesIO

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from tests.factories import (
    AffordableDesignationFactory,
    ChainAgreementFactory,
    RegistrationEventFactory,
)
from tuoyu.audit.models import AuditEvent
from tuoyu.institutions.catalogue import InstitutionsAction
from tuoyu.institutions.tests.conftest import pdf_upload

pytestmark = pytest.mark.django_db

# view (module.name) → how it leaves a trace, or why it sends nothing to trace.
FILE_VIEWS = {
    # [subsidies] a claim's supporting file; the reports, the payment list and the relief
    # lists (P-SUB-4, P-TAX-1/2)
    "tuoyu.subsidies.views.claims.claim_material": "CLAIM_MATERIAL_DOWNLOADED",
    "tuoyu.subsidies.views.reports.reports_export": "REPORT_EXPORTED",
    "tuoyu.subsidies.views.reports.payment_list_pdf": "PAYMENT_LIST_PRINTED",
    "tuoyu.subsidies.views.reports.relief_export_tax": "RELIEF_LIST_EXPORTED",
    "tuoyu.subsidies.views.reports.relief_export_utility": "RELIEF_LIST_EXPORTED",
    "tuoyu.institutions.views.registration.registrations_export": "REGISTRATIONS_EXPORTED",
    "tuoyu.institutions.views.chains.chain_document": "CHAIN_DOCUMENT_DOWNLOADED",
    "tuoyu.institutions.views.affordable.affordable_document": "AFFORDABLE_DOCUMENT_DOWNLOADED",
    "tuoyu.institutions.views.directory.institution_export": "DIRECTORY_EXPORTED",
    "tuoyu.filings.views.material_download": "filings MATERIAL_DOWNLOADED",
    # [accounts-ux] #9 point 1 (src/tuoyu/accounts/tests/test_lifecycle_pages.py)
    "tuoyu.accounts.views.user_handover_letter": "accounts USER_HANDOVER_LETTER_DOWNLOADED",
    "tuoyu.filings.views.material_preview": "filings MATERIAL_VIEWED",
    "tuoyu.institutions.views.registration.registration_template": (
        "not audited: the empty import template"
    ),
    "tuoyu.regions.views.statistics_template": (
        "not audited: the import template with the regions' own published statistics"
    ),
    "tuoyu.filings.views.receipt_download": "filings RECEIPT_DOWNLOADED",
    # [workforce] P-WF-3 (src/tuoyu/workforce/tests/test_rate_and_pages.py)
    "tuoyu.workforce.views.trainings_export": "workforce TRAINING_EXPORTED",
    "tuoyu.workforce.views.roster_template": "not audited: the empty roster import template",
    # [workforce] P-WF-1 certificate scans (src/tuoyu/workforce/tests/test_scans.py); the
    # preview address is the same view with inline=True: CERTIFICATE_SCAN_VIEWED
    "tuoyu.workforce.views.certificate_scan": "workforce CERTIFICATE_SCAN_DOWNLOADED",
    # [children] #12 P-HC-3 medical certificate scans (src/tuoyu/children/tests/
    # test_downloads.py): the institution, its township, 区卫健局; a reading of personal data
    "tuoyu.children.views.certificate_scan": "children CERTIFICATE_SCAN_DOWNLOADED",
    # [children] #12 P-HC-1 examination form scans (入托体检表; src/tuoyu/children/tests/
    # test_exam_scans.py): the institution, its township, 区卫健局; a reading of personal data
    "tuoyu.children.views.examination_scan": "children EXAMINATION_SCAN_DOWNLOADED",
}


def _views(resolver=None):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern)
        elif isinstance(pattern, URLPattern):
            yield pattern.callback


def _sends_a_file(view) -> bool:
    try:
        source = inspect.getsource(inspect.unwrap(view))
    except (OSError, TypeError):
        return False
    return "FileResponse(" in source or "Content-Disposition" in source


def test_every_view_that_sends_a_file_is_accounted_for():
    sending = {
        f"{inspect.unwrap(v).__module__}.{inspect.unwrap(v).__name__}"
        for v in _views()
        if _sends_a_file(v) and inspect.unwrap(v).__module__.startswith("tuoyu.")
    }
    assert sending == set(FILE_VIEWS), (
        f"unaccounted: {sorted(sending - set(FILE_VIEWS))}; "
        f"gone: {sorted(set(FILE_VIEWS) - sending)}"
    )


def _events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def test_the_registrations_export_is_audited(client, health_user, make_institution):
    for name in ("甲托育有限公司", "乙托育有限公司"):
        RegistrationEventFactory(institution=make_institution(name=name))
    client.force_login(health_user)

    response = client.get(reverse("institutions:registrations_export"), {"action": "registered"})

    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content), read_only=True).worksheets[0].rows)
    (event,) = _events(InstitutionsAction.REGISTRATIONS_EXPORTED)
    assert event.actor_id == health_user.pk
    assert event.detail["tab"] == "events"
    assert event.detail["filters"] == {"action": "registered"}
    assert event.detail["rows"] == len(rows) - 1 == 2
    assert event.request_id == response["X-Request-ID"]


def test_the_unfiled_export_is_audited(client, health_user, make_institution):
    make_institution()
    client.force_login(health_user)
    response = client.get(reverse("institutions:registrations_export"), {"tab": "unfiled"})
    assert response.status_code == 200
    (event,) = _events(InstitutionsAction.REGISTRATIONS_EXPORTED)
    assert event.detail["tab"] == "unfiled" and event.detail["rows"] == 1


def test_a_chain_document_download_is_audited(client, health_user, media_root):
    agreement = ChainAgreementFactory(document=pdf_upload("协议.pdf"))
    client.force_login(health_user)

    response = client.get(reverse("institutions:chain_document", args=[agreement.pk]))

    assert response.status_code == 200
    (event,) = _events(InstitutionsAction.CHAIN_DOCUMENT_DOWNLOADED)
    assert event.actor_id == health_user.pk
    assert event.object_id == str(agreement.pk)
    assert event.detail["agreement_number"] == agreement.agreement_number


def test_an_affordable_document_download_is_audited(client, health_user, media_root):
    designation = AffordableDesignationFactory(decision_document=pdf_upload())
    client.force_login(health_user)

    response = client.get(reverse("institutions:affordable_document", args=[designation.pk]))

    assert response.status_code == 200
    (event,) = _events(InstitutionsAction.AFFORDABLE_DOCUMENT_DOWNLOADED)
    assert event.actor_id == health_user.pk
    assert event.object_id == str(designation.pk)
    assert event.detail["decision_ref"] == designation.decision_ref


def test_a_refused_download_records_nothing(client, institution_user, media_root):
    agreement = ChainAgreementFactory(document=pdf_upload())
    client.force_login(institution_user)
    response = client.get(reverse("institutions:chain_document", args=[agreement.pk]))
    assert response.status_code in (403, 404)
    assert _events(InstitutionsAction.CHAIN_DOCUMENT_DOWNLOADED) == []
