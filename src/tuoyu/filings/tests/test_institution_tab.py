"""The 备案记录 tab of the institution page, registered by filings
(`tuoyu.filings.selectors.register_institution_tab`): an institution's applications and
their subject reviews."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import FilingApplicationFactory, InstitutionFactory, SubjectReviewFactory

pytestmark = pytest.mark.django_db


def test_detail_filings_tab_lists_applications_and_reviews(client, health_user):
    a = InstitutionFactory(filed=True, name="甲 阳光托育")
    app = FilingApplicationFactory(institution=a, kind="initial", status="in_review")
    SubjectReviewFactory(
        application=app, subject="fire", round=1, status="returned", reasons=["疏散通道堵塞"]
    )
    client.force_login(health_user)
    content = client.get(
        reverse("institutions:detail", args=[a.pk]), {"tab": "filings"}
    ).content.decode()
    assert "首次备案" in content and "消防安全" in content and "疏散通道堵塞" in content
