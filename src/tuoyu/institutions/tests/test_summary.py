"""[scale] #10 point 6: the figures lists sort and filter by are stored on the institution
row and kept by the writing services — filed slots (§9.1) and the latest 普惠 designation's
days (P-MODE-2) — and a deep page costs the statements of the first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import AffordableDesignationFactory, CareClassFactory
from tuoyu.institutions import summary
from tuoyu.institutions.models import CareClass, Institution
from tuoyu.institutions.selectors import public as public_selectors
from tuoyu.institutions.selectors.directory import (
    DirectoryFilters,
    directory_paged,
    filed_slots,
    institutions_directory,
)
from tuoyu.institutions.services.classes import care_classes_close, care_classes_file

pytestmark = pytest.mark.django_db

DAY = dt.date(2024, 6, 1)


def stored_slots(institution) -> int:
    return Institution.objects.get(pk=institution.pk).filed_slots


def test_filed_slots_follow_the_class_services(make_filed):
    """P-FIL-3: filing classes adds their capacities, closing them takes them away."""
    inst = make_filed(classes=[("toddler_small", 15), ("toddler_large", 20)])
    assert stored_slots(inst) == 35
    proposed = CareClassFactory(institution=inst, name="新班", capacity=10, status="proposed")
    assert stored_slots(inst) == 35  # proposed counts for nothing
    care_classes_file(institution=inst, class_ids=[proposed.pk], on=DAY)
    assert stored_slots(inst) == 45
    first = CareClass.objects.filter(institution=inst, capacity=15).get()
    care_classes_close(institution=inst, class_ids=[first.pk], on=DAY)
    assert stored_slots(inst) == 30


def test_refresh_agrees_with_the_subquery_it_replaces(make_filed):
    a = make_filed(classes=[("toddler_small", 15)])
    b = make_filed(classes=[("infant", 5), ("mixed", 12)])
    Institution.objects.update(filed_slots=0)  # as a bulk write that bypassed the hooks
    summary.refresh()
    computed = dict(Institution.objects.annotate(s=filed_slots()).values_list("pk", "s"))
    assert computed == {a.pk: 15, b.pk: 17}
    assert dict(Institution.objects.values_list("pk", "filed_slots")) == computed


def test_the_slots_sort_reads_the_stored_column(make_filed, health_user):
    small = make_filed(name="甲", classes=[("toddler_small", 5)])
    large = make_filed(name="乙", classes=[("toddler_small", 25)])
    qs = institutions_directory(acting_user=health_user, filters=DirectoryFilters(sort="-slots"))
    assert [i.pk for i in qs] == [large.pk, small.pk]
    assert [i.slots for i in qs] == [25, 5]
    assert "careclass" not in str(qs.query).lower()


def test_affordable_on_any_day_from_the_stored_designation(make_filed, health_user):
    """P-MODE-2: the latest designation is stored; a day before it asks the history."""
    inst = make_filed()
    AffordableDesignationFactory(
        institution=inst, starts_on=dt.date(2023, 1, 1), ends_on=dt.date(2023, 12, 31)
    )
    AffordableDesignationFactory(institution=inst, starts_on=dt.date(2024, 3, 1))
    row = Institution.objects.get(pk=inst.pk)
    assert (row.affordable_from, row.affordable_until) == (dt.date(2024, 3, 1), None)

    def affordable(day) -> bool:
        return (
            Institution.objects.filter(pk=inst.pk)
            .annotate(a=summary.affordable_on_day(day))
            .values_list("a", flat=True)
            .get()
        )

    assert affordable(dt.date(2024, 6, 1)) is True
    assert affordable(dt.date(2023, 6, 1)) is True  # the earlier designation
    assert affordable(dt.date(2024, 1, 15)) is False  # between the two
    assert affordable(dt.date(2022, 6, 1)) is False
    on = institutions_directory(
        acting_user=health_user, filters=DirectoryFilters(affordable=True), on_date=DAY
    )
    off = institutions_directory(
        acting_user=health_user, filters=DirectoryFilters(affordable=False), on_date=DAY
    )
    assert [i.pk for i in on] == [inst.pk] and not off.filter(pk=inst.pk).exists()


def test_a_withdrawal_ends_the_stored_designation(make_filed, health_user):
    from tuoyu.institutions.services.affordable import affordable_withdraw

    inst = make_filed()
    designation = AffordableDesignationFactory(institution=inst, starts_on=dt.date(2024, 3, 1))
    affordable_withdraw(
        acting_user=health_user,
        designation=designation,
        withdrawn_on=dt.date(2024, 5, 31),
        withdrawal_ref="撤〔2024〕1号",
        reason="不再符合条件",
    )
    row = Institution.objects.get(pk=inst.pk)
    assert row.affordable_until == dt.date(2024, 5, 31)


def test_a_deep_public_page_costs_the_statements_of_the_first(make_filed):
    for n in range(45):
        make_filed(name=f"托育机构{n:03d}")
    qs = public_selectors.public_institutions()

    def statements(page):
        with CaptureQueriesContext(connection) as ctx:
            result = public_selectors.public_institutions_page(qs, page, page_size=10)
        return result, len(ctx.captured_queries)

    first, first_count = statements(1)
    deep, deep_count = statements(5)
    assert first.count == deep.count == 45
    assert [r.name for r in deep.results] == [f"托育机构{n:03d}" for n in range(40, 45)]
    # the count, the ids of the page (covering index), their rows, their classes, and one
    # statement per registered provider of public facts (supervision's credit and inspection)
    # and per enrolment counter (children's, for the vacancies)
    from tuoyu.institutions import public_facts

    providers = len(public_facts._facts) + len(public_facts._enrolment)
    assert deep_count == first_count == 4 + providers


def test_directory_pages_read_rows_by_the_ids_of_the_order(make_filed, health_user):
    for n in range(30):
        make_filed(name=f"机构{n:02d}", classes=[("toddler_small", n + 1)])
    qs = institutions_directory(acting_user=health_user, filters=DirectoryFilters(sort="slots"))
    paged = directory_paged(qs)
    assert paged.count() == 30
    assert [i.slots for i in paged[20:25]] == [21, 22, 23, 24, 25]
    searched = directory_paged(
        institutions_directory(acting_user=health_user, filters=DirectoryFilters(q="机构")),
        DirectoryFilters(q="机构"),
    )
    with CaptureQueriesContext(connection) as ctx:
        assert searched.count() == 30
        assert len(searched[10:20]) == 10
    assert len(ctx.captured_queries) == 2  # the matching ids once, then the page's rows
