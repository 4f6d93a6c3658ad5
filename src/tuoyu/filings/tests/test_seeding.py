"""Demo filings (issue 3 "Done when": the demo data contains institutions in every state),
made through the services and deterministic; the bulk path for big seeds is consistent."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tuoyu.accounts.models import User
from tuoyu.core.identifiers import make_uscc
from tuoyu.filings import seeding as seeding_filings
from tuoyu.filings.models import (
    FilingApplication,
    FilingMaterial,
    FilingNumberSequence,
    SubjectReview,
)
from tuoyu.filings.seeding import seed_filings
from tuoyu.institutions.models import CareClass, Institution
from tuoyu.institutions.selectors.classes import institution_slots

pytestmark = pytest.mark.django_db
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
TODAY = dt.date(2025, 11, 20)
FORMS = [
    ("company", True, "market_regulation"),
    ("social_organization", False, "civil_affairs"),
    ("kindergarten", False, "education"),
]


def ctx(seed=7):
    from tuoyu.core.seeding import SCALES, SeedContext

    context = SeedContext(
        scale=SCALES["district"], seed=seed, district_code="330703", today=TODAY, quiet=True
    )
    context.rng = random.Random(seed)
    return context


@pytest.fixture
def world(make_institution, make_user, district):
    for username, department in [
        ("xiaofang", "fire_rescue"),
        ("gongan", "public_security"),
        ("shichang", "market_regulation"),
        ("weijian", "health"),
        ("jiaoti", "education"),  # decides the 托幼一体化 institutions (P-REG-10)
    ]:
        make_user(username, department=department)

    def build(n):
        out = []
        for k in range(n):
            legal_form, for_profit, authority = FORMS[k % 3]
            inst = make_institution(
                uscc=make_uscc("9", "1", "330703", f"MA5R{k:04d}"),
                township=district["duohu"] if k % 2 else district["dongxiao"],
                legal_form=legal_form,
                for_profit=for_profit,
                registration_authority=authority,
                registered_at=dt.datetime(2021, 1, 4, 9, tzinfo=SHANGHAI)
                + dt.timedelta(days=(37 * k) % 1700),
                legal_representative="负责人",
                address="金东区某路1号",
            )
            make_user(f"jg{k:02d}", institution=inst)
            out.append(inst)
        return out

    return build


def test_every_state_through_the_services(world):
    institutions = world(30)
    counts = seed_filings(ctx(), institutions)
    statuses = set(FilingApplication.objects.values_list("status", flat=True))
    assert {"draft", "in_review", "returned", "awaiting_decision", "approved"} <= statuses
    kinds = set(FilingApplication.objects.values_list("kind", flat=True))
    assert kinds == {"initial", "change", "cancellation"}
    filing = set(Institution.objects.values_list("filing_status", flat=True))
    assert filing == {"not_filed", "in_review", "filed", "cancelled"}
    assert counts["filed"] >= 15 and counts["not_filed"] >= 2
    # in review: some subjects approved, some pending
    in_review = FilingApplication.objects.filter(status="in_review", kind="initial").first()
    review_states = set(in_review.reviews.values_list("status", flat=True))
    assert review_states == {"approved", "pending"}
    # returned ones carry reasons
    returned = SubjectReview.objects.filter(status="returned").first()
    assert returned.reasons
    # filed institutions have classes within the standard and slots
    for inst in Institution.objects.filter(filing_status="filed"):
        assert institution_slots(inst) > 0
        assert inst.filing_number.startswith("TY330703-")
    # numbers per year are sequential and unique
    numbers = list(
        Institution.objects.exclude(filing_number=None).values_list("filing_number", flat=True)
    )
    assert len(numbers) == len(set(numbers))


def _snapshot():
    return (
        sorted(
            Institution.objects.values_list(
                "uscc", "filing_status", "filing_number", "monthly_fee_yuan", "operating_mode"
            )
        ),
        sorted(CareClass.objects.values_list("institution__uscc", "name", "capacity", "status")),
        sorted(
            FilingApplication.objects.values_list(
                "institution__uscc", "kind", "status", "round", "submitted_at"
            )
        ),
        sorted(
            SubjectReview.objects.values_list("institution__uscc", "subject", "status", "reasons")
        ),
    )


def _reset():
    SubjectReview.objects.all().delete()
    FilingMaterial.objects.all().delete()
    FilingApplication.objects.all().delete()
    CareClass.objects.all().delete()
    FilingNumberSequence.objects.all().delete()
    Institution.objects.update(
        filing_status="not_filed",
        filing_number=None,
        filed_on=None,
        filing_cancelled_on=None,
        monthly_fee_yuan=None,
        operating_mode="",
        community=None,
    )


def test_deterministic(world):
    institutions = world(12)
    seed_filings(ctx(3), institutions)
    first = _snapshot()
    _reset()
    seed_filings(ctx(3), [Institution.objects.get(pk=i.pk) for i in institutions])
    assert _snapshot() == first
    _reset()
    seed_filings(ctx(4), [Institution.objects.get(pk=i.pk) for i in institutions])
    assert _snapshot() != first


def test_bulk_path_is_consistent(world, monkeypatch):
    monkeypatch.setattr(seeding_filings, "BULK_THRESHOLD", 5)
    institutions = world(24)
    seed_filings(ctx(), institutions)
    bulk_apps = FilingApplication.objects.filter(kind="initial", status="approved")
    assert bulk_apps.count() >= 10
    for app in bulk_apps:
        inst = app.institution
        assert app.filing_number == inst.filing_number or inst.filing_status == "cancelled"
        assert app.reviews.filter(status="approved").count() == 4
    for seq in FilingNumberSequence.objects.all():
        count = Institution.objects.filter(filing_number__contains=f"-{seq.year}-").count()
        assert seq.last_number == count
    assert CareClass.objects.filter(status="filed").count() > 0


def test_queue_page_queries_do_not_grow_with_rows(world, client):
    """The filing list (queue page) is one query per table, not one per row (no N+1)."""
    institutions = world(24)
    seed_filings(ctx(), institutions[:12])
    client.force_login(User.objects.get(username="weijian"))
    with CaptureQueriesContext(connection) as small:
        assert client.get("/filings/queue/?per_page=20").status_code == 200
    seed_filings(ctx(5), institutions[12:])
    assert FilingApplication.objects.count() > 20
    with CaptureQueriesContext(connection) as big:
        assert client.get("/filings/queue/?per_page=100").status_code == 200
    assert len(big) <= len(small) + 2, [q["sql"] for q in big.captured_queries]
