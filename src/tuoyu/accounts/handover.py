"""The account handover letter ([accounts-ux] #9 point 1): a PDF for the person who takes
over an account — username, unit, the activation code, until when it is valid, and the
activation page's address as a QR code (segno, inline SVG, as the filing receipt). Rendered
by WeasyPrint from `accounts/handover_letter.html` with the "Noto Sans CJK SC" font."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tuoyu.regions.branding import branding


def activation_url(username: str) -> str:
    """What the letter's QR code opens: the activation page with the username filled in
    (never the code, which the person types from the letter)."""
    base = settings.TUOYU_PUBLIC_BASE_URL.rstrip("/")
    return f"{base}{reverse('accounts:activate')}?{urlencode({'username': username})}"


def _qr(url: str) -> str:
    svg = segno.make(url, error="m").svg_inline(scale=4, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def handover_letter_pdf(*, user, code: str, expires_at, activation_url: str) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "accounts/handover_letter.html",
        {
            "account": user,
            "code": code,
            "expires_at": timezone.localtime(expires_at),
            "activation_url": activation_url,
            "qr": _qr(activation_url),
            "printed_on": timezone.localdate(),
            **branding(),
        },
    )
    return HTML(string=html).write_pdf()
