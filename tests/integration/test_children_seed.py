"""[children] demo data: `tuoyu seed --scale district` puts children in the filed classes
(never above a class's filed number, ages fitting the class type, valid ID numbers with
3307xx codes), examinations with growth naming the WHO reference, four weeks of checks and
the planted clusters raising outbreak alerts; the same seed gives the same children."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.conf import settings
from django.db import transaction
from django.db.models import Count

from tuoyu import policy
from tuoyu.children.models import Child, Examination, HealthCheck, OutbreakAlert
from tuoyu.children.services.enrolment import age_in_months
from tuoyu.core import seeding
from tuoyu.core.identifiers import validate_id_number

TODAY = dt.date(2026, 6, 30)


class _Rollback(Exception):
    pass


def _seed(seed: int, inspect):
    out = None
    try:
        with transaction.atomic():
            started = time.monotonic()
            seeding.run(
                scale="district",
                seed=seed,
                district_code=settings.TUOYU_DISTRICT_CODE,
                today=TODAY,
                quiet=True,
            )
            out = inspect(time.monotonic() - started)
            raise _Rollback
    except _Rollback:
        pass
    return out


def _check(elapsed):
    children = list(Child.objects.select_related("care_class"))
    assert children
    over = (
        Child.objects.values("care_class_id", "care_class__capacity")
        .annotate(n=Count("id"))
        .order_by()
    )
    assert all(r["n"] <= r["care_class__capacity"] for r in over)  # P-STD-4
    standards = policy.at(TODAY).classes
    for c in children:
        assert standards[c.care_class.class_type].admits_age(age_in_months(c.birth_date, TODAY))
        if c.id_number:
            idn = c.id_number.reveal()
            assert validate_id_number(idn) == idn and idn.startswith("3307")
    assert Examination.objects.filter(kind="entry").count() == len(children)
    assert Examination.objects.exclude(growth_reference="").exists()
    assert HealthCheck.objects.count() > len(children) * 20
    kinds = set(OutbreakAlert.objects.values_list("kind", flat=True))
    assert {"class_same_day", "hfmd_class"} <= kinds
    return sorted(
        (c.birth_date, c.gender, c.name.reveal(), c.care_class.name) for c in children
    ), elapsed


@pytest.mark.django_db
def test_district_seed_children_checks_and_alerts():
    first, _ = _seed(3, _check)
    second, _ = _seed(3, _check)
    assert first == second
