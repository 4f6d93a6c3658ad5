"""P-HC-4: the year-end job `children.vaccination_recheck` marks, in December, the children
whose catch-up re-check is due by 31 December; the institution sees them on its children
page until the re-check is recorded. Run with the in-memory job context."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import ChildFactory
from tests.jobrun import run_job
from tuoyu.audit.models import AuditEvent
from tuoyu.children.models import VaccinationRecheck
from tuoyu.children.services.enrolment import vaccination_check_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def children(large_class, today):
    year = today.year
    due = ChildFactory(
        care_class=large_class,
        vaccination_checked_on=dt.date(year, 3, 1),
        vaccination_catch_up=True,
    )
    complete = ChildFactory(care_class=large_class, vaccination_checked_on=dt.date(year, 3, 1))
    rechecked = ChildFactory(
        care_class=large_class,
        vaccination_checked_on=dt.date(year, 3, 1),
        vaccination_catch_up=True,
        vaccination_recheck_on=dt.date(year, 6, 1),
    )
    left = ChildFactory(
        care_class=large_class,
        vaccination_checked_on=dt.date(year, 3, 1),
        vaccination_catch_up=True,
        status="withdrawn",
    )
    return due, complete, rechecked, left


def test_year_end_job_marks_due_children_once(children, today):
    due = children[0]
    december = dt.date(today.year, 12, 1)
    run = run_job("children.vaccination_recheck", december)
    assert run.counts == {"due": 1, "marked": 1}
    marked = VaccinationRecheck.objects.get()
    assert marked.child == due and marked.due_on == dt.date(today.year, 12, 31)
    assert AuditEvent.objects.filter(action="children.vaccination_recheck.marked").count() == 1
    again = run_job("children.vaccination_recheck", dt.date(today.year, 12, 2))
    assert again.counts["marked"] == 0 and VaccinationRecheck.objects.count() == 1


def test_not_year_end_marks_nobody(children, today):
    run = run_job("children.vaccination_recheck", dt.date(today.year, 11, 1))
    assert run.counts == {"due": 0, "marked": 0} and not VaccinationRecheck.objects.exists()


def test_institution_sees_list_until_rechecked(client, nursery, nursery_user, children, today):
    due = children[0]
    run_job("children.vaccination_recheck", dt.date(today.year, 12, 1))
    client.force_login(nursery_user)
    html = client.get("/children/").content.decode()
    listed = html.split('data-testid="vaccination-recheck"', 1)[1].split("</ul>")[0]
    assert f'data-child="{due.pk}"' in listed and due.name_masked in listed
    vaccination_check_record(
        acting_user=nursery_user, institution=nursery, child_id=due.pk, checked_on=today
    )
    html = client.get("/children/").content.decode()
    listed = html.split('data-testid="vaccination-recheck"', 1)[1].split("</ul>")[0]
    assert f'data-child="{due.pk}"' not in listed
