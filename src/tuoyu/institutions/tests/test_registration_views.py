"""The registration pages (P-REG-11, P-REG-12): who sees them, what each role sees, the
"registered, not yet filed" view with its policy deadline, the entry form and the export."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tuoyu import policy
from tuoyu.institutions.models import Institution, RegistrationEvent
from tuoyu.institutions.selectors import registration as selectors
from tuoyu.institutions.services.registration import registration_event_receive

from .conftest import DONGXIAO, DUOHU, new_uscc, registration_body

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
LIST = "/institutions/registrations/"


def events_shown(response) -> list[str]:
    return re.findall(r'<tr data-event-id="([^"]+)"', response.content.decode())


def usccs_shown(response) -> list[str]:
    return re.findall(r'<tr data-uscc="([^"]+)"', response.content.decode())


def overdue_shown(response) -> list[str]:
    return re.findall(
        r'<tr data-uscc="([^"]+)" class="table-warning" data-overdue="1"', response.content.decode()
    )


def receive(user, **overrides):
    return registration_event_receive(acting_user=user, data=registration_body(**overrides))


@pytest.fixture
def pushed(market_user, civil_user):
    """Two events of 区市场监管局 and one of 区民政局."""
    return {
        "market_a": receive(market_user, township_code=DUOHU),
        "market_b": receive(market_user, township_code=DONGXIAO),
        "civil": receive(
            civil_user,
            authority="civil_affairs",
            legal_form="social_organization",
            for_profit=False,
            uscc=new_uscc("5", "2"),
            event_id="MZ-330703-2024-000001",
        ),
    }


def test_url_names():
    assert reverse("institutions:registrations") == LIST
    assert reverse("institutions:registration_new") == "/institutions/registrations/new/"
    assert reverse("institutions:registration_import") == "/institutions/registrations/import/"
    assert (
        reverse("institutions:registration_template") == "/institutions/registrations/template.xlsx"
    )
    assert reverse("institutions:registrations_export") == "/institutions/registrations/export.xlsx"
    assert reverse("institutions:registration_detail", args=[7]) == "/institutions/registrations/7/"


# --- scope -------------------------------------------------------------------------------


def test_health_bureau_sees_every_event(client, health_user, pushed):
    client.force_login(health_user)
    response = client.get(LIST)
    assert response.status_code == 200
    assert sorted(events_shown(response)) == sorted(r.event.event_id for r in pushed.values())
    html = response.content.decode()
    assert reverse("institutions:registration_new") not in html  # receives, does not enter


def test_an_authority_sees_only_the_events_it_pushed(client, market_user, civil_user, pushed):
    client.force_login(market_user)
    response = client.get(LIST)
    assert sorted(events_shown(response)) == sorted(
        [pushed["market_a"].event.event_id, pushed["market_b"].event.event_id]
    )
    assert reverse("institutions:registration_new") in response.content.decode()
    civil_detail = reverse("institutions:registration_detail", args=[pushed["civil"].event.pk])
    assert client.get(civil_detail).status_code == 404  # no existence leak
    own = reverse("institutions:registration_detail", args=[pushed["market_a"].event.pk])
    assert client.get(own).status_code == 200

    client.force_login(civil_user)
    assert events_shown(client.get(LIST)) == [pushed["civil"].event.event_id]
    assert client.get(own).status_code == 404


def test_authority_filter_cannot_widen_an_authoritys_view(client, market_user, pushed):
    client.force_login(market_user)
    response = client.get(LIST, {"authority": "civil_affairs"})
    assert events_shown(response) == []


@pytest.mark.parametrize("who", ["township_user", "institution_user", "finance_user"])
def test_townships_institutions_and_other_departments_cannot_see_the_page(
    request, client, who, pushed
):
    client.force_login(request.getfixturevalue(who))
    assert client.get(LIST).status_code == 403
    assert client.get(LIST, {"tab": "unfiled"}).status_code == 403
    assert client.get(reverse("institutions:registrations_export")).status_code == 403
    detail = reverse("institutions:registration_detail", args=[pushed["market_a"].event.pk])
    assert client.get(detail).status_code == 403
    assert client.get(reverse("institutions:registration_new")).status_code == 403


def test_anonymous_is_sent_to_login(client, district):
    response = client.get(LIST)
    assert response.status_code == 302
    assert "next=/institutions/registrations/" in response["Location"]


def test_selectors_see_nothing_for_other_scopes(township_user, institution_user, pushed):
    for user in (township_user, institution_user):
        assert not selectors.registration_events_visible(acting_user=user).exists()
        assert not selectors.registration_institutions_visible(acting_user=user).exists()


# --- filters and detail ------------------------------------------------------------------


def test_filters_by_authority_action_and_township(client, health_user, market_user, pushed):
    change = receive(
        market_user,
        action="changed",
        uscc=pushed["market_a"].event.uscc,
        name="改名托育有限公司",
        legal_form=None,
        for_profit=None,
        township_code=None,
    )
    client.force_login(health_user)
    by_authority = events_shown(client.get(LIST, {"authority": "civil_affairs"}))
    by_action = events_shown(client.get(LIST, {"action": "changed"}))
    by_township = events_shown(client.get(LIST, {"township": DONGXIAO}))
    assert by_authority == [pushed["civil"].event.event_id]
    assert by_action == [change.event.event_id]
    assert by_township == [pushed["market_b"].event.event_id]


def test_event_detail_shows_payload_response_and_changes(client, market_user, pushed):
    change = receive(
        market_user,
        action="changed",
        uscc=pushed["market_a"].event.uscc,
        name="金华市金东区改名托育有限公司",
        legal_form=None,
        for_profit=None,
        township_code=DONGXIAO,
    )
    client.force_login(market_user)
    response = client.get(reverse("institutions:registration_detail", args=[change.event.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert change.event.event_id in html
    assert "金华市金东区改名托育有限公司" in html
    assert "多湖街道（330703001）" in html and "东孝街道（330703002）" in html  # before → after
    assert pushed["market_a"].event.event_id in html  # the institution's history
    # [accounts-ux] 5: the raw push and response only for 区卫健局, behind 技术详情.
    assert "&quot;institution_id&quot;" not in html and "技术详情" not in html


def test_event_detail_raw_push_behind_technical_details_for_health(
    client, health_user, market_user, pushed
):
    event = pushed["market_a"].event
    client.force_login(health_user)
    html = client.get(reverse("institutions:registration_detail", args=[event.pk])).content
    html = html.decode()
    details = html[html.index('data-testid="technical-details"') :]
    details = details[: details.index("</details>")]
    assert "技术详情" in details
    assert f"&quot;institution_id&quot;: {pushed['market_a'].institution_id}" in details
    assert "&quot;authority&quot;: &quot;market_regulation&quot;" in details


def test_pagination(client, health_user, market_user):
    for _ in range(23):
        receive(market_user)
    client.force_login(health_user)
    first = client.get(LIST, {"per_page": 20})
    second = client.get(LIST, {"per_page": 20, "page": 2})
    assert len(events_shown(first)) == 20
    assert len(events_shown(second)) == 3


def test_list_query_count_does_not_grow_with_the_page(
    client, health_user, market_user, django_assert_max_num_queries
):
    for _ in range(30):
        receive(market_user)
    client.force_login(health_user)
    client.get(LIST, {"per_page": 20})  # warm caches (policy, sessions)
    # 12, plus the navigation's work-queue badges ([accounts-ux] 2: one aggregate query
    # each — reviews, decisions, unfiled — whatever the number of rows)
    with django_assert_max_num_queries(15):
        client.get(LIST, {"per_page": 100})
    with django_assert_max_num_queries(15):
        client.get(LIST, {"per_page": 100, "tab": "unfiled"})


# --- registered, not yet filed (P-REG-12) ------------------------------------------------


def registered_days_ago(make_institution, days: int, **kwargs) -> Institution:
    today = policy.today()
    moment = dt.datetime.combine(today - dt.timedelta(days=days), dt.time(12), tzinfo=SHANGHAI)
    return make_institution(uscc=new_uscc(), registered_at=moment, **kwargs)


def test_unfiled_view_counts_days_and_flags_overdue_by_the_policy_deadline(
    client, health_user, make_institution
):
    deadline = policy.at(policy.today()).filing.registration_to_filing_deadline_days
    on_time = registered_days_ago(make_institution, deadline)
    overdue = registered_days_ago(make_institution, deadline + 1)
    registered_days_ago(
        make_institution, deadline + 5, filing_status="filed", filing_number="TY-1"
    )  # filed: not listed
    registered_days_ago(
        make_institution, deadline + 5, registration_status="deregistered"
    )  # deregistered: not listed
    client.force_login(health_user)

    response = client.get(LIST, {"tab": "unfiled"})

    assert response.status_code == 200
    assert usccs_shown(response) == [overdue.uscc, on_time.uscc]  # oldest first
    assert overdue_shown(response) == [overdue.uscc]
    days = re.findall(r'data-testid="days">(\d+)<', response.content.decode())
    assert days == [str(deadline + 1), str(deadline)]
    only_overdue = client.get(LIST, {"tab": "unfiled", "overdue": "1"})
    assert usccs_shown(only_overdue) == [overdue.uscc]
    summary = selectors.registrations_unfiled_summary(acting_user=health_user)
    assert summary == {"unfiled": 2, "overdue": 1, "deadline_days": deadline}


def test_overdue_follows_the_policy_value(health_user, make_institution, monkeypatch):
    """The deadline is policy data: with a shorter deadline the same institution is
    overdue (P-REG-12; the number is never a literal in code)."""
    inst = registered_days_ago(make_institution, 5)
    filters = selectors.RegistrationFilters()
    real_at = policy.at
    today = policy.today()
    assert real_at(today).filing.registration_to_filing_deadline_days > 5
    rows = selectors.registrations_unfiled(acting_user=health_user, filters=filters)
    assert [r.is_overdue for r in rows] == [False]

    def shorter(day=None):
        p = real_at(day)
        return p.model_copy(
            update={
                "filing": p.filing.model_copy(update={"registration_to_filing_deadline_days": 4})
            }
        )

    monkeypatch.setattr(policy, "at", shorter)
    rows = selectors.registrations_unfiled(acting_user=health_user, filters=filters)
    assert [(r.pk, r.is_overdue) for r in rows] == [(inst.pk, True)]
    aged = selectors.registrations_with_age(rows)
    assert aged[0].days_since_registration == 5


def test_an_authority_sees_only_the_institutions_it_registered_in_unfiled(
    client, market_user, make_institution
):
    own = registered_days_ago(make_institution, 3)
    other = registered_days_ago(
        make_institution,
        3,
        legal_form="social_organization",
        for_profit=False,
        registration_authority="civil_affairs",
    )
    client.force_login(market_user)
    shown = usccs_shown(client.get(LIST, {"tab": "unfiled"}))
    assert shown == [own.uscc]
    assert other.uscc not in shown


def test_events_overdue_filter_lists_events_of_overdue_unfiled_institutions(
    client, health_user, market_user, make_institution
):
    deadline = policy.at(policy.today()).filing.registration_to_filing_deadline_days
    old_at = dt.datetime.combine(
        policy.today() - dt.timedelta(days=deadline + 3), dt.time(10), tzinfo=SHANGHAI
    )
    old = receive(market_user, occurred_at=old_at.isoformat())
    receive(market_user, occurred_at=dt.datetime.now(SHANGHAI).isoformat())
    client.force_login(health_user)
    assert events_shown(client.get(LIST, {"overdue": "1"})) == [old.event.event_id]


# --- export ------------------------------------------------------------------------------


def workbook_rows(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    ws = load_workbook(BytesIO(response.content), read_only=True).worksheets[0]
    return list(ws.iter_rows(values_only=True))


def test_export_follows_the_current_filter(client, health_user, pushed):
    client.force_login(health_user)
    rows = workbook_rows(
        client.get(reverse("institutions:registrations_export"), {"authority": "civil_affairs"})
    )
    assert rows[0][:4] == ("接收时间", "事件编号", "登记机关", "事项")
    assert [r[1] for r in rows[1:]] == [pushed["civil"].event.event_id]
    assert rows[1][2] == "区民政局" and rows[1][3] == "登记"

    every = workbook_rows(client.get(reverse("institutions:registrations_export")))
    assert len(every) == 1 + 3


def test_export_of_the_unfiled_view(client, health_user, make_institution):
    deadline = policy.at(policy.today()).filing.registration_to_filing_deadline_days
    overdue = registered_days_ago(make_institution, deadline + 2)
    registered_days_ago(make_institution, 1)
    client.force_login(health_user)
    rows = workbook_rows(
        client.get(reverse("institutions:registrations_export"), {"tab": "unfiled", "overdue": "1"})
    )
    assert rows[0][5] == "登记天数"
    assert [(r[1], r[5], r[6]) for r in rows[1:]] == [(overdue.uscc, deadline + 2, "是")]


def test_an_authority_exports_only_its_own(client, market_user, pushed):
    client.force_login(market_user)
    rows = workbook_rows(client.get(reverse("institutions:registrations_export")))
    assert sorted(r[1] for r in rows[1:]) == sorted(
        [pushed["market_a"].event.event_id, pushed["market_b"].event.event_id]
    )


# --- the entry form ----------------------------------------------------------------------


def form_data(client, **values) -> dict:
    page = client.get(reverse("institutions:registration_new"))
    assert page.status_code == 200
    event_id = re.search(r'name="event_id" value="([^"]+)"', page.content.decode()).group(1)
    data = {
        "event_id": event_id,
        "action": "registered",
        "uscc": new_uscc(),
        "name": "金华市金东区表单托育有限公司",
        "legal_form": "company",
        "for_profit": "true",
        "legal_representative": "王五",
        "address": "金东区多湖街道表单路 3 号",
        "township_code": DUOHU,
        "occurred_at": "2024-05-06T10:30",
    }
    data.update(values)
    return data


def test_the_form_issues_a_form_event_id(client, market_user):
    client.force_login(market_user)
    data = form_data(client)
    assert re.fullmatch(r"FORM-market_regulation-[0-9a-f]{32}", data["event_id"])


def test_the_form_produces_the_same_event_as_the_api(client, market_user):
    client.force_login(market_user)
    data = form_data(client)

    response = client.post(reverse("institutions:registration_new"), data)

    event = RegistrationEvent.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("institutions:registration_detail", args=[event.pk])
    assert event.channel == RegistrationEvent.Channel.FORM
    assert event.event_id == data["event_id"]
    assert event.authority == "market_regulation"
    inst = event.institution
    assert (inst.uscc, inst.name, inst.township.code) == (data["uscc"], data["name"], DUOHU)
    assert inst.registered_at == dt.datetime(2024, 5, 6, 10, 30, tzinfo=SHANGHAI)
    assert event.payload["occurred_at"] == "2024-05-06T10:30:00+08:00"


def test_submitting_the_same_form_twice_creates_one_event(client, market_user):
    client.force_login(market_user)
    data = form_data(client)
    client.post(reverse("institutions:registration_new"), data)
    again = client.post(reverse("institutions:registration_new"), data, follow=True)
    assert again.status_code == 200
    assert "此前已提交" in again.content.decode()
    assert RegistrationEvent.objects.count() == 1


def field_errors(response) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, message in re.findall(
        r'<div class="invalid-feedback d-block" data-field="([^"]+)">([^<]+)</div>',
        response.content.decode(),
    ):
        out.setdefault(name, []).append(message)
    return out


def test_form_errors_are_shown_per_field_in_chinese(client, market_user):
    client.force_login(market_user)
    good = new_uscc()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = client.post(
        reverse("institutions:registration_new"),
        form_data(client, uscc=bad, name="", township_code=""),
    )
    assert response.status_code == 200
    errors = field_errors(response)
    assert errors["uscc"] == ["统一社会信用代码校验位错误"]
    assert errors["name"] == ["登记时“机构名称”不能为空"]
    assert errors["township_code"] == ["登记时“所在镇乡街道”不能为空"]
    assert not RegistrationEvent.objects.exists()


def test_form_wrong_authority_is_shown_as_a_form_error(client, market_user):
    client.force_login(market_user)
    response = client.post(
        reverse("institutions:registration_new"),
        form_data(client, legal_form="kindergarten", for_profit="false"),
    )
    html = response.content.decode()
    assert 'data-testid="form-errors"' in html
    assert "区教体局" in html
    assert not Institution.objects.exists()


def test_form_change_and_deregistration(client, market_user, make_institution):
    inst = make_institution(uscc=new_uscc())
    name = inst.name
    client.force_login(market_user)
    changed = client.post(
        reverse("institutions:registration_new"),
        form_data(
            client,
            action="changed",
            uscc=inst.uscc,
            name="",
            legal_form="",
            for_profit="",
            legal_representative="赵六",
            address="",
            township_code="",
        ),
    )
    assert changed.status_code == 302
    inst.refresh_from_db()
    assert inst.legal_representative == "赵六"
    assert inst.name == name  # blank = unchanged
    gone = client.post(
        reverse("institutions:registration_new"),
        form_data(
            client, action="deregistered", uscc=inst.uscc, name="", legal_form="", for_profit=""
        ),
    )
    assert gone.status_code == 302
    inst.refresh_from_db()
    assert inst.registration_status == Institution.RegistrationStatus.DEREGISTERED
    assert inst.filing_status == Institution.FilingStatus.CANCELLED  # P-FIL-3


def test_a_reused_form_event_id_is_shown_as_a_form_error(client, market_user, pushed):
    """The hidden event id cannot be bent to another event: 409 event_conflict, shown at
    the top of the form (the field itself is hidden)."""
    client.force_login(market_user)
    taken = pushed["market_a"].event.event_id
    response = client.post(
        reverse("institutions:registration_new"), form_data(client, event_id=taken)
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="form-errors"' in html and taken in html
    assert RegistrationEvent.objects.count() == 3


def test_health_bureau_cannot_enter(client, health_user):
    client.force_login(health_user)
    assert client.get(reverse("institutions:registration_new")).status_code == 403
    assert client.get(reverse("institutions:registration_import")).status_code == 403
    assert client.get(reverse("institutions:registration_template")).status_code == 403
