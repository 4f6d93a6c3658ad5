"""The institution directory: search, filters, sorting, scope, N+1, Excel export, tabs."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import (
    AffordableDesignationFactory,
    CareClassFactory,
    ChainAgreementFactory,
    RegistrationEventFactory,
)
from tuoyu.audit.models import AuditEvent
from tuoyu.institutions.excel_directory import HEADERS
from tuoyu.institutions.selectors.directory import DirectoryFilters, institutions_directory

LIST = reverse("institutions:list")
EXPORT = reverse("institutions:export")


def names(response) -> list[str]:
    return [i.name for i in response.context["page"]]


@pytest.fixture
def logged(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def population(make_institution, make_filed, district):
    """Institutions in several states across both townships."""
    today = timezone.localdate()
    a = make_filed(
        name="甲 阳光托育",
        operating_mode="social",
        classes=[("toddler_small", 15), ("toddler_large", 20)],
    )
    b = make_filed(
        name="乙 东孝托育",
        township=district["dongxiao"],
        operating_mode="community",
        classes=[("infant", 10)],
    )
    c = make_institution(name="丙 新登记托育", registered_at=timezone.now() - dt.timedelta(days=40))
    d = make_institution(name="丁 已注销托育", registration_status="deregistered")
    AffordableDesignationFactory(
        institution=a, starts_on=today - dt.timedelta(days=30), decision_ref="普惠1"
    )
    AffordableDesignationFactory(  # ended: not affordable today
        institution=b,
        starts_on=today - dt.timedelta(days=300),
        ends_on=today - dt.timedelta(days=1),
        decision_ref="普惠2",
    )
    agreement = ChainAgreementFactory(
        head=a,
        agreement_number="LS-1",
        max_branches=3,
        valid_from=today,
        valid_until=today + dt.timedelta(days=365),
        townships=[district["duohu"]],
    )
    c.chain_agreement = agreement
    c.save()
    return {"a": a, "b": b, "c": c, "d": d}


# --- access -----------------------------------------------------------------------------


def test_institution_users_cannot_open_the_directory(logged, institution_user, population):
    client = logged(institution_user)
    assert client.get(LIST).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert client.get(reverse("institutions:detail", args=[population["a"].pk])).status_code == 403


def test_anonymous_is_sent_to_login(client):
    r = client.get(LIST)
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_departments_see_the_whole_district(logged, make_user, population):
    client = logged(make_user("caizheng", department="finance"))
    assert sorted(names(client.get(LIST))) == sorted(i.name for i in population.values())


def test_township_sees_only_its_own(logged, township_user, population):
    client = logged(township_user)
    r = client.get(LIST)
    assert "乙 东孝托育" not in names(r) and len(names(r)) == 3
    other = population["b"]
    assert client.get(reverse("institutions:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("institutions:detail", args=[999_999])).status_code == 404
    own = population["a"]
    assert client.get(reverse("institutions:detail", args=[own.pk])).status_code == 200
    wb = load_workbook(BytesIO(b"".join(client.get(EXPORT).streaming_content)))
    exported = [row[0] for row in wb.active.iter_rows(min_row=2, values_only=True)]
    assert "乙 东孝托育" not in exported and len(exported) == 3
    # The township filter offers only its own township.
    assert [c for c, _ in r.context["form"].township_choices if c] == ["330703001"]


# --- search, filters, sorting ------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "阳光"}, ["甲 阳光托育"]),
        ({"township": "330703002"}, ["乙 东孝托育"]),
        ({"registration_status": "deregistered"}, ["丁 已注销托育"]),
        ({"filing_status": "filed"}, ["乙 东孝托育", "甲 阳光托育"]),
        ({"filing_status": "not_filed", "registration_status": "registered"}, ["丙 新登记托育"]),
        ({"operating_mode": "community"}, ["乙 东孝托育"]),
        ({"affordable": "yes"}, ["甲 阳光托育"]),
        ({"affordable": "no"}, ["丁 已注销托育", "丙 新登记托育", "乙 东孝托育"]),
        ({"chain": "head"}, ["甲 阳光托育"]),
        ({"chain": "branch"}, ["丙 新登记托育"]),
        ({"chain": "none"}, ["丁 已注销托育", "乙 东孝托育"]),
    ],
)
def test_filters(logged, health_user, population, params, expected):
    r = logged(health_user).get(LIST, params)
    assert r.status_code == 200
    assert sorted(names(r)) == sorted(expected)


def test_search_by_uscc_prefix(logged, health_user, population):
    uscc = population["b"].uscc
    assert names(logged(health_user).get(LIST, {"q": uscc[:12].lower()})) != []
    assert "乙 东孝托育" in names(logged(health_user).get(LIST, {"q": uscc}))


def test_invalid_filter_values_are_ignored(logged, health_user, population):
    r = logged(health_user).get(LIST, {"filing_status": "nonsense", "chain": "?"})
    assert r.status_code == 200 and len(names(r)) == 4
    # A township outside the user's choice is a bad value too.
    r = logged(health_user).get(LIST, {"township": "999999999"})
    assert r.status_code == 200 and len(names(r)) == 4
    # Only the bad filter is dropped; the others still apply.
    r = logged(health_user).get(LIST, {"filing_status": "nonsense", "township": "330703002"})
    assert names(r) == ["乙 东孝托育"]


def test_sorting_by_slots_and_back(logged, health_user, population):
    client = logged(health_user)
    by_slots = names(client.get(LIST, {"sort": "-slots"}))
    assert by_slots[:2] == ["甲 阳光托育", "乙 东孝托育"]
    assert names(client.get(LIST, {"sort": "slots"}))[-2:] == ["乙 东孝托育", "甲 阳光托育"]
    # An unknown sort key falls back to the name.
    assert client.get(LIST, {"sort": "password"}).status_code == 200


def test_annotations_slots_affordable_days(health_user, population):
    rows = {
        i.name: i
        for i in institutions_directory(acting_user=health_user, filters=DirectoryFilters())
    }
    assert rows["甲 阳光托育"].slots == 35 and rows["乙 东孝托育"].slots == 10
    assert rows["丙 新登记托育"].slots == 0
    assert rows["甲 阳光托育"].affordable and not rows["乙 东孝托育"].affordable
    assert rows["丙 新登记托育"].days_registered.days == 40
    assert rows["甲 阳光托育"].is_chain_head and not rows["丙 新登记托育"].is_chain_head


def test_proposed_and_closed_classes_are_not_slots(health_user, population):
    a = population["a"]
    CareClassFactory(institution=a, name="拟", class_type="infant", capacity=10)
    CareClassFactory(institution=a, name="撤", class_type="infant", capacity=10, status="closed")
    row = institutions_directory(acting_user=health_user).get(pk=a.pk)
    assert row.slots == 35


def test_overdue_flag_for_registered_not_filed(logged, health_user, make_institution):
    from tuoyu import policy

    deadline = policy.at().filing.registration_to_filing_deadline_days
    make_institution(
        name="逾期托育", registered_at=timezone.now() - dt.timedelta(days=deadline + 2)
    )
    make_institution(name="未逾期托育", registered_at=timezone.now())
    content = logged(health_user).get(LIST).content.decode()
    assert content.count('data-testid="overdue"') == 1


# --- no N+1 -------------------------------------------------------------------------------


def test_query_count_does_not_grow_with_page_size(
    logged, health_user, make_filed, district, settings
):
    today = timezone.localdate()
    for i in range(110):
        inst = make_filed(
            name=f"机构{i:03d}",
            township=district["duohu" if i % 2 else "dongxiao"],
            classes=[("infant", 10), ("toddler_small", 15)],
        )
        if i % 3 == 0:
            AffordableDesignationFactory(institution=inst, starts_on=today, decision_ref=f"P{i}")
    client = logged(health_user)
    client.get(LIST)  # warm up session and permission caches
    counts = {}
    for size in (20, 50, 100):
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(LIST, {"per_page": size})
        assert len(r.context["page"]) == size
        counts[size] = len(ctx.captured_queries)
    assert counts[20] == counts[50] == counts[100], counts


def test_list_query_budget(logged, health_user, make_filed, django_assert_max_num_queries):
    for i in range(30):
        make_filed(name=f"机构{i:03d}")
    client = logged(health_user)
    client.get(LIST)
    with django_assert_max_num_queries(12):
        client.get(LIST, {"per_page": 100})


# --- export -------------------------------------------------------------------------------


def test_export_current_filter_with_chinese_headers(logged, health_user, population):
    r = logged(health_user).get(EXPORT, {"filing_status": "filed", "sort": "-slots"})
    assert r.status_code == 200
    assert r["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in r["Content-Disposition"]
    wb = load_workbook(BytesIO(b"".join(r.streaming_content)), read_only=True)
    ws = wb["托育机构名单"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == HEADERS
    assert "机构名称" in rows[0] and "统一社会信用代码" in rows[0] and "托位数" in rows[0]
    assert "法定代表人" not in rows[0]
    data = [dict(zip(HEADERS, row, strict=True)) for row in rows[1:]]
    assert [d["机构名称"] for d in data] == ["甲 阳光托育", "乙 东孝托育"]
    first = data[0]
    assert first["托位数"] == 35 and first["普惠性"] == "是" and first["连锁总部"] == "是"
    assert first["备案状态"] == "已备案" and first["所在镇乡街道"] == "多湖街道"
    assert first["统一社会信用代码"] == population["a"].uscc
    assert first["服务模式"] == "社会兴办"
    event = AuditEvent.objects.get(action="institutions.directory.exported")
    assert event.actor_username == "weijian"
    assert event.detail["rows"] == 2
    assert event.detail["filters"] == {"filing_status": "filed", "sort": "-slots"}


def test_export_of_an_empty_filter_has_headers_only(logged, health_user, population):
    r = logged(health_user).get(EXPORT, {"q": "没有这样的机构"})
    wb = load_workbook(BytesIO(b"".join(r.streaming_content)))
    assert list(wb.active.iter_rows(values_only=True)) == [HEADERS]


# --- the institution page and its tabs -----------------------------------------------------


@pytest.mark.parametrize(
    ("tab", "marker"),
    [
        ("basic", "登记信息"),
        ("classes", "托位（已备案班级核定人数之和）"),
        ("filings", "尚无备案申请"),
        ("registrations", "尚无登记记录"),
        ("chain", "作为连锁总部"),
        ("affordable", "普惠1"),
        ("accounts", "jg-a"),
    ],
)
def test_detail_tabs(logged, health_user, population, make_user, tab, marker):
    a = population["a"]
    make_user("jg-a", institution=a)
    client = logged(health_user)
    url = reverse("institutions:detail", args=[a.pk])
    r = client.get(url, {"tab": tab})
    assert r.status_code == 200
    content = r.content.decode()
    assert marker in content
    assert 'data-testid="institution-tabs"' in content
    # htmx loads the pane alone.
    pane = client.get(url, {"tab": tab}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="tab-pane")
    assert pane.status_code == 200
    assert f'data-pane="{tab}"' in pane.content.decode()
    assert "<html" not in pane.content.decode()


def test_detail_basic_shows_registration_and_filed_facts(logged, health_user, population):
    a = population["a"]
    content = logged(health_user).get(reverse("institutions:detail", args=[a.pk])).content.decode()
    assert a.uscc in content and a.filing_number in content and "区市场监管局" in content
    assert 'data-testid="slots">35<' in content


def test_detail_chain_tab_of_a_branch(logged, health_user, population):
    c = population["c"]
    content = (
        logged(health_user)
        .get(reverse("institutions:detail", args=[c.pk]), {"tab": "chain"})
        .content.decode()
    )
    assert "LS-1" in content and "连锁简化备案" in content


# The 备案记录 tab's own test is filings' (filings/tests/test_institution_tab.py).


def test_unknown_tab_falls_back_to_basic(logged, health_user, population):
    r = logged(health_user).get(
        reverse("institutions:detail", args=[population["a"].pk]), {"tab": "../../etc"}
    )
    assert r.status_code == 200 and r.context["tab"] == "basic"


def test_detail_registrations_tab_shows_events_and_changes(logged, health_user, population):
    a = population["a"]
    RegistrationEventFactory(
        event_id="SAMR-330703-2024-000777",
        authority="market_regulation",
        action="changed",
        institution=a,
        changes={"address": ["旧地址 1 号", "新地址 2 号"]},
    )
    content = (
        logged(health_user)
        .get(reverse("institutions:detail", args=[a.pk]), {"tab": "registrations"})
        .content.decode()
    )
    assert "SAMR-330703-2024-000777" in content and "区市场监管局" in content
    assert "地址：旧地址 1 号 → 新地址 2 号" in content
