"""Shared fixtures for the institutions tests (registration, filings, classes, directory).

Builds on the root conftest (district, departments, make_institution, make_user,
api_client and the role users health_user, market_user, …, institution_user) and on
tests.factories. Keep it additive: add new fixtures at the end.
"""

from __future__ import annotations

import itertools
import json
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

# The region codes and the password, for the test modules (`from .conftest import DUOHU`).
from tests.factories import DISTRICT, DONGXIAO, DUOHU, PASSWORD  # noqa: F401
from tuoyu.core.identifiers import make_uscc

_uscc_counter = itertools.count(1)


def new_uscc(dept: str = "9", kind: str = "1") -> str:
    """A fresh checksummed USCC (organisation codes MA3R0001…, apart from make_institution's)."""
    return make_uscc(dept, kind, DISTRICT, f"MA3R{next(_uscc_counter):04d}")


def registration_body(**overrides) -> dict:
    """A valid `registered` push of 区市场监管局 (API-CONTRACT §1) with a fresh USCC and
    event id; keyword overrides replace fields (None removes one)."""
    n = next(_uscc_counter)
    body = {
        "event_id": f"SAMR-330703-2024-{n:06d}",
        "authority": "market_regulation",
        "action": "registered",
        "uscc": make_uscc("9", "1", DISTRICT, f"MA3T{n:04d}"),
        "name": f"金华市金东区测试{n}号托育有限公司",
        "legal_form": "company",
        "for_profit": True,
        "legal_representative": "张三",
        "address": "金东区多湖街道光明路 1 号",
        "township_code": DUOHU,
        "occurred_at": "2024-03-01T09:00:00+08:00",
    }
    for key, value in overrides.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return body


@pytest.fixture
def push(api_client):
    """`push(user, body)` → the response of POST /api/v1/registrations with a token of
    `user` (or without one when user is None)."""
    from django.test import Client

    clients = {}

    def send(user, body):
        if user is None:
            client = Client()
        else:
            client = clients.get(user.pk) or clients.setdefault(user.pk, api_client(user))
        return client.post(
            "/api/v1/registrations", json.dumps(body), content_type="application/json"
        )

    return send


def xlsx_upload(rows: list[list], *, headers=None, name="登记信息.xlsx", sheet="登记信息"):
    """An .xlsx upload with the registration template's headers and `rows`."""
    from tuoyu.institutions.excel_registration import IMPORT_HEADERS

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    if headers is not False:
        ws.append(list(headers or IMPORT_HEADERS))
    for row in rows:
        ws.append(row)
    out = BytesIO()
    wb.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/octet-stream")


def excel_row(**values) -> list:
    """A template row (column order of the registration template) from field values."""
    from tuoyu.institutions.excel_registration import IMPORT_COLUMNS

    return [values.get(name) for name, _ in IMPORT_COLUMNS]


# --- directory, chains, affordable designation, public listing (dir) ------------------------

PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pdf_upload(name: str = "决定书.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    """A small upload that passes the PDF check (extension and %PDF- header)."""
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# --- registration authorities and their USCCs ([hardening] point 1) ------------------------

# The first USCC character (GB 32100-2015 登记管理部门代码) each authority's USCCs carry.
USCC_FIRST = {
    "market_regulation": "9",
    "civil_affairs": "5",
    "public_institution_registration": "1",
    "education": "5",
}


def uscc_of(authority: str) -> str:
    """A fresh USCC such as `authority` issues (9 1… company, 5 2… social organisation,
    1 2… public institution, 5 2… private kindergarten)."""
    first = USCC_FIRST[authority]
    return new_uscc(first, "1" if first == "9" else "2")
