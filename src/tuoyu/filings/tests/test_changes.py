"""P-FIL-3: changes of filed facts reviewed on the subjects they touch; cancellation on
request; the history of every change with before/after."""

from __future__ import annotations

import datetime as dt

import pytest

from tuoyu.core.errors import DomainError
from tuoyu.filings import selectors, services
from tuoyu.filings.models import FilingApplication, SubjectReview
from tuoyu.filings.tests.conftest import approve_all, pdf
from tuoyu.institutions.models import CareClass
from tuoyu.institutions.selectors.classes import institution_slots
from tuoyu.institutions.services.classes import care_class_create

pytestmark = pytest.mark.django_db


def change(user, institution, **basic_changes):
    app = services.filing_start(acting_user=user, institution=institution, kind="change")
    if basic_changes:
        data = {**app.facts["basic"], **basic_changes}
        services.filing_update_basic(acting_user=user, application=app, data=data)
    app.refresh_from_db()
    return app


def test_fee_and_legal_representative_change_needs_no_subject(filed, institution_user, reviewers):
    app = change(institution_user, filed, monthly_fee_yuan="3200", legal_representative="李某")
    services.filing_submit(acting_user=institution_user, application=app, commitment_accepted=True)
    app.refresh_from_db()
    assert app.subjects == [] and app.status == "awaiting_decision"
    assert not SubjectReview.objects.filter(application=app).exists()
    services.filing_decide(acting_user=reviewers["health"], application=app, approve=True)
    filed.refresh_from_db()
    assert filed.monthly_fee_yuan == 3200 and filed.legal_representative == "李某"
    assert filed.filing_number.endswith("-0001")  # the number stays
    history = selectors.application_history(acting_user=institution_user, institution=filed)
    assert [a.kind for a in history] == ["change", "initial"]
    assert ("月收费（元）", "2800", "3200") in [tuple(map(str, c)) for c in history[0].changes]
    assert ("法定代表人", "王某", "李某") in [tuple(map(str, c)) for c in history[0].changes]


def test_address_change_touches_fire_security_health_care_and_needs_premises_proof(
    filed, institution_user
):
    app = change(institution_user, filed, address="金东区多湖街道新路8号")
    with pytest.raises(DomainError) as exc:
        services.filing_submit(
            acting_user=institution_user, application=app, commitment_accepted=True
        )
    assert [(e.code, e.field) for e in exc.value.errors] == [
        ("material_missing", "materials.premises_proof")
    ]
    services.filing_material_upload(
        acting_user=institution_user, application=app, kind="premises_proof", file=pdf()
    )
    services.filing_submit(acting_user=institution_user, application=app, commitment_accepted=True)
    app.refresh_from_db()
    assert app.subjects == ["fire", "security", "health_care"]
    assert app.status == "in_review"


def test_meals_start_touches_food_only_and_needs_food_licence(filed, institution_user):
    filed.serves_meals = False
    filed.save()
    app = change(institution_user, filed, serves_meals="on")
    with pytest.raises(DomainError) as exc:
        services.filing_submit(
            acting_user=institution_user, application=app, commitment_accepted=True
        )
    assert exc.value.errors[0].field == "materials.food_licence"
    services.filing_material_upload(
        acting_user=institution_user, application=app, kind="food_licence", file=pdf()
    )
    services.filing_submit(acting_user=institution_user, application=app, commitment_accepted=True)
    app.refresh_from_db()
    assert app.subjects == ["food"]


def test_class_change_touches_fire_and_health_care_and_updates_slots(
    filed, institution_user, reviewers
):
    assert institution_slots(filed) == 35
    # a class created by API on a filed institution is proposed: no slots yet
    api_class = care_class_create(
        acting_user=institution_user,
        institution=filed,
        name="乳儿一班",
        class_type="infant",
        capacity=10,
    )
    assert institution_slots(filed) == 35
    app = change(institution_user, filed)
    big = CareClass.objects.get(institution=filed, name="托大一班")
    services.filing_class_remove(acting_user=institution_user, application=app, class_id=big.pk)
    services.filing_submit(acting_user=institution_user, application=app, commitment_accepted=True)
    app.refresh_from_db()
    assert app.subjects == ["fire", "health_care"]
    app = approve_all(app, reviewers)
    services.filing_decide(acting_user=reviewers["health"], application=app, approve=True)
    api_class.refresh_from_db()
    big.refresh_from_db()
    assert api_class.status == "filed" and big.status == "closed"
    assert institution_slots(filed) == 15 + 10
    changes = selectors.fact_changes(app)
    assert ("班级", "—", "新增 乳儿一班（10 人）") in changes
    assert ("班级", "托大一班（20 人）", "撤销") in changes


