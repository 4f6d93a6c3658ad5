"""Credit events entered by a department (P-SUP-5): penalty, commendation and
demonstration status, points and rule from policy data on every event, the rating
recomputed, errors in Chinese next to their fields with the input kept; and the positive
credit event of a demonstration title conferred in subsidies (`demonstration_title_conferred`)."""

from __future__ import annotations

import datetime as dt

import pytest

from tuoyu import policy
from tuoyu.audit.models import AuditEvent
from tuoyu.core import events
from tuoyu.core.errors import DomainError
from tuoyu.supervision import services
from tuoyu.supervision.models import CreditEvent, CreditRating

TODAY = policy.today


def _post(client, institution, **overrides):
    data = {
        "subject": "institution",
        "kind": "penalty",
        "occurred_on": TODAY().isoformat(),
        "decision_ref": "金东卫健罚〔2024〕3号",
        "description": "未按规定保存监控录像",
        "public": "on",
        **overrides,
    }
    return client.post(f"/supervision/credit/{institution.pk}/new/", data)


def test_p_sup_5_health_bureau_enters_a_penalty_through_the_page(filed, health_user, client):
    client.force_login(health_user)
    page = client.get(f"/supervision/credit/{filed.pk}/new/")
    html = page.content.decode()
    rules = policy.at(TODAY()).supervision
    # every kind offered names its points and rule from policy data
    assert f"行政处罚（{rules.credit_points_penalty:+d} 分，P-SUP-5）" in html
    assert f"示范机构（{rules.credit_points_demonstration:+d} 分，P-SUP-5）" in html
    response = _post(client, filed)
    assert response.status_code == 302
    event = CreditEvent.objects.get(institution=filed)
    assert event.points == rules.credit_points_penalty and event.rule_ref == "P-SUP-5"
    assert event.decision_ref == "金东卫健罚〔2024〕3号" and event.entered_by == health_user
    rating = CreditRating.objects.get(institution=filed)
    assert rating.score == rules.credit_base_score + rules.credit_points_penalty
    audit = AuditEvent.objects.get(action="supervision.credit_event.entered")
    assert audit.detail["decision_ref"] == "金东卫健罚〔2024〕3号"
    credit = client.get(f"/supervision/credit/{filed.pk}/").content.decode()
    assert event.rule_text in credit and "金东卫健罚〔2024〕3号" in credit
    assert "录入处罚、表彰或示范信用事件" in credit


def test_a_department_with_a_duty_enters_a_commendation(filed, market_user):
    event = services.credit_event_enter(
        acting_user=market_user,
        institution_id=filed.pk,
        kind="commendation",
        occurred_on=TODAY(),
        decision_ref="金东市监〔2024〕8号",
        description="食品安全示范食堂",
    )
    assert event.points == policy.at(TODAY()).supervision.credit_points_commendation


@pytest.mark.parametrize("who", ["finance_user", "township_user", "institution_user"])
def test_a_wrong_role_cannot_enter_credit_events(who, filed, client, request):
    """区财政局 (no supervisory duty), a township and an institution: 403, nothing stored."""
    client.force_login(request.getfixturevalue(who))
    assert client.get(f"/supervision/credit/{filed.pk}/new/").status_code == 403
    assert _post(client, filed).status_code == 403
    assert not CreditEvent.objects.exists()
    page = client.get(f"/supervision/credit/{filed.pk}/")
    if page.status_code == 200:
        assert "录入处罚、表彰或示范信用事件" not in page.content.decode()


def test_errors_next_to_fields_in_chinese_and_input_kept(filed, health_user, client):
    client.force_login(health_user)
    future = (TODAY() + dt.timedelta(3)).isoformat()
    response = _post(client, filed, occurred_on=future, description="说明保留")
    html = response.content.decode()
    assert response.status_code == 400
    assert "事件日期不能晚于今天" in html and "说明保留" in html and future in html
    response = _post(client, filed, description="")
    assert "必填项不能为空" in response.content.decode()
    assert not CreditEvent.objects.exists()


