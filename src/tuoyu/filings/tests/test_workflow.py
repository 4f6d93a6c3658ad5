"""P-REG-12 filing workflow: submission, review by four subjects, return and resubmission,
decision by 区卫健局, filing number, facts applied (services)."""

from __future__ import annotations

import datetime as dt

import pytest

from tuoyu.audit.models import AuditEvent
from tuoyu.core import clock
from tuoyu.core.errors import DomainError, NotFound
from tuoyu.filings import checks, selectors, services
from tuoyu.filings.models import FilingApplication, SubjectReview
from tuoyu.filings.tests.conftest import BASIC, approve_all, fill, pdf
from tuoyu.institutions.models import CareClass, Institution
from tuoyu.institutions.selectors.classes import institution_slots

pytestmark = pytest.mark.django_db


def codes(exc: DomainError) -> list[str]:
    return [e.code for e in exc.errors]


def test_full_path_return_resubmit_only_returned_subject_reopens_then_decide(
    submitted, institution_user, institution, reviewers
):
    app = submitted
    assert app.status == "in_review"
    assert sorted(app.subjects) == ["fire", "food", "health_care", "security"]
    institution.refresh_from_db()
    assert institution.filing_status == Institution.FilingStatus.IN_REVIEW
    reviews = {r.subject: r for r in SubjectReview.objects.filter(application=app)}
    assert {r.round for r in reviews.values()} == {1}

    # security approves, fire returns with two reasons
    services.subject_review_decide(
        acting_user=reviewers["security"], review=reviews["security"], approve=True
    )
    services.subject_review_decide(
        acting_user=reviewers["fire"],
        review=reviews["fire"],
        approve=False,
        reasons=["疏散通道宽度不足", "缺少灭火器配置图"],
    )
    app.refresh_from_db()
    assert app.status == "returned"
    # the institution sees every reason
    assert selectors.returned_reasons(app) == [
        ("消防安全", "区消防救援大队", ["疏散通道宽度不足", "缺少灭火器配置图"])
    ]
    # 区卫健局 cannot decide while subjects are pending
    with pytest.raises(DomainError) as exc:
        services.filing_decide(acting_user=reviewers["health"], application=app, approve=True)
    assert exc.value.code == "subjects_pending" and exc.value.status == 409

    # food still reviews the returned application (its review stays open)
    services.subject_review_decide(
        acting_user=reviewers["food"], review=reviews["food"], approve=True
    )
    # the institution fixes and resubmits: only fire re-opens, in round 2
    services.filing_material_upload(
        acting_user=institution_user,
        application=app,
        kind="fire_inspection",
        file=pdf("新消防.pdf"),
    )
    services.filing_submit(acting_user=institution_user, application=app, commitment_accepted=True)
    app.refresh_from_db()
    assert app.status == "in_review" and app.round == 2
    round2 = SubjectReview.objects.filter(application=app, round=2)
    assert [r.subject for r in round2] == ["fire"]
    assert SubjectReview.objects.filter(application=app).count() == 5
    assert SubjectReview.objects.get(application=app, subject="security").status == "approved"

    # the rest approve → awaiting decision
    approve_all(app, reviewers)
    assert app.status == "awaiting_decision"
    assert app.awaiting_decision_since is not None

    services.filing_decide(acting_user=reviewers["health"], application=app, approve=True)
    app.refresh_from_db()
    institution.refresh_from_db()
    assert app.status == "approved"
    year = app.decided_at.astimezone(dt.timezone(dt.timedelta(hours=8))).year
    assert institution.filing_number == f"TY330703-{year}-0001" == app.filing_number
    assert institution.filing_status == "filed"
    assert institution.filed_on is not None
    # facts applied to the institution
    assert institution.operating_mode == "social"
    assert institution.community.code == "330703001001"
    assert institution.monthly_fee_yuan == 2800
    assert institution.serves_meals is True
    assert institution.staff_summary["caregiver"] == {"count": 8, "certified": 7}
    # classes filed, slots = sum of filed capacities
    assert set(
        CareClass.objects.filter(institution=institution).values_list("status", flat=True)
    ) == {"filed"}
    assert institution_slots(institution) == 35
    # every step recorded with who
    actions = list(
        AuditEvent.objects.filter(object_type="filings.filingapplication").values_list(
            "action", flat=True
        )
    )
    for action in (
        "filings.application.started",
        "filings.application.submitted",
        "filings.subject_review.returned",
        "filings.application.resubmitted",
        "filings.subject_review.approved",
        "filings.application.approved",
    ):
        assert action in actions
    # the waiting time of each subject is reported
    statuses = {s.subject: s for s in selectors.subject_statuses(app)}
    assert statuses["fire"].round == 2 and statuses["fire"].waited_days >= 0
    report = {r.subject: r for r in selectors.waiting_report(acting_user=reviewers["health"])}
    assert report["fire"].decided == 2
    assert report["security"].decided == 1
    assert report["fire"].median_days is not None


