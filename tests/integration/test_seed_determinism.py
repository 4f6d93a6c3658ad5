"""`tuoyu seed --seed N` gives the same data every time; another seed gives other data."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import transaction

from tuoyu.core import seeding
from tuoyu.institutions.models import Institution
from tuoyu.regions.models import RegionYearStatistic


class _Rollback(Exception):
    pass


def _seed_snapshot(seed: int):
    snapshot = None
    try:
        with transaction.atomic():
            seeding.run(
                scale="district",
                seed=seed,
                district_code=settings.TUOYU_DISTRICT_CODE,
                today=dt.date(2026, 6, 30),
                quiet=True,
            )
            snapshot = (
                list(
                    Institution.objects.order_by("uscc").values_list(
                        "uscc",
                        "name",
                        "legal_representative",
                        "address",
                        "township__code",
                        "registered_at",
                    )
                ),
                list(
                    RegionYearStatistic.objects.order_by("region__code", "year").values_list(
                        "region__code",
                        "year",
                        "resident_population",
                        "births",
                    )
                ),
            )
            raise _Rollback
    except _Rollback:
        pass
    return snapshot


@pytest.mark.django_db
def test_same_seed_same_data_other_seed_other_data():
    first = _seed_snapshot(7)
    assert first[0] and first[1]
    assert _seed_snapshot(7) == first
    assert _seed_snapshot(8) != first