def test_one_event_per_decision_and_kind(filed, health_user, client):
    client.force_login(health_user)
    assert _post(client, filed).status_code == 302
    html = _post(client, filed).content.decode()
    assert "该决定文号的同类信用事件已记录" in html
    assert CreditEvent.objects.count() == 1


def test_system_kinds_are_not_entered_by_hand(filed, health_user):
    with pytest.raises(DomainError) as exc:
        services.credit_event_enter(
            acting_user=health_user,
            institution_id=filed.pk,
            kind="overdue_order",
            occurred_on=TODAY(),
            decision_ref="x",
            description="y",
        )
    assert exc.value.code == "credit_kind_not_entered"


def test_demonstration_title_conferred_is_a_positive_credit_event_once(
    filed, health_user, django_capture_on_commit_callbacks
):
    """P-SUP-5 / P-SUB-3: the subsidies app's event, received on commit, once per title."""
    payload = {
        "institution_id": filed.pk,
        "title_id": 41,
        "level": "municipal",
        "conferred_on": TODAY(),
        "acting_user": health_user,
    }
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        events.emit(events.DEMONSTRATION_TITLE_CONFERRED, **payload)
        # on commit: nothing yet inside the transaction
        assert not CreditEvent.objects.exists()
    assert callbacks
    with django_capture_on_commit_callbacks(execute=True):
        events.emit(events.DEMONSTRATION_TITLE_CONFERRED, **payload)
    event = CreditEvent.objects.get(institution=filed)
    rules = policy.at(TODAY()).supervision
    assert event.kind == "demonstration" and event.points == rules.credit_points_demonstration
    assert event.points > 0 and event.description == "获评市级示范托育机构"
    assert event.source == "title:41"
    rating = CreditRating.objects.get(institution=filed)
    assert rating.score == rules.credit_base_score + rules.credit_points_demonstration


ID_NUMBER = "11010519491231002X"


def test_p_sup_5_a_practitioners_event_is_the_persons_not_the_institutions(
    filed, health_user, client, make_filed
):
    """A penalty of a practitioner: in the person's own file (found by ID number at every
    institution), never public, not counted in the institution's rating."""
    client.force_login(health_user)
    response = _post(
        client,
        filed,
        subject="person",
        person_name="王小明",
        id_number=ID_NUMBER,
        decision_ref="金东卫健罚〔2024〕5号",
    )
    assert response.status_code == 302
    event = CreditEvent.objects.get()
    assert event.is_person and not event.public
    assert ID_NUMBER not in event.source
    assert not CreditRating.objects.filter(institution=filed, score__lt=100).exists()
    # the same person at another institution, another decision
    other = make_filed(name="另一家托育园")
    services.credit_event_enter(
        acting_user=health_user,
        institution_id=other.pk,
        subject="person",
        person_name="王小明",
        id_number=ID_NUMBER,
        kind="commendation",
        occurred_on=TODAY(),
        decision_ref="金东卫健〔2024〕9号",
        description="表彰",
    )
    html = client.post("/supervision/credit/practitioners/", {"id_number": ID_NUMBER})
    html = html.content.decode()
    rules = policy.at(TODAY()).supervision
    score = rules.credit_base_score + rules.credit_points_penalty + rules.credit_points_commendation
    assert f"信用分 {score}" in html and "另一家托育园" in html and "王小明" not in html
    file_html = client.get(f"/supervision/credit/{filed.pk}/").content.decode()
    assert 'data-testid="person-event"' in file_html and "王小明" not in file_html


def test_a_practitioners_event_needs_name_and_a_valid_id_number(filed, health_user, client):
    client.force_login(health_user)
    html = _post(client, filed, subject="person", person_name="王小明", id_number="123")
    assert html.status_code == 400 and 'value="王小明"' in html.content.decode()
    html = _post(client, filed, subject="person", id_number=ID_NUMBER).content.decode()
    assert "必填项不能为空" in html
    assert not CreditEvent.objects.exists()


def test_practitioner_file_is_for_departments_only(township_user, client):
    client.force_login(township_user)
    assert client.get("/supervision/credit/practitioners/").status_code == 403
