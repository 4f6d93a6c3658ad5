"""The receipt (P-REG-12, P-FIL-2): its QR code opens the public verification page."""

from __future__ import annotations

import base64
import datetime as dt
import subprocess

import pytest
import segno

from tuoyu.filings import receipt
from tuoyu.filings.services import filing_cancel

pytestmark = pytest.mark.django_db


def test_qr_code_encodes_the_verification_url(filed, settings):
    settings.TUOYU_PUBLIC_BASE_URL = "https://tuoyu.example.cn/"
    context = receipt.receipt_context(filed)
    expected = f"https://tuoyu.example.cn/filings/verify/{filed.filing_number}/"
    assert context["verify_url"] == expected
    svg = base64.b64decode(context["qr"].split(",", 1)[1]).decode()
    assert svg == segno.make(expected, error="m").svg_inline(scale=4, border=2)
    assert context["slots"] == 35 and len(context["classes"]) == 2


def test_cancelled_receipt_says_so(filed, reviewers):
    filing_cancel(
        institution=filed,
        acting_user=reviewers["health"],
        reason="注销",
        cancelled_on=dt.date(2026, 7, 1),
        source="deregistration",
    )
    filed.refresh_from_db()
    pdf = receipt.receipt_pdf(filed)
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "本备案已注销" in text and filed.filing_number in text
    # The issuing authority comes from the region tree (P-REG-2).
    assert "金华市金东区卫生健康局" in text.replace(" ", "").replace("\n", "")
