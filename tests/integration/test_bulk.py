"""core.bulk.bulk_insert against the real tables of regions, accounts and institutions:
an integration test, so it sits above every floor (it was in tuoyu.core.tests)."""

import datetime as dt

import pytest
from django.utils import timezone

from tuoyu.core.bulk import bulk_insert
from tuoyu.regions.models import Region


@pytest.mark.django_db
def test_bulk_insert_writes_the_same_rows_as_the_orm(district):
    township = district["duohu"]
    regions = [
        Region(code=f"330703001{n:03d}", name=f"测试{n}村委会", level="village", parent=township)
        for n in range(100, 350)
    ]
    assert bulk_insert(Region, regions, batch_size=100) == 250
    stored = Region.objects.filter(code__startswith="330703001", level="village")
    assert stored.count() == 251  # the fixture's own village too
    assert Region.objects.get(code="330703001249").parent == township


@pytest.mark.django_db
def test_bulk_insert_handles_json_dates_and_auto_now(district, make_institution):
    from tuoyu.accounts.models import Department
    from tuoyu.institutions.models import CareClass

    bulk_insert(
        Department, [Department(code="test", name="测试局", review_subjects=["fire", "食品"])]
    )
    assert Department.objects.get(code="test").review_subjects == ["fire", "食品"]
    institution = make_institution()
    before = timezone.now()
    bulk_insert(
        CareClass,
        [
            CareClass(
                institution=institution,
                name=f"托小{n}班",
                class_type="toddler_small",
                capacity=15,
                status="filed",
                filed_on=dt.date(2024, 3, 1),
            )
            for n in range(3)
        ],
    )
    classes = CareClass.objects.filter(institution=institution)
    assert classes.count() == 3
    assert all(c.created_at >= before and c.filed_on == dt.date(2024, 3, 1) for c in classes)
