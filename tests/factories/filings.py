"""Filing applications (P-REG-12, P-FIL-1..3) and their subject reviews, as rows: for
tests that need an application in some state without walking the workflow (the workflow
itself goes through `tuoyu.filings.services`)."""

from __future__ import annotations

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from tests.factories.institutions import InstitutionFactory
from tuoyu.filings.models import FilingApplication, SubjectReview

SUBJECTS = ["fire", "security", "food", "health_care"]

# A standards section (P-STD-2 / P-STD-3, `tuoyu.filings.checks.STANDARD_FACTS`) that meets
# every standard of the base policy: what a complete application and a filed institution
# (`filed_standards`) carry unless a test says otherwise.
COMPLIANT_STANDARDS = {
    "head_education": "bachelor",
    "head_experience_years": 5,
    "head_post_training": True,
    "health_workers_full_time": 1,
    "health_worker_mch_trained": True,
    "security_guard_licensed": True,
    "premises_tenure": "leased",
    "lease_years": 5,
    "living_floor_lowest": 1,
    "living_floor_highest": 2,
    "living_underground": False,
    "window_area_m2": "60.00",
    "living_room_area_m2": "240.00",
    "observation_room_m2": "8.00",
    "observation_bed": True,
}


class FilingApplicationFactory(DjangoModelFactory):
    """An initial-filing draft of a new institution; `submitted=True` puts it in review on
    the four subjects (first round)."""

    class Meta:
        model = FilingApplication

    class Params:
        submitted = factory.Trait(
            status=FilingApplication.Status.IN_REVIEW,
            subjects=factory.LazyFunction(lambda: list(SUBJECTS)),
            commitment_accepted=True,
            round=1,
            first_submitted_at=factory.LazyFunction(timezone.now),
            submitted_at=factory.SelfAttribute("first_submitted_at"),
        )

    institution = factory.SubFactory(InstitutionFactory)
    kind = FilingApplication.Kind.INITIAL
    status = FilingApplication.Status.DRAFT


class SubjectReviewFactory(DjangoModelFactory):
    """A pending review of one subject (消防 by default) of an application in review."""

    class Meta:
        model = SubjectReview

    application = factory.SubFactory(FilingApplicationFactory, submitted=True)
    institution = factory.SelfAttribute("application.institution")
    subject = "fire"
    round = factory.LazyAttribute(lambda o: max(o.application.round, 1))
    opened_at = factory.LazyFunction(timezone.now)
