"""Supervision's answers to the institution standing registry (`tuoyu.institutions.standing`):
`not_blacklisted` (P-SUP-5), `no_open_critical_order` (P-SUP-3), `not_suspended` (P-SUP-6),
each for all ids in one query; workforce's `staffing_complete` counted in the risk score
(P-SUP-4) without supervision importing workforce."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import RectificationOrderFactory
from tuoyu import policy
from tuoyu.core.errors import DomainError
from tuoyu.institutions.standing import (
    register_standing,
    registered,
    standing_problems,
    unregister_standing,
)
from tuoyu.supervision import services
from tuoyu.supervision.models import RiskScore
from tuoyu.supervision.services import risk

TODAY = policy.today
KEYS = ["not_blacklisted", "no_open_critical_order", "not_suspended"]


def test_supervision_and_workforce_register_their_keys():
    assert {*KEYS, "staffing_complete"} <= registered()


def _blacklist(institution, user, user2, ref="金东卫健〔2024〕30号", day=None):
    entry = services.blacklist_propose(
        acting_user=user,
        subject="institution",
        institution_id=institution.pk,
        reason="虐待婴幼儿",
        decision_ref=ref,
        decided_on=day or TODAY(),
    )
    return services.blacklist_approve(acting_user=user2, entry_id=entry.pk)


def test_p_sup_5_not_blacklisted(make_filed, health_user, health_user2):
    listed, proposed_only, clean = (make_filed(name=n) for n in ("甲园", "乙园", "丙园"))
    _blacklist(listed, health_user, health_user2)
    services.blacklist_propose(
        acting_user=health_user,
        subject="institution",
        institution_id=proposed_only.pk,
        reason="待审核",
        decision_ref="金东卫健〔2024〕31号",
        decided_on=TODAY(),
    )
    got = standing_problems(["not_blacklisted"], [listed.pk, proposed_only.pk, clean.pk], TODAY())
    assert got["not_blacklisted"] == {listed.pk: ["已列入黑名单（决定文号金东卫健〔2024〕30号）"]}
    # before the decision it was not on the list
    yesterday = TODAY() - dt.timedelta(1)
    assert standing_problems(["not_blacklisted"], [listed.pk], yesterday)["not_blacklisted"] == {}


def test_p_sup_3_no_open_critical_order(make_filed, health_user):
    a, b = make_filed(name="甲园"), make_filed(name="乙园")
    due = TODAY() + dt.timedelta(3)
    order = RectificationOrderFactory(
        inspection__institution=a,
        inspection__inspector=health_user,
        severity="critical",
        finding="消防通道堵塞",
        due_on=due,
    )
    RectificationOrderFactory(inspection__institution=b, inspection__inspector=health_user)
    got = standing_problems(["no_open_critical_order"], [a.pk, b.pk], TODAY())
    reasons = got["no_open_critical_order"]
    assert list(reasons) == [a.pk]
    assert "消防通道堵塞" in reasons[a.pk][0] and due.isoformat() in reasons[a.pk][0]
    later = due + dt.timedelta(1)
    overdue = standing_problems(["no_open_critical_order"], [a.pk], later)
    assert "已逾期" in overdue["no_open_critical_order"][a.pk][0]
    order.status = "accepted"
    order.decided_at = timezone.now()
    order.save()
    assert standing_problems(["no_open_critical_order"], [a.pk], TODAY()) == {
        "no_open_critical_order": {}
    }


def _case(institution, user, **kw):
    return services.case_open(
        acting_user=user,
        institution_id=institution.pk,
        description="保育员殴打幼儿",
        decision_ref="金东卫健〔2024〕20号",
        suspended_on=kw.pop("suspended_on", TODAY()),
        persons=[
            {"name": "王五", "id_number": "11010519491231002X"},
            {"name": "赵六", "id_number": "110105194912310038", "manager": True},
        ],
        **kw,
    )


def test_p_sup_6_not_suspended_until_lifted(filed, health_user, client, township_user):
    case = _case(filed, health_user)
    got = standing_problems(["not_suspended"], [filed.pk], TODAY())["not_suspended"]
    assert got == {filed.pk: [f"已被责令停业（决定文号金东卫健〔2024〕20号，自 {TODAY()} 起）"]}
    # shown on the institution's supervision tab, the township view and the case
    client.force_login(health_user)
    tab = client.get(f"/institutions/{filed.pk}/", {"tab": "supervision"}).content.decode()
    assert 'data-testid="tab-suspension"' in tab and "金东卫健〔2024〕20号" in tab
    assert 'data-testid="case-suspended"' in client.get("/supervision/cases/").content.decode()
    client.force_login(township_user)
    assert 'data-testid="suspended"' in client.get("/supervision/townships/").content.decode()
    # lifted by a recorded decision, through the page
    client.force_login(health_user)
    lifted = TODAY() + dt.timedelta(10)
    response = client.post(
        f"/supervision/cases/{case.pk}/lift/",
        {"lifted_on": lifted.isoformat(), "lift_decision_ref": "金东卫健〔2024〕25号"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.lifted_on == lifted and case.lift_decision_ref == "金东卫健〔2024〕25号"
    assert standing_problems(["not_suspended"], [filed.pk], lifted)["not_suspended"] == {}
    assert filed.pk in standing_problems(["not_suspended"], [filed.pk], TODAY())["not_suspended"]
    with pytest.raises(DomainError) as exc:
        services.case_suspension_lift(
            acting_user=health_user, case_id=case.pk, lifted_on=lifted, decision_ref="再次"
        )
    assert exc.value.code == "suspension_already_lifted"


def test_a_suspension_with_an_end_date(filed, health_user, fire_user):
    end = TODAY() + dt.timedelta(30)
    _case(filed, health_user, suspended_until=end)
    assert filed.pk in standing_problems(["not_suspended"], [filed.pk], end)["not_suspended"]
    after = end + dt.timedelta(1)
    assert standing_problems(["not_suspended"], [filed.pk], after)["not_suspended"] == {}
    with pytest.raises(DomainError) as exc:
        _case(filed, health_user, suspended_until=TODAY() - dt.timedelta(1))
    assert exc.value.code == "date_order"
    # only 区卫健局 lifts a suspension
    with pytest.raises(DomainError):
        services.case_suspension_lift(
            acting_user=fire_user, case_id=1, lifted_on=TODAY(), decision_ref="x"
        )


def test_each_provider_answers_all_ids_in_one_query(
    make_filed, health_user, health_user2, django_assert_num_queries
):
    many = [make_filed(name=f"园{i}") for i in range(6)]
    _blacklist(many[0], health_user, health_user2)
    _case(many[1], health_user)
    ids = [i.pk for i in many]
    for key in KEYS:
        with django_assert_num_queries(1):
            standing_problems([key], ids, TODAY())


def test_workforce_staffing_complete_answers_through_the_registry(make_filed):
    """Workforce's provider: an institution with no roster is short of staff (P-STD-1/2),
    answered for many ids in a constant number of queries."""
    a, b = make_filed(name="甲园"), make_filed(name="乙园")
    got = standing_problems(["staffing_complete"], [a.pk, b.pk], TODAY())["staffing_complete"]
    assert set(got) == {a.pk, b.pk}
    assert "未配备负责人" in got[a.pk]


@pytest.fixture
def staffing(make_filed):
    """A stand-in provider for `staffing_complete`: the first institution is short."""
    from tuoyu.institutions import standing

    original = standing._providers.get("staffing_complete")
    short = set()

    def provider(ids, day):
        return {pk: ["保育人员不足"] for pk in ids if pk in short}

    register_standing("staffing_complete", provider)
    yield short
    if original:
        register_standing("staffing_complete", original)
    else:
        unregister_standing("staffing_complete")


def test_p_sup_4_staffing_gap_is_a_weighted_risk_contribution(
    make_filed, staffing, client, health_user
):
    a, b = make_filed(name="甲园"), make_filed(name="乙园")
    staffing.add(a.pk)
    services.risk_recompute(institution_ids=[a.pk, b.pk])
    ra, rb = RiskScore.objects.get(institution=a), RiskScore.objects.get(institution=b)
    w = risk.weight(policy.at(TODAY()).supervision, "staffing_gap")
    assert ra.contributions["staffing_gap"] == {"count": 1, "weight": str(w), "points": str(w)}
    assert rb.contributions["staffing_gap"]["count"] == 0
    assert ra.score - rb.score == w
    assert ra.score == sum(Decimal(v["points"]) for v in ra.contributions.values())
    client.force_login(health_user)
    assert "人员配备不足" in client.get(f"/supervision/credit/{a.pk}/").content.decode()


def test_staffing_gap_weight_falls_back_to_its_default_until_policy_has_it():
    rules = policy.at(TODAY()).supervision
    expected = rules.risk_weight_staffing_gap
    assert risk.weight(rules, "staffing_gap") == expected
    assert risk.weight(rules, "complaint") == rules.risk_weight_complaint


def test_no_staffing_provider_counts_nothing(make_filed):
    from tuoyu.institutions import standing

    original = standing._providers.get("staffing_complete")
    unregister_standing("staffing_complete")
    try:
        a = make_filed(name="甲园")
        services.risk_recompute(institution_ids=[a.pk])
        assert RiskScore.objects.get(institution=a).contributions["staffing_gap"]["count"] == 0
    finally:
        if original:
            register_standing("staffing_complete", original)
