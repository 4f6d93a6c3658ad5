"""Demo data: every generated institution has the pushed event behind it (P-REG-11),
created set-based and deterministically."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from tuoyu.institutions.models import Institution, RegistrationEvent
from tuoyu.institutions.seeding import seed_registration_events

from .conftest import new_uscc

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def generated(make_institution):
    at = dt.datetime(2024, 3, 1, 9, 0, tzinfo=SHANGHAI)
    return [
        make_institution(uscc=new_uscc(), registered_at=at),
        make_institution(uscc=new_uscc(), registered_at=at + dt.timedelta(days=1)),
        make_institution(
            uscc=new_uscc("5", "2"),
            legal_form="social_organization",
            for_profit=False,
            registration_authority="civil_affairs",
            registered_at=at,
        ),
        make_institution(
            uscc=new_uscc(),
            registered_at=at - dt.timedelta(days=400),
            registration_status="deregistered",
            deregistered_at=at - dt.timedelta(days=10),
        ),
    ]


def test_one_registered_event_per_institution_and_one_for_a_deregistration(
    generated, market_user, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):  # set-based: not one query per institution
        created = seed_registration_events(SimpleNamespace(seed=1), generated)

    assert created == 5
    registered = RegistrationEvent.objects.filter(action="registered")
    assert sorted(e.institution_id for e in registered) == sorted(i.pk for i in generated)
    assert {e.channel for e in RegistrationEvent.objects.all()} == {"api"}
    # Numbered per authority, region and year in order of occurrence: the deregistration
    # on 2024-02-20 comes before the registrations of March.
    gone = RegistrationEvent.objects.get(action="deregistered")
    assert gone.event_id == "SAMR-330703-2024-000001"
    first = RegistrationEvent.objects.get(institution=generated[0], action="registered")
    assert first.event_id == "SAMR-330703-2024-000002"
    assert RegistrationEvent.objects.get(institution=generated[1]).event_id == (
        "SAMR-330703-2024-000003"
    )
    assert RegistrationEvent.objects.get(
        institution=generated[3], action="registered"
    ).event_id == ("SAMR-330703-2023-000001")
    assert RegistrationEvent.objects.get(institution=generated[2]).event_id == (
        "MZ-330703-2024-000001"
    )
    assert first.received_at == first.occurred_at == generated[0].registered_at
    assert first.received_by == market_user
    assert first.payload["township_code"] == generated[0].township.code
    assert gone.institution == generated[3]
    assert gone.response["registration_status"] == "deregistered"


def test_running_again_adds_nothing(generated):
    ctx = SimpleNamespace(seed=1)
    seed_registration_events(ctx, generated)
    ids = sorted(RegistrationEvent.objects.values_list("event_id", flat=True))
    assert seed_registration_events(ctx, generated) == 0
    assert sorted(RegistrationEvent.objects.values_list("event_id", flat=True)) == ids


def test_deterministic_whatever_the_order_given(generated):
    seed_registration_events(SimpleNamespace(seed=1), list(reversed(generated)))
    by_institution = dict(RegistrationEvent.objects.values_list("institution_id", "event_id"))
    RegistrationEvent.objects.all().delete()
    seed_registration_events(SimpleNamespace(seed=1), [i.pk for i in generated])
    assert dict(RegistrationEvent.objects.values_list("institution_id", "event_id")) == (
        by_institution
    )


def test_a_seeded_event_pushed_again_is_an_idempotent_replay(generated, market_user, push):
    """The stored payload is the canonical body: the authority's system re-sending it gets
    200 and the same answer."""
    seed_registration_events(SimpleNamespace(seed=1), generated)
    event = RegistrationEvent.objects.get(institution=generated[0], action="registered")
    response = push(market_user, event.payload)
    assert response.status_code == 200
    assert response.json() == {
        "institution_id": generated[0].pk,
        "registration_status": "registered",
    }
    assert Institution.objects.count() == len(generated)
