"""[fidelity] #7 point 6, P-STD-5 (家庭托育点管理办法（试行）, national, November 2023): a home
care point takes ≤ 5 children and ≤ 3 per caregiver. The second limit was never read: 5
children with 1 caregiver passed. Both apply only while the policy in force sets them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tuoyu import policy
from tuoyu.core.errors import DomainError
from tuoyu.filings import checks, services
from tuoyu.filings.models import FilingApplication
from tuoyu.filings.tests.conftest import BASIC, STAFF, fill

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
IN_FORCE = dt.datetime(2024, 6, 3, 10, 0, tzinfo=SHANGHAI)  # after the measures (2023-11)
BEFORE = dt.datetime(2021, 6, 1, 10, 0, tzinfo=SHANGHAI)  # before them


@pytest.fixture
def home_care_point(institution_user, institution):
    """A home care point of 5 children (one mixed class) with `caregivers` caregivers."""

    def make(caregivers: int, children: int = 5):
        app = services.filing_start(
            acting_user=institution_user,
            institution=institution,
            kind=FilingApplication.Kind.INITIAL,
        )
        return fill(
            institution_user,
            app,
            basic={**BASIC, "operating_mode": "family_care", "indoor_area_m2": "60"},
            classes=[("混合班", "mixed", children)],
            staff={**STAFF, "caregiver": {"count": caregivers, "certified": caregivers}},
        )

    return make


def test_p_std_5_five_children_with_one_caregiver_is_refused(institution_user, home_care_point):
    """The issue's example: 5 children, 1 caregiver, policy of 2024 → refused, ≤ 3 each."""
    app = home_care_point(caregivers=1)
    with pytest.raises(DomainError) as exc:
        services.filing_submit(
            acting_user=institution_user, application=app, commitment_accepted=True, at=IN_FORCE
        )
    errors = exc.value.errors
    assert [(e.code, e.field) for e in errors] == [
        ("home_care_point_caregivers_below_ratio", "staff.caregiver")
    ]
    assert errors[0].rule == "P-STD-5"
    assert "家庭托育点管理办法" in errors[0].message and "3" in errors[0].message


def test_p_std_5_two_caregivers_for_five_children_pass(institution_user, home_care_point):
    app = home_care_point(caregivers=2)
    services.filing_submit(
        acting_user=institution_user, application=app, commitment_accepted=True, at=IN_FORCE
    )
    app.refresh_from_db()
    assert app.status == FilingApplication.Status.IN_REVIEW


def test_p_std_5_does_not_apply_before_the_measures(institution_user, home_care_point):
    """On 2021-06-01 no version sets the home-care-point limits (P-STD-5 started November
    2023): neither the size nor the per-caregiver limit applies; the class ratio (mixed,
    P-STD-1) still does."""
    assert policy.at(BEFORE.date()).standards.home_care_point_children_per_caregiver is None
    app = home_care_point(caregivers=1)
    services.filing_submit(
        acting_user=institution_user, application=app, commitment_accepted=True, at=BEFORE
    )
    app.refresh_from_db()
    assert app.status == FilingApplication.Status.IN_REVIEW


def test_p_std_5_an_absent_limit_is_no_check():
    """A policy that does not set the limits (value None) checks nothing of P-STD-5 but
    the class ratio; one that sets them refuses."""
    current = policy.at(IN_FORCE.date())
    absent = current.model_copy(
        update={
            "standards": current.standards.model_copy(
                update={
                    "home_care_point_children_per_caregiver": None,
                    "home_care_point_max_children": None,
                }
            )
        }
    )
    live = [{"name": "混合班", "class_type": "mixed", "capacity": 6, "action": "keep"}]
    staff = {"caregiver": {"count": 2, "certified": 2}}
    assert checks._home_care_point_errors(live, staff, absent) == []
    assert [e.code for e in checks._home_care_point_errors(live, staff, current)] == [
        "home_care_point_too_large"
    ]
    one = {"caregiver": {"count": 1, "certified": 1}}
    assert [e.code for e in checks._home_care_point_errors(live, one, absent)] == [
        "caregivers_below_ratio"  # 6 children in a mixed class need 2 (P-STD-1)
    ]