def test_returning_needs_a_reason(submitted, reviewers):
    review = SubjectReview.objects.get(application=submitted, subject="food")
    with pytest.raises(DomainError) as exc:
        services.subject_review_decide(
            acting_user=reviewers["food"], review=review, approve=False, reasons=["  "]
        )
    assert exc.value.code == "reason_required"


def test_reviewer_of_one_subject_cannot_act_on_another(submitted, reviewers):
    """P-REG-12 scope: 区消防救援大队 acting on the security review → 404."""
    review = SubjectReview.objects.get(application=submitted, subject="security")
    with pytest.raises(NotFound):
        services.subject_review_decide(acting_user=reviewers["fire"], review=review, approve=True)
    with pytest.raises(NotFound):
        selectors.review_get_for_action(acting_user=reviewers["fire"], pk=review.pk)
    # 区住建局 reviews fire as well
    fire = SubjectReview.objects.get(application=submitted, subject="fire")
    services.subject_review_decide(acting_user=reviewers["housing"], review=fire, approve=True)


def test_review_twice_is_invalid_transition(submitted, reviewers):
    review = SubjectReview.objects.get(application=submitted, subject="food")
    services.subject_review_decide(acting_user=reviewers["food"], review=review, approve=True)
    with pytest.raises(DomainError) as exc:
        services.subject_review_decide(acting_user=reviewers["food"], review=review, approve=True)
    assert exc.value.code == "invalid_transition"


def test_queue_shows_only_own_subjects(submitted, reviewers):
    assert [r.subject for r in selectors.review_queue(acting_user=reviewers["fire"])] == ["fire"]
    assert [r.subject for r in selectors.review_queue(acting_user=reviewers["food"])] == ["food"]
    health = [r.subject for r in selectors.review_queue(acting_user=reviewers["health"])]
    assert health == ["health_care"]


def test_decide_requires_health_bureau_and_reason_for_reject(submitted, reviewers, institution):
    app = approve_all(submitted, reviewers)
    with pytest.raises(DomainError) as exc:
        services.filing_decide(acting_user=reviewers["fire"], application=app, approve=True)
    assert exc.value.code == "out_of_scope" and exc.value.status == 403
    with pytest.raises(DomainError) as exc:
        services.filing_decide(acting_user=reviewers["health"], application=app, approve=False)
    assert exc.value.code == "reason_required"
    services.filing_decide(
        acting_user=reviewers["health"],
        application=app,
        approve=False,
        note="场地不符合要求",
        rejection_category="premises",
    )
    app.refresh_from_db()
    institution.refresh_from_db()
    assert app.status == "rejected"
    assert institution.filing_status == "not_filed" and institution.filing_number is None
    # deciding again is an illegal transition
    with pytest.raises(DomainError) as exc:
        services.filing_decide(acting_user=reviewers["health"], application=app, approve=True)
    assert exc.value.code == "invalid_transition"


