"""Credit files (P-SUP-5) and the risk score (P-SUP-4), and the whole loop of issue 13's
"Done when": draw → inspect → finding → order → overdue → credit event → rating → risk →
the next draw's weight. The public listing gets the rating and the last inspection with a
constant number of queries (API-CONTRACT §6)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tuoyu import policy
from tuoyu.core import events
from tuoyu.supervision import selectors, services
from tuoyu.supervision.duties import checklist_for
from tuoyu.supervision.models import CreditRating, RiskScore
from tuoyu.supervision.services.credit import rating_for

TODAY = policy.today


def test_p_sup_5_points_and_rating_from_policy_recomputed_on_every_event(filed, health_user):
    rules = policy.at(TODAY()).supervision
    for i, kind in enumerate(["penalty", "serious_finding", "commendation"]):
        services.credit_event_record(
            acting_user=health_user,
            institution=filed,
            kind=kind,
            occurred_on=TODAY(),
            description="测试",
            source=f"test:{i}",
        )
    expected = (
        rules.credit_base_score
        + rules.credit_points_penalty
        + rules.credit_points_serious_finding
        + rules.credit_points_commendation
    )
    rating = CreditRating.objects.get(institution=filed)
    assert rating.score == expected and rating.rating == rating_for(expected, TODAY())
    # the same cause is recorded once
    services.credit_event_record(
        acting_user=health_user,
        institution=filed,
        kind="penalty",
        occurred_on=TODAY(),
        description="重复",
        source="test:0",
    )
    data = selectors.credit_file(acting_user=health_user, institution_id=filed.pk)
    assert data["events"].count() == 3
    assert all(
        e.rule_ref.startswith("P-SUP") and str(e.points) in e.rule_text for e in data["events"]
    )


def test_rating_thresholds():
    rules = policy.at(TODAY()).supervision
    assert rating_for(rules.credit_rating_a_min, TODAY()) == "A"
    assert rating_for(rules.credit_rating_b_min, TODAY()) == "B"
    assert rating_for(rules.credit_rating_c_min, TODAY()) == "C"
    assert rating_for(rules.credit_rating_c_min - 1, TODAY()) == "D"


def test_risk_contributions_are_shown_and_weighted(filed, health_user):
    services.complaint_file(uscc=filed.uscc, category="other", description="问题")
    services.risk_recompute(institution_ids=[filed.pk])
    risk = RiskScore.objects.get(institution=filed)
    rules = policy.at(TODAY()).supervision
    c = risk.contributions
    assert c["complaint"] == {
        "count": 1,
        "weight": str(rules.risk_weight_complaint),
        "points": str(rules.risk_weight_complaint),
    }
    assert risk.score == sum(Decimal(v["points"]) for v in c.values())


def test_outbreak_alert_counts_for_risk(filed, django_capture_on_commit_callbacks):
    """P-HC-6 → P-SUP-4: the alert's signal is stored at once; the score is recomputed by a
    queued job (one per institution and day), off the check batch's request."""
    from django.apps import apps

    from tests.jobrun import InlineRun
    from tuoyu.core import jobs

    with django_capture_on_commit_callbacks(execute=True):
        for alert_id in (7, 8):  # two alerts of one day: one run
            events.emit(
                events.OUTBREAK_ALERT_RAISED,
                institution_id=filed.pk,
                alert_id=alert_id,
                acting_user=None,
            )
    assert not RiskScore.objects.filter(institution=filed).exists()  # not in the request
    runs = apps.get_model("jobs", "JobRun").objects.filter(
        job_name="supervision.risk_recompute_institution"
    )
    assert [r.params for r in runs] == [{"institution_id": filed.pk}]

    run = InlineRun(day=TODAY(), job_name=runs[0].job_name, params=runs[0].params)
    jobs.get_job(run.job_name).func(run)

    assert run.counts == {"scored": 1}
    assert RiskScore.objects.get(institution=filed).contributions["outbreak_alert"]["count"] == 2


