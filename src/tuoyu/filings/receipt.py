"""The filing receipt (备案回执, P-REG-12, P-FIL-2): a PDF with the filing number, the
institution, its uscc, the filing date, the filed classes and slots, and a QR code that opens
the public verification page (`selectors.verify_url`), which answers like
`GET /api/v1/public/filings/{filing_number}`.

Rendered by WeasyPrint from `filings/receipt.html` with the "Noto Sans CJK SC" font, so the
Chinese text is real text (`pdftotext` reads it back); the QR code is an inline SVG (segno).
"""

from __future__ import annotations

import base64

import segno
from django.template.loader import render_to_string
from django.utils import timezone

from tuoyu import policy
from tuoyu.filings import selectors
from tuoyu.institutions.models import CareClass, Institution
from tuoyu.institutions.selectors.classes import institution_slots
from tuoyu.regions.branding import branding


def qr_svg_data_uri(url: str) -> str:
    qr = segno.make(url, error="m")
    svg = qr.svg_inline(scale=4, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def receipt_context(institution: Institution) -> dict:
    url = selectors.verify_url(institution.filing_number)
    classes = list(
        CareClass.objects.filter(institution=institution, status=CareClass.Status.FILED).order_by(
            "class_type", "name"
        )
    )
    return {
        "institution": institution,
        "classes": classes,
        "slots": institution_slots(institution),
        "verify_url": url,
        "qr": qr_svg_data_uri(url),
        "cancelled": institution.filing_status == Institution.FilingStatus.CANCELLED,
        "printed_on": policy.as_date(timezone.now()),
        # The issuing authority is named from the region tree (P-REG-2), not written in.
        **branding(),
    }


def receipt_pdf(institution: Institution) -> bytes:
    """The receipt of a filed (or cancelled) institution as PDF bytes. The caller fetched
    `institution` through `selectors.receipt_institution` (scope applied)."""
    from weasyprint import HTML

    html = render_to_string("filings/receipt.html", receipt_context(institution))
    return HTML(string=html).write_pdf()
