"""The children seed at the larger scales ([children] #12 "the province seed adds … children
and checks", [scale] #10 point 1): children in every filed class and one school day of
morning and noon checks, streamed, with no planted cluster (those are the district's)."""

from __future__ import annotations

import datetime as dt

import pytest

from tuoyu.children import seeding as children_seeding
from tuoyu.children.models import Child, HealthCheck, HealthCheckBatch
from tuoyu.core import seeding

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)  # a Tuesday


@pytest.mark.parametrize("scale", ["city", "province"])
def test_larger_scales_seed_children_and_one_school_day_of_checks(scale, large_class, small_class):
    ctx = seeding.SeedContext(
        scale=seeding.SCALES[scale], seed=1, district_code="330703", today=TODAY
    )
    children_seeding.generate(ctx)

    children = Child.objects.count()
    assert children > 0
    checks = HealthCheck.objects.all()
    assert set(checks.values_list("date", flat=True)) == {TODAY}
    assert set(checks.values_list("session", flat=True)) == {"morning", "noon"}
    enrolled_by_today = Child.objects.filter(enrolled_on__lte=TODAY).count()
    assert checks.count() == 2 * enrolled_by_today
    # One batch per institution; ordinary illness only: nobody is sent home.
    assert HealthCheckBatch.objects.count() == 1
    assert not checks.filter(action="sent_home").exists()
    assert ctx.streamed["children.healthcheck"] == checks.count()