def test_change_without_changes_is_refused(filed, institution_user):
    app = change(institution_user, filed)
    with pytest.raises(DomainError) as exc:
        services.filing_submit(
            acting_user=institution_user, application=app, commitment_accepted=True
        )
    assert exc.value.code == "no_changes"


def test_rejected_change_applies_nothing(filed, institution_user, reviewers):
    app = change(institution_user, filed, monthly_fee_yuan="9999")
    services.filing_submit(acting_user=institution_user, application=app, commitment_accepted=True)
    services.filing_decide(
        acting_user=reviewers["health"],
        application=app,
        approve=False,
        note="收费不合理",
        rejection_category="other",
    )
    filed.refresh_from_db()
    assert filed.monthly_fee_yuan == 2800 and filed.filing_status == "filed"


def test_cancellation_on_request(filed, institution_user, reviewers, client):
    day = dt.date(2026, 5, 1)
    with pytest.raises(DomainError) as exc:
        services.filing_cancellation_request(
            acting_user=institution_user, institution=filed, reason=" ", cancelled_on=day
        )
    assert exc.value.code == "reason_required"
    app = services.filing_cancellation_request(
        acting_user=institution_user, institution=filed, reason="停止办学", cancelled_on=day
    )
    assert app.status == "awaiting_decision" and app.kind == "cancellation"
    with pytest.raises(DomainError) as exc:
        services.filing_start(acting_user=institution_user, institution=filed, kind="change")
    assert exc.value.code == "application_open"
    services.filing_decide(acting_user=reviewers["health"], application=app, approve=True)
    app.refresh_from_db()
    filed.refresh_from_db()
    assert app.status == "approved"  # decided, not withdrawn by the cancellation itself
    assert filed.filing_status == "cancelled" and filed.filing_cancelled_on == day
    assert not CareClass.objects.filter(institution=filed).exclude(status="closed").exists()
    assert institution_slots(filed) == 0
    r = client.get(f"/api/v1/public/filings/{filed.filing_number}")
    assert r.status_code == 200
    assert r.json() == {
        "valid": False,
        "institution": filed.name,
        "uscc": filed.uscc,
        "filed_on": filed.filed_on.isoformat(),
        "status": "cancelled",
    }
    # a cancelled filing cannot be changed or re-filed
    for kind, code in [("change", "filing_cancelled"), ("initial", "filing_cancelled")]:
        with pytest.raises(DomainError) as exc:
            services.filing_start(acting_user=institution_user, institution=filed, kind=kind)
        assert exc.value.code == code


def test_change_application_history_shown_on_mine_page(filed, institution_user, reviewers, client):
    app = change(institution_user, filed, monthly_fee_yuan="3000")
    services.filing_submit(acting_user=institution_user, application=app, commitment_accepted=True)
    services.filing_decide(acting_user=reviewers["health"], application=app, approve=True)
    client.force_login(institution_user)
    page = client.get("/filings/mine/").content.decode()
    assert "月收费（元）：2800 → 3000" in page
    detail = client.get(f"/filings/applications/{app.pk}/").content.decode()
    assert 'data-testid="changes"' in detail


def test_deregistration_withdraws_open_change(filed, institution_user, reviewers):
    app = change(institution_user, filed, monthly_fee_yuan="3000")
    services.filing_cancel(
        institution=filed,
        acting_user=reviewers["food"],
        reason="注销登记",
        cancelled_on=dt.date(2026, 6, 1),
        source="deregistration",
    )
    app.refresh_from_db()
    assert app.status == FilingApplication.Status.WITHDRAWN
