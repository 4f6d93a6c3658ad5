"""The OpenAPI document is what other departments build against (API-CONTRACT §0): every
contract path is in it. That every operation answers as it says, for generated inputs
(schemathesis), never with a server error: tests/api/test_conformance.py."""

import pytest

CONTRACT_PATHS = {
    ("post", "/api/v1/registrations"),
    ("get", "/api/v1/regions"),
    ("post", "/api/v1/institutions/{uscc}/classes"),
    ("get", "/api/v1/public/institutions"),
    ("get", "/api/v1/public/filings/{filing_number}"),
}


@pytest.mark.django_db
def test_openapi_lists_every_contract_path(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    present = {(m, p) for p, ops in doc["paths"].items() for m in ops}
    assert present >= CONTRACT_PATHS, CONTRACT_PATHS - present


# The conformance of every operation to this document, generated inputs checked by
# schemathesis: tests/api/test_conformance.py ([hardening] point 17).
