"""Exports and document downloads leave an audit event ([hardening] point 16), as the
directory export (`excel_directory.directory_export_xlsx`) and the filing materials
(`filings.services.filing_material_download_record`) do: who took which data, with which
filter, how many rows. The callers fetched what they send through the scoped selectors."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator

from django.db import transaction

from tuoyu.audit.services import audit_record
from tuoyu.institutions.catalogue import InstitutionsAction
from tuoyu.institutions.models import AffordableDesignation, ChainAgreement


class Counted:
    """Wraps the rows an export writes, counting them as they go (`.count` once done)."""

    def __init__(self, rows: Iterable):
        self._rows = iter(rows)
        self.count = 0

    def __iter__(self) -> Iterator:
        for row in self._rows:
            self.count += 1
            yield row


@transaction.atomic
def registrations_export_record(*, acting_user, tab: str, filters, rows: int, filename: str):
    """The registrations list (events, or registered-not-filed) exported to Excel."""
    detail_filters = (
        {k: v for k, v in dataclasses.asdict(filters).items() if v}
        if dataclasses.is_dataclass(filters)
        else dict(filters or {})
    )
    audit_record(
        action=InstitutionsAction.REGISTRATIONS_EXPORTED,
        actor=acting_user,
        object_type="institutions.registrationevent",
        object_label=filename,
        detail={"tab": tab, "filters": detail_filters, "rows": rows},
    )


@transaction.atomic
def chain_document_download_record(*, acting_user, agreement: ChainAgreement) -> None:
    audit_record(
        action=InstitutionsAction.CHAIN_DOCUMENT_DOWNLOADED,
        actor=acting_user,
        obj=agreement,
        detail={"agreement_number": agreement.agreement_number, "file": agreement.document.name},
    )


@transaction.atomic
def affordable_document_download_record(*, acting_user, designation: AffordableDesignation) -> None:
    audit_record(
        action=InstitutionsAction.AFFORDABLE_DOCUMENT_DOWNLOADED,
        actor=acting_user,
        obj=designation,
        detail={
            "institution_id": designation.institution_id,
            "decision_ref": designation.decision_ref,
            "file": designation.decision_document.name,
        },
    )
