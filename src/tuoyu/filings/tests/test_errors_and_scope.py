"""Every remaining error code of the filing workflow, and who sees which application
(scope per role, P-REG-12; 404 outside the scope)."""

from __future__ import annotations

import pytest

from tuoyu.core.errors import DomainError, NotFound
from tuoyu.filings import selectors, services
from tuoyu.filings.models import FilingApplication, FilingMaterial
from tuoyu.filings.tests.conftest import BASIC, fill, pdf
from tuoyu.institutions.services.classes import care_class_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(institution_user, institution):
    return services.filing_start(
        acting_user=institution_user, institution=institution, kind="initial"
    )


def test_class_name_too_long(institution):
    with pytest.raises(DomainError) as exc:
        care_class_create(
            acting_user=None,
            institution=institution,
            name="班" * 61,
            class_type="infant",
            capacity=3,
        )
    assert exc.value.code == "too_long"


def test_material_kind_invalid(institution_user, draft):
    with pytest.raises(DomainError) as exc:
        services.filing_material_upload(
            acting_user=institution_user, application=draft, kind="diploma", file=pdf()
        )
    assert exc.value.code == "invalid_choice"


def test_text_too_long_and_unknown_region(institution_user, draft):
    with pytest.raises(DomainError) as exc:
        services.filing_update_basic(
            acting_user=institution_user,
            application=draft,
            data={"address": "路" * 201, "township": "330703999", "community": "330703001999"},
        )
    got = {(e.code, e.field) for e in exc.value.errors}
    assert got == {
        ("too_long", "address"),
        ("unknown_region", "township"),
        ("unknown_region", "community"),
    }


def test_kindergarten_nursery_classes_only_for_two_to_three(institution_user, draft):
    """P-MODE-3: a kindergarten's nursery class takes children aged 2–3."""
    fill(
        institution_user,
        draft,
        basic={**BASIC, "operating_mode": "kindergarten_class"},
        classes=[("托小一班", "toddler_small", 10), ("托大一班", "toddler_large", 20)],
    )
    with pytest.raises(DomainError) as exc:
        services.filing_submit(
            acting_user=institution_user, application=draft, commitment_accepted=True
        )
    assert [e.code for e in exc.value.errors] == ["class_type_outside_nursery_ages"]


def test_home_care_point_at_most_five_children(institution_user, draft):
    """P-STD-5: above five children a home care point files as an institution."""
    fill(
        institution_user,
        draft,
        basic={**BASIC, "operating_mode": "family_care"},
        classes=[("混合班", "mixed", 6)],
    )
    with pytest.raises(DomainError) as exc:
        services.filing_submit(
            acting_user=institution_user, application=draft, commitment_accepted=True
        )
    assert [e.code for e in exc.value.errors] == ["home_care_point_too_large"]


def test_already_filed_and_kind_invalid(filed, institution_user):
    with pytest.raises(DomainError) as exc:
        services.filing_start(acting_user=institution_user, institution=filed, kind="initial")
    assert exc.value.code == "already_filed"
    with pytest.raises(DomainError) as exc:
        services.filing_start(acting_user=institution_user, institution=filed, kind="renewal")
    assert exc.value.code == "invalid_choice"


def test_who_sees_which_application(
    filed, institution_user, reviewers, make_user, make_institution, district
):
    """Institution: own; 区卫健局: all; a subject reviewer: applications with its subject;
    a township: its township's; a department without a subject: none."""
    initial = FilingApplication.objects.get(kind="initial")
    change = services.filing_start(acting_user=institution_user, institution=filed, kind="change")
    services.filing_update_basic(
        acting_user=institution_user,
        application=change,
        data={**change.facts["basic"], "monthly_fee_yuan": "3100"},
    )
    services.filing_submit(
        acting_user=institution_user, application=change, commitment_accepted=True
    )

    def seen(user):
        return set(selectors.applications_for(acting_user=user).values_list("pk", flat=True))

    assert seen(institution_user) == {initial.pk, change.pk}
    assert seen(reviewers["health"]) == {initial.pk, change.pk}
    assert seen(reviewers["fire"]) == {initial.pk}  # the fee change touches no subject
    assert seen(reviewers["food"]) == {initial.pk}
    assert seen(make_user("duohu", township="duohu")) == {initial.pk, change.pk}
    assert seen(make_user("dongxiao", township="dongxiao")) == set()
    assert seen(make_user("caizheng", department="finance")) == set()
    other = make_user("other", institution=make_institution())
    assert seen(other) == set()
    assert selectors.decision_queue(acting_user=reviewers["fire"]).count() == 0
    assert list(selectors.decision_queue(acting_user=reviewers["health"])) == [change]


def test_township_cannot_download_materials(submitted, make_user):
    material = FilingMaterial.objects.filter(application=submitted).first()
    with pytest.raises(NotFound):
        selectors.material_get(acting_user=make_user("duohu", township="duohu"), pk=material.pk)