def test_submit_reports_every_missing_item(institution_user, institution):
    app = services.filing_start(
        acting_user=institution_user, institution=institution, kind="initial"
    )
    with pytest.raises(DomainError) as exc:
        services.filing_submit(
            acting_user=institution_user, application=app, commitment_accepted=False
        )
    got = codes(exc.value)
    fields = {e.field for e in exc.value.errors}
    assert "fact_missing" in got
    assert {"operating_mode", "community", "indoor_area_m2"} <= fields
    assert "classes_missing" in got
    assert "staff_missing" in got
    assert "material_missing" in got
    assert {"materials.fire_inspection", "materials.commitment_letter"} <= fields
    assert "materials.food_licence" not in fields  # no meals served (P-FIL-1)
    assert "commitment_required" in got


def test_food_licence_required_only_when_meals_served(institution_user, institution):
    app = services.filing_start(
        acting_user=institution_user, institution=institution, kind="initial"
    )
    fill(institution_user, app, meals=False)
    services.filing_submit(acting_user=institution_user, application=app, commitment_accepted=True)
    assert not app.materials.filter(kind="food_licence").exists()


def test_food_licence_missing_when_meals_served(institution_user, institution):
    app = services.filing_start(
        acting_user=institution_user, institution=institution, kind="initial"
    )
    fill(institution_user, app, meals=True)
    app.materials.filter(kind="food_licence").update(superseded=True)
    with pytest.raises(DomainError) as exc:
        services.filing_submit(
            acting_user=institution_user, application=app, commitment_accepted=True
        )
    assert [(e.code, e.field) for e in exc.value.errors] == [
        ("material_missing", "materials.food_licence")
    ]


def test_deregistered_institution_cannot_file(institution_user, institution):
    app = services.filing_start(
        acting_user=institution_user, institution=institution, kind="initial"
    )
    fill(institution_user, app)
    Institution.objects.filter(pk=institution.pk).update(registration_status="deregistered")
    with pytest.raises(DomainError) as exc:
        services.filing_submit(
            acting_user=institution_user, application=app, commitment_accepted=True
        )
    assert codes(exc.value) == ["institution_deregistered"]
    app.status = "withdrawn"
    app.save()
    with pytest.raises(DomainError) as exc:
        services.filing_start(acting_user=institution_user, institution=institution, kind="initial")
    assert exc.value.code == "institution_deregistered"


def test_one_open_application_and_other_institution_is_404(
    institution_user, institution, make_institution, make_user
):
    services.filing_start(acting_user=institution_user, institution=institution, kind="initial")
    with pytest.raises(DomainError) as exc:
        services.filing_start(acting_user=institution_user, institution=institution, kind="initial")
    assert exc.value.code == "application_open"
    other = make_institution()
    other_user = make_user("other", institution=other)
    app = FilingApplication.objects.get(institution=institution)
    with pytest.raises(NotFound):
        selectors.application_get(acting_user=other_user, pk=app.pk)
    with pytest.raises(NotFound):
        services.filing_update_staff(acting_user=other_user, application=app, staff={})
    with pytest.raises(NotFound):
        services.filing_start(acting_user=other_user, institution=institution, kind="initial")


def test_change_kind_needs_filed_institution(institution_user, institution):
    with pytest.raises(DomainError) as exc:
        services.filing_start(acting_user=institution_user, institution=institution, kind="change")
    assert exc.value.code == "institution_not_filed"


def test_edit_after_submission_is_invalid_transition(submitted, institution_user):
    with pytest.raises(DomainError) as exc:
        services.filing_update_staff(acting_user=institution_user, application=submitted, staff={})
    assert exc.value.code == "invalid_transition"


