"""The public listing's enrolment, credit and inspection facts come from the apps that own
them, through registered providers (API-CONTRACT §6; [house] point 3): institutions names
none of those apps."""

from __future__ import annotations

import pytest
from django.test import Client

from tuoyu.institutions import public_facts
from tuoyu.institutions.models import CareClass

URL = "/api/v1/public/institutions"


@pytest.fixture
def filed(make_filed):
    return make_filed(classes=[("toddler_large", 20)])


def test_without_providers_vacancies_equal_capacity_and_facts_are_null(filed):
    [item] = Client().get(URL).json()["results"]
    assert item["classes"][0]["capacity"] == item["classes"][0]["vacancies"] == 20
    assert item["credit_rating"] is None and item["last_inspection"] is None


def test_registered_providers_fill_the_listing_in_one_call_per_page(filed, make_filed):
    other = make_filed(classes=[("infant", 10)])
    calls = []

    def enrolled(class_ids):
        calls.append(("enrolled", sorted(class_ids)))
        return {CareClass.objects.get(institution=filed).pk: 7}

    def credit(institution_ids):
        calls.append(("credit", sorted(institution_ids)))
        return {
            filed.pk: {
                "credit_rating": "A",
                "last_inspection": {"date": "2026-10-09", "result": "合格"},
            }
        }

    public_facts.register_enrolment_counter(enrolled)
    public_facts.register_institution_facts(credit)
    try:
        results = {r["id"]: r for r in Client().get(URL).json()["results"]}
    finally:
        public_facts.unregister(enrolled)
        public_facts.unregister(credit)

    assert results[filed.pk]["classes"][0]["vacancies"] == 13
    assert results[filed.pk]["credit_rating"] == "A"
    assert results[filed.pk]["last_inspection"]["result"] == "合格"
    assert results[other.pk]["credit_rating"] is None
    assert [kind for kind, _ in calls] == ["enrolled", "credit"]  # once per page, not per row
    assert calls[1][1] == sorted([filed.pk, other.pk])


def test_a_provider_cannot_add_a_field_the_contract_does_not_publish(filed):
    def leaky(institution_ids):
        return {i: {"credit_rating": "A", "legal_representative": "李四"} for i in institution_ids}

    public_facts.register_institution_facts(leaky)
    try:
        with pytest.raises(ValueError, match="legal_representative"):
            public_facts.institution_facts([filed.pk])
    finally:
        public_facts.unregister(leaky)
