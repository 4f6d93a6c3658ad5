"""Domain events ([house] point 3): the catalogue, payload checks, in-transaction receivers
that roll the emitter back, and on-commit receivers that never run for a rolled-back write."""

from __future__ import annotations

import pytest
from django.db import transaction

from tuoyu.core import events

EVENT = events.FILING_APPROVED
PAYLOAD = {
    "institution_id": 1,
    "application_id": 2,
    "kind": "initial",
    "acting_user": None,
    "decided_on": None,
}


@pytest.fixture
def calls():
    seen: list[tuple[str, dict]] = []

    def in_tx(**payload):
        seen.append(("in_tx", payload))

    def on_commit(**payload):
        seen.append(("on_commit", payload))

    events.subscribe(EVENT, in_tx, in_transaction=True)
    events.subscribe(EVENT, on_commit)
    yield seen
    events.unsubscribe(EVENT, in_tx)
    events.unsubscribe(EVENT, on_commit)


def test_every_event_is_in_the_catalogue_with_its_payload():
    assert {
        "institution_deregistered",
        "filing_cancelled",
        "filing_approved",
        "practitioner_banned",
        "institution_blacklisted",
        "outbreak_alert_raised",
    } <= set(events.CATALOGUE)
    for name, event in events.CATALOGUE.items():
        assert event.name == name and event.payload and event.doc


def test_an_event_outside_the_catalogue_is_refused():
    stray = events.Event("not_declared", ("x",), "")
    with pytest.raises(KeyError):
        events.emit(stray, x=1)
    with pytest.raises(KeyError):
        events.subscribe(stray, lambda **kw: None)


def test_a_payload_must_match_the_declaration():
    with pytest.raises(TypeError, match="institution_id"):
        events.emit(EVENT, application_id=2, kind="initial", acting_user=None, decided_on=None)
    with pytest.raises(TypeError, match="surprise"):
        events.emit(EVENT, **PAYLOAD, surprise=1)


@pytest.mark.django_db
def test_in_transaction_receivers_run_at_once_and_on_commit_ones_after_commit(
    calls, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        events.emit(EVENT, **PAYLOAD)
        assert [kind for kind, _ in calls] == ["in_tx"]
    assert [kind for kind, _ in calls] == ["in_tx", "on_commit"]
    assert calls[1][1] == PAYLOAD


@pytest.mark.django_db
def test_on_commit_receivers_never_run_for_a_write_that_rolled_back(
    calls, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        events.emit(EVENT, **PAYLOAD)
        raise RuntimeError("the write fails after emitting")
    assert callbacks == []
    assert [kind for kind, _ in calls] == ["in_tx"]


def test_subscribing_twice_registers_once(calls):
    def again(**payload):
        calls.append(("again", payload))

    events.subscribe(EVENT, again)
    events.subscribe(EVENT, again)
    try:
        assert events.receivers_of(EVENT).count(f"{again.__module__}.{again.__qualname__}") == 1
    finally:
        events.unsubscribe(EVENT, again)