def test_withdraw_supersedes_reviews_and_institution_back_to_not_filed(
    submitted, institution_user, institution
):
    services.filing_withdraw(acting_user=institution_user, application=submitted, reason="暂缓")
    submitted.refresh_from_db()
    institution.refresh_from_db()
    assert submitted.status == "withdrawn"
    assert institution.filing_status == "not_filed"
    assert set(SubjectReview.objects.values_list("status", flat=True)) == {"superseded"}
    with pytest.raises(DomainError) as exc:
        services.filing_withdraw(acting_user=institution_user, application=submitted)
    assert exc.value.code == "invalid_transition"


def test_basic_facts_validation(institution_user, institution):
    app = services.filing_start(
        acting_user=institution_user, institution=institution, kind="initial"
    )
    with pytest.raises(DomainError) as exc:
        services.filing_update_basic(
            acting_user=institution_user,
            application=app,
            data={
                "operating_mode": "nonsense",
                "township": "330703001",
                "community": "330703002201",  # a village of 东孝街道
                "latitude": "95",
                "indoor_area_m2": "abc",
                "monthly_fee_yuan": "-5",
            },
        )
    got = {(e.code, e.field) for e in exc.value.errors}
    assert ("invalid_choice", "operating_mode") in got
    assert ("community_outside_township", "community") in got
    assert ("coordinates_invalid", "latitude") in got
    assert ("number_invalid", "indoor_area_m2") in got
    assert ("number_invalid", "monthly_fee_yuan") in got


def test_staff_certified_cannot_exceed_count(institution_user, institution):
    app = services.filing_start(
        acting_user=institution_user, institution=institution, kind="initial"
    )
    with pytest.raises(DomainError) as exc:
        services.filing_update_staff(
            acting_user=institution_user,
            application=app,
            staff={"caregiver": {"count": 2, "certified": 3}},
        )
    assert exc.value.code == "certified_exceeds_count"
    assert exc.value.errors[0].field == "staff.caregiver.certified"


def test_warnings_area_per_child_and_caregiver_ratio(institution_user, institution):
    """P-STD-3 area per child (a draft figure, a Decision): a warning, not an error. P-STD-1
    "ratios are minimums" and P-STD-2 "≥ 1 health worker" refuse the submission
    ([fidelity] #7: they were warnings only)."""
    app = services.filing_start(
        acting_user=institution_user, institution=institution, kind="initial"
    )
    fill(institution_user, app, basic={**BASIC, "indoor_area_m2": "60"})
    services.filing_update_staff(
        acting_user=institution_user,
        application=app,
        staff={
            "principal": {"count": 1, "certified": 1},
            "caregiver": {"count": 2, "certified": 2},
            "security": {"count": 1, "certified": 1},
        },
    )
    app.refresh_from_db()
    warnings = {w.code for w in checks.filing_warnings(app, on=clock.today())}
    assert warnings == {"area_per_child_below_standard"}
    with pytest.raises(DomainError) as exc:
        services.filing_submit(
            acting_user=institution_user, application=app, commitment_accepted=True
        )
    by_code = {e.code: e for e in exc.value.errors}
    assert set(by_code) == {
        "caregivers_below_ratio",
        "health_workers_below_standard",
        "full_time_exceeds_count",
    }
    assert by_code["caregivers_below_ratio"].rule == "P-STD-1"
    assert by_code["caregivers_below_ratio"].field == "staff.caregiver"
    assert by_code["health_workers_below_standard"].rule == "P-STD-2"
    # with the caregivers the ratios need and a health worker, the area warning alone
    # does not block
    services.filing_update_staff(
        acting_user=institution_user,
        application=app,
        staff={
            "principal": {"count": 1, "certified": 1},
            "caregiver": {"count": 6, "certified": 6},
            "health_worker": {"count": 1, "certified": 1},
            "security": {"count": 1, "certified": 1},
        },
    )
    app.refresh_from_db()
    services.filing_submit(acting_user=institution_user, application=app, commitment_accepted=True)
