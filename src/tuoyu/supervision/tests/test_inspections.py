"""Inspection plans with the reproducible random draw (双随机、一公开, P-SUP-4), targeted
inspections, the checklist per department (P-SUP-1, P-SUP-3), rectification to closure and
escalation of overdue orders."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tuoyu import policy
from tuoyu.core.errors import DomainError
from tuoyu.supervision import draw, selectors, services
from tuoyu.supervision.duties import checklist_for
from tuoyu.supervision.models import (
    CreditEvent,
    Inspection,
    InspectionPlan,
    RectificationOrder,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
TODAY = policy.today


def all_pass(department="health", **overrides):
    results = {i.code: {"outcome": "pass"} for i in checklist_for(department).items}
    results.update(overrides)
    return results


def make_plan(user, n=2):
    return services.plan_create(
        acting_user=user,
        title="2024年第一季度双随机抽查",
        period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2024, 3, 31),
        draw_size=n,
    )


@pytest.fixture
def population(make_filed):
    return [make_filed(name=f"金东区托育机构{i}") for i in range(5)]


@pytest.fixture
def inspection(population, health_user):
    return services.inspection_create_targeted(
        acting_user=health_user,
        institution_id=population[0].pk,
        scheduled_on=TODAY(),
        reason="投诉核查",
    )


def test_p_sup_4_draw_is_stored_and_reproducible(population, health_user, make_user):
    make_user("weijian3", department="health")
    plan = services.plan_draw(acting_user=health_user, plan_id=make_plan(health_user, 3).pk)
    assert plan.seed and len(plan.draw_population) == 5
    assert plan.draw_inspectors == ["weijian", "weijian3"]
    drawn = list(plan.inspections.order_by("id").values_list("institution__uscc", flat=True))
    # anyone can redo the draw from the published seed and weights
    redo = draw.draw([tuple(p) for p in plan.draw_population], 3, plan.seed)
    assert [u for u, _ in redo] == drawn
    pairs = draw.pair(drawn, plan.draw_inspectors, plan.seed)
    assert [i.inspector.username for i in plan.inspections.order_by("id")] == [p for _, p in pairs]
    with pytest.raises(DomainError) as exc:
        services.plan_draw(acting_user=health_user, plan_id=plan.pk)
    assert exc.value.code == "plan_already_drawn"


def test_the_plan_page_names_the_drawn_inspectors_as_people(population, health_user, client):
    """[accounts-ux] #9 point 5: the published pool reads as people's names, not user names."""
    health_user.display_name = "王建平"
    health_user.save(update_fields=["display_name"])
    plan = services.plan_draw(acting_user=health_user, plan_id=make_plan(health_user, 2).pk)
    client.force_login(health_user)
    html = client.get(f"/supervision/plans/{plan.pk}/").content.decode()
    assert "检查人员 王建平" in html and "检查人员 weijian" not in html


def test_draw_larger_than_population_is_refused_when_the_plan_is_made(population, health_user):
    """P-SUP-4: a plan asking for more institutions than the department may inspect is
    refused at once, not only at the draw."""
    with pytest.raises(DomainError) as exc:
        make_plan(health_user, 6)
    assert exc.value.code == "draw_larger_than_population"
    assert exc.value.errors[0].field == "draw_size"
    assert not InspectionPlan.objects.exists()


def test_draw_larger_than_population_is_refused_at_the_draw(population, health_user):
    """The population may shrink between the plan and the draw: checked again then."""
    plan = make_plan(health_user, 5)
    population[0].filing_status = "cancelled"
    population[0].save(update_fields=["filing_status"])
    with pytest.raises(DomainError) as exc:
        services.plan_draw(acting_user=health_user, plan_id=plan.pk)
    assert exc.value.code == "draw_larger_than_population"
    assert not Inspection.objects.exists()