def test_the_whole_loop_changes_the_next_draws_weight(make_filed, health_user, make_user):
    """draw → inspect → finding → order → overdue → credit event → rating → risk → weight."""
    a, b = make_filed(name="甲托育园"), make_filed(name="乙托育园")
    services.risk_recompute()
    plan = services.plan_create(
        acting_user=health_user,
        title="第一轮",
        period_start=TODAY(),
        period_end=TODAY() + dt.timedelta(30),
        draw_size=2,
    )
    plan = services.plan_draw(acting_user=health_user, plan_id=plan.pk, seed="loop")
    weights = dict(plan.draw_population)
    assert weights[a.uscc] == weights[b.uscc]
    inspection = plan.inspections.get(institution=a)
    results = {i.code: {"outcome": "pass"} for i in checklist_for("health").items}
    results["cctv_90_days"] = {"outcome": "fail", "severity": "serious", "note": "录像缺失"}
    services.inspection_record(
        acting_user=health_user, inspection_id=inspection.pk, performed_on=TODAY(), results=results
    )
    order = inspection.orders.get()
    assert CreditRating.objects.get(institution=a).rating == "B"
    services.orders_escalate(today=order.due_on + dt.timedelta(1))
    rating = CreditRating.objects.get(institution=a)
    assert rating.score == 100 - 10 - 5
    services.risk_recompute(today=order.due_on + dt.timedelta(1))
    risk_a = RiskScore.objects.get(institution=a)
    assert risk_a.contributions["overdue_order"]["count"] == 1
    assert risk_a.contributions["credit_step"]["count"] == 1
    assert risk_a.score > RiskScore.objects.get(institution=b).score
    nxt = services.plan_create(
        acting_user=health_user,
        title="第二轮",
        period_start=TODAY(),
        period_end=TODAY() + dt.timedelta(30),
        draw_size=1,
    )
    nxt = services.plan_draw(acting_user=health_user, plan_id=nxt.pk)
    weights = {u: Decimal(w) for u, w in nxt.draw_population}
    assert weights[a.uscc] == 1 + risk_a.score > weights[b.uscc]
    ranking = list(selectors.risk_ranking(acting_user=health_user))
    assert ranking[0].institution_id == a.pk
    # the ranking shows the draw's own weight, fractions kept (not rounded by a filter)
    assert ranking[0].draw_weight == weights[a.uscc]


def test_public_listing_shows_rating_and_last_inspection(filed, health_user, client):
    inspection = services.inspection_create_targeted(
        acting_user=health_user, institution_id=filed.pk, scheduled_on=TODAY(), reason="抽查"
    )
    results = {i.code: {"outcome": "pass"} for i in checklist_for("health").items}
    services.inspection_record(
        acting_user=health_user, inspection_id=inspection.pk, performed_on=TODAY(), results=results
    )
    services.credit_event_record(
        acting_user=health_user,
        institution=filed,
        kind="penalty",
        occurred_on=TODAY(),
        description="处罚",
        source="p:1",
    )
    row = client.get("/api/v1/public/institutions").json()["results"][0]
    assert row["credit_rating"] == "B"
    assert row["last_inspection"] == {"date": TODAY().isoformat(), "result": "passed"}


@pytest.mark.parametrize("n", [3, 20])
def test_public_listing_query_count_stays_constant(
    make_filed, client, n, django_assert_max_num_queries
):
    for i in range(n):
        make_filed(name=f"机构{i:03d}")
    # count, the page's ids, their rows, their classes + the supervision facts (one query)
    with django_assert_max_num_queries(5):
        assert len(client.get("/api/v1/public/institutions").json()["results"]) == n


def test_credit_file_scopes(filed, dongxiao_user, township_user, client):
    assert selectors.credit_file(acting_user=township_user, institution_id=filed.pk)
    client.force_login(dongxiao_user)
    assert client.get(f"/supervision/credit/{filed.pk}/").status_code == 404
