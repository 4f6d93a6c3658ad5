"""[house] point 5: the filing pages show people the Chinese message of an error, never its
code (the code stays in the API's problem+json, in the log and in a data attribute)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tuoyu.filings.catalogue import FilingsError
from tuoyu.filings.models import FilingApplication

pytestmark = pytest.mark.django_db


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_an_incomplete_submission_shows_messages_not_codes(client, institution_user):
    client.force_login(institution_user)
    assert client.post(reverse("filings:start"), {"kind": "initial"}).status_code == 302
    application = FilingApplication.objects.get()

    response = client.post(reverse("filings:edit", args=[application.pk]), {"action": "submit"})

    assert response.status_code == 422
    html = response.content.decode()
    text = visible_text(html)
    for code in (FilingsError.COMMITMENT_REQUIRED, FilingsError.FACT_MISSING):
        assert f'data-code="{code}"' in html  # machine-readable for support and tests
        assert code not in text
    assert "请阅读并确认承诺书内容" in text
    assert "请填写" in text  # a missing fact, by its label