def test_plan_page_shows_the_draw_size_error_next_to_the_field(population, health_user, client):
    client.force_login(health_user)
    response = client.post(
        "/supervision/plans/",
        {"title": "", "period_start": "2024-01-01", "period_end": "2024-03-31", "draw_size": 9},
    )
    html = response.content.decode()
    assert "超过可检查的机构数" in html and 'value="9"' in html
    assert not InspectionPlan.objects.exists()


def test_department_without_duty_cannot_plan(finance_user):
    with pytest.raises(DomainError) as exc:
        make_plan(finance_user)
    assert exc.value.code == "no_supervisory_duty"


def test_education_draws_only_the_integrated_institutions_it_registered(make_filed, education_user):
    kg = make_filed(legal_form="kindergarten")
    make_filed()
    plan = services.plan_draw(acting_user=education_user, plan_id=make_plan(education_user, 1).pk)
    assert [p[0] for p in plan.draw_population] == [kg.uscc]


def test_higher_weight_is_drawn_more_often():
    population = [("A" * 18, Decimal(1)), ("B" * 18, Decimal(9))]
    counts = Counter(draw.draw(population, 1, f"seed{i}")[0][0] for i in range(2000))
    assert counts["B" * 18] > 3 * counts["A" * 18]


def test_checklist_items_carry_rule_references():
    health = checklist_for("health")
    codes = {i.code: i.ref for i in health.items}
    assert codes["cctv_90_days"] == "P-STD-4" and "observation_room" in codes
    assert checklist_for("market_regulation").item("food_licence") is not None


def test_p_sup_3_findings_become_orders_with_policy_deadlines(inspection, health_user):
    rules = policy.at(TODAY()).supervision
    results = all_pass(
        observation_room={"outcome": "fail", "severity": "minor", "note": "无观察床"},
        cctv_90_days={"outcome": "fail", "severity": "serious", "note": "录像只保存30天"},
        outdoor_time={"outcome": "na"},
    )
    done = services.inspection_record(
        acting_user=health_user,
        inspection_id=inspection.pk,
        performed_on=TODAY(),
        results=results,
        photos={"cctv_90_days": SimpleUploadedFile("a.png", PNG)},
    )
    assert done.result == "rectify" and done.checklist_version == checklist_for("health").version
    orders = {o.item_code: o for o in RectificationOrder.objects.all()}
    assert orders["observation_room"].due_on == TODAY() + dt.timedelta(
        rules.rectification_days_minor
    )
    assert orders["cctv_90_days"].due_on == TODAY() + dt.timedelta(rules.rectification_days_serious)
    # a serious finding is a credit event with its rule (P-SUP-5)
    event = CreditEvent.objects.get()
    assert event.kind == "serious_finding" and "P-SUP-5" in event.rule_text


@pytest.mark.parametrize(
    ("results", "photos", "code"),
    [
        ({}, {}, "checklist_incomplete"),
        (all_pass(observation_room={"outcome": "fail"}), {}, "severity_required"),
        (
            all_pass(),
            {"cctv_90_days": SimpleUploadedFile("a.png", b"GIF89a not a png")},
            "photo_not_image",
        ),
    ],
)
def test_bad_checklist_input_writes_nothing(inspection, health_user, results, photos, code):
    with pytest.raises(DomainError) as exc:
        services.inspection_record(
            acting_user=health_user,
            inspection_id=inspection.pk,
            performed_on=TODAY(),
            results=results,
            photos=photos,
        )
    assert exc.value.code == code
    inspection.refresh_from_db()
    assert inspection.status == "planned" and not inspection.items.exists()


def _order(inspection, health_user):
    services.inspection_record(
        acting_user=health_user,
        inspection_id=inspection.pk,
        performed_on=TODAY(),
        results=all_pass(observation_room={"outcome": "fail", "severity": "minor"}),
    )
    return RectificationOrder.objects.get()


