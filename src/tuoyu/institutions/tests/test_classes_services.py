"""Classes and slots of §9.1 (P-STD-1): sizes and ages from policy data."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import CareClassFactory
from tuoyu import policy
from tuoyu.core.errors import DomainError
from tuoyu.institutions.models import CareClass, Institution
from tuoyu.institutions.selectors.classes import annotate_slots, institution_slots
from tuoyu.institutions.services.classes import (
    care_class_create,
    care_class_withdraw,
    class_admits_age,
)

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 6, 1)


@pytest.mark.parametrize("class_type", ["infant", "toddler_small", "toddler_large", "mixed"])
def test_capacity_up_to_standard_accepted_above_rejected(make_institution, class_type):
    inst = make_institution()
    most = policy.at(DAY).classes[class_type].max_children
    ok = care_class_create(
        acting_user=None, institution=inst, name="甲班", class_type=class_type, capacity=most
    )
    assert ok.status == CareClass.Status.PROPOSED and ok.capacity == most
    with pytest.raises(DomainError) as exc:
        care_class_create(
            acting_user=None,
            institution=inst,
            name="乙班",
            class_type=class_type,
            capacity=most + 1,
        )
    assert exc.value.code == "class_size_exceeds_standard"
    assert exc.value.status == 422 and exc.value.errors[0].field == "capacity"


def test_class_input_errors(make_institution):
    inst = make_institution()
    for kwargs, code in [
        ({"class_type": "kindergarten", "capacity": 5}, "invalid_choice"),
        ({"class_type": "infant", "capacity": 0}, "capacity_invalid"),
        ({"class_type": "infant", "capacity": "x"}, "capacity_invalid"),
    ]:
        with pytest.raises(DomainError) as exc:
            care_class_create(acting_user=None, institution=inst, name="甲班", **kwargs)
        assert exc.value.code == code
    with pytest.raises(DomainError) as exc:
        care_class_create(
            acting_user=None, institution=inst, name=" ", class_type="infant", capacity=5
        )
    assert exc.value.code == "required"
    care_class_create(
        acting_user=None, institution=inst, name="甲班", class_type="infant", capacity=5
    )
    with pytest.raises(DomainError) as exc:
        care_class_create(
            acting_user=None, institution=inst, name="甲班", class_type="infant", capacity=5
        )
    assert exc.value.code == "class_name_taken" and exc.value.status == 409


def test_deregistered_or_cancelled_institution_cannot_add_classes(make_institution):
    dereg = make_institution(registration_status=Institution.RegistrationStatus.DEREGISTERED)
    with pytest.raises(DomainError) as exc:
        care_class_create(
            acting_user=None, institution=dereg, name="甲班", class_type="infant", capacity=5
        )
    assert exc.value.code == "institution_deregistered"
    cancelled = make_institution(filing_status=Institution.FilingStatus.CANCELLED)
    with pytest.raises(DomainError) as exc:
        care_class_create(
            acting_user=None, institution=cancelled, name="甲班", class_type="infant", capacity=5
        )
    assert exc.value.code == "filing_cancelled"


def test_class_admits_age_follows_the_standard():
    """P-STD-1: under 6 months no class; mixed classes only 18–36 months."""
    assert not class_admits_age("infant", 5, DAY)
    assert class_admits_age("infant", 6, DAY)
    assert not class_admits_age("infant", 12, DAY)  # exactly 12 → toddler_small
    assert class_admits_age("toddler_small", 12, DAY)
    assert not class_admits_age("mixed", 17, DAY)
    assert class_admits_age("mixed", 18, DAY)
    assert class_admits_age("mixed", 35, DAY)
    assert not class_admits_age("mixed", 36, DAY)
    assert not class_admits_age("nonsense", 20, DAY)


def test_slots_count_filed_classes_only_in_sql(make_institution, django_assert_num_queries):
    a = make_institution()
    b = make_institution()
    CareClassFactory(institution=a, name="1", class_type="infant", capacity=10, status="filed")
    CareClassFactory(
        institution=a, name="2", class_type="toddler_large", capacity=20, status="filed"
    )
    CareClassFactory(
        institution=a, name="3", class_type="toddler_small", capacity=15, status="proposed"
    )
    CareClassFactory(institution=a, name="4", class_type="mixed", capacity=18, status="closed")
    assert institution_slots(a) == 30
    assert institution_slots(b) == 0
    with django_assert_num_queries(1):
        slots = dict(annotate_slots(Institution.objects.all()).values_list("pk", "slots"))
    assert slots == {a.pk: 30, b.pk: 0}


def test_withdraw_proposed_class_but_not_filed_one(make_institution):
    inst = make_institution()
    proposed = care_class_create(
        acting_user=None, institution=inst, name="甲班", class_type="infant", capacity=5
    )
    care_class_withdraw(acting_user=None, care_class=proposed)
    proposed.refresh_from_db()
    assert proposed.status == "closed"
    filed = CareClassFactory(
        institution=inst, name="乙班", class_type="infant", capacity=5, status="filed"
    )
    with pytest.raises(DomainError) as exc:
        care_class_withdraw(acting_user=None, care_class=filed)
    assert exc.value.code == "class_filed"