def test_reply_accept_reopen_and_other_department_refused(
    inspection, health_user, market_user, make_user
):
    order = _order(inspection, health_user)
    owner = make_user("jigou0", institution=inspection.institution)
    services.order_reply(acting_user=owner, order_id=order.pk, reply="已添置观察床")
    with pytest.raises(DomainError) as exc:
        services.order_decide(acting_user=market_user, order_id=order.pk, accept=True)
    # another department does not see the order at all
    assert exc.value.status == 404
    services.order_decide(acting_user=health_user, order_id=order.pk, accept=False, note="照片不清")
    order.refresh_from_db()
    assert order.status == "open" and order.reopened_count == 1
    services.order_reply(
        acting_user=owner,
        order_id=order.pk,
        reply="补充照片",
        evidence=SimpleUploadedFile("bed.png", PNG),
    )
    services.order_decide(acting_user=health_user, order_id=order.pk, accept=True)
    order.refresh_from_db()
    assert order.status == "accepted"


def test_order_of_another_department_is_a_coded_error(inspection, health_user, make_user):
    """区卫健局 sees every order (it coordinates) but decides only its own."""
    order = _order(inspection, health_user)
    RectificationOrder.objects.filter(pk=order.pk).update(department_code="fire_rescue")
    owner = make_user("jigou1", institution=inspection.institution)
    services.order_reply(acting_user=owner, order_id=order.pk, reply="已整改")
    with pytest.raises(DomainError) as exc:
        services.order_decide(acting_user=health_user, order_id=order.pk, accept=True)
    assert exc.value.code == "order_other_department" and exc.value.status == 403


def test_overdue_orders_escalate_once_and_count_against_the_institution(
    inspection, health_user, township_user
):
    order = _order(inspection, health_user)
    later = order.due_on + dt.timedelta(1)
    assert services.orders_escalate(today=later) == 1
    assert services.orders_escalate(today=later) == 0
    order.refresh_from_db()
    assert order.escalated_on == later
    assert CreditEvent.objects.filter(kind="overdue_order", source=f"order:{order.pk}").count() == 1
    # the township and 区卫健局 see it among the overdue orders
    assert selectors.orders(acting_user=township_user, state="open").filter(pk=order.pk).exists()


def test_reinspection_from_an_order(inspection, health_user):
    order = _order(inspection, health_user)
    again = services.inspection_create_targeted(
        acting_user=health_user,
        institution_id=0,
        scheduled_on=TODAY(),
        reason="",
        order_id=order.pk,
    )
    assert again.kind == "reinspection" and again.institution_id == order.institution_id


def test_scopes_of_inspections(inspection, market_user, township_user, dongxiao_user, make_user):
    assert not selectors.inspections(acting_user=market_user).exists()
    assert selectors.inspections(acting_user=township_user).count() == 1
    assert not selectors.inspections(acting_user=dongxiao_user).exists()
    owner = make_user("jigou2", institution=inspection.institution)
    assert selectors.inspections(acting_user=owner).count() == 1
    assert not InspectionPlan.objects.exists()


def test_phone_page_records_the_checklist(inspection, health_user, client):
    client.force_login(health_user)
    page = client.get(f"/supervision/inspections/{inspection.pk}/").content.decode()
    assert "P-STD-4" in page and 'name="photo_cctv_90_days"' in page
    data = {f"outcome_{i.code}": "pass" for i in checklist_for("health").items}
    data["outcome_observation_room"] = "fail"
    data["severity_observation_room"] = "critical"
    data["note_observation_room"] = "<b>观察室被占用</b>"
    data["photo_observation_room"] = SimpleUploadedFile("x.jpg", b"not an image")
    bad = client.post(f"/supervision/inspections/{inspection.pk}/", data)
    assert bad.status_code == 400 and 'data-code="photo_not_image"' in bad.content.decode()
    data["photo_observation_room"] = SimpleUploadedFile("x.png", PNG)
    assert client.post(f"/supervision/inspections/{inspection.pk}/", data).status_code == 302
    order = RectificationOrder.objects.get()
    html = client.get(f"/supervision/orders/{order.pk}/").content.decode()
    assert "&lt;b&gt;观察室被占用" in html
