"""The relief lists (P-TAX-1, P-TAX-2): the community care institutions that qualify on a
chosen day — filed on or before it, not cancelled on it, operating as community care — with
the reliefs each qualifies for and the care-income share from policy data; the two Excel
exports (区税务局; the electricity, water and gas companies), audited; who may see them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tuoyu import policy
from tuoyu.audit.models import AuditEvent
from tuoyu.subsidies.catalogue import SubsidyAction
from tuoyu.subsidies.selectors.relief import qualifying_institutions, relief_terms

pytestmark = pytest.mark.django_db

FILED = dt.date(2023, 3, 1)
CANCELLED = dt.date(2025, 6, 30)


@pytest.fixture
def tax_user(make_user):
    return make_user("shuiwu", department="tax")


@pytest.fixture
def institutions(make_institution, district):
    """社区 (filed 2023-03-01, cancelled 2025-06-30), 社会兴办 in 东孝 (filed, never
    cancelled), a kindergarten class, an employer-run centre and one with no mode recorded
    (all filed, none listed), and a community one never filed."""
    kw = {"filed": True, "filed_on": FILED}
    return {
        "community": make_institution(
            name="社区甲托育中心",
            operating_mode="community",
            filing_cancelled_on=CANCELLED,
            filing_status="cancelled",
            address="多湖街道光明路1号",
            indoor_area_m2=Decimal("320.50"),
            outdoor_area_m2=Decimal("80"),
            **kw,
        ),
        "social": make_institution(
            name="社会乙托育有限公司",
            operating_mode="social",
            township=district["dongxiao"],
            **kw,
        ),
        "kindergarten": make_institution(
            name="丙幼儿园托班", operating_mode="kindergarten_class", **kw
        ),
        "employer": make_institution(name="丁单位自建托育", operating_mode="employer", **kw),
        "unknown": make_institution(name="戊托育", operating_mode="", **kw),
        "unfiled": make_institution(name="己社区托育", operating_mode="community"),
    }


def _names(user, day, township=""):
    qs = qualifying_institutions(acting_user=user, day=day, township=township)
    return [i.name for i in qs]


def test_a_day_before_the_filing_lists_nobody(tax_user, institutions):
    """P-TAX-1: relief starts with the filing."""
    assert _names(tax_user, FILED - dt.timedelta(days=1)) == []


def test_the_filing_day_and_after_list_the_community_modes_only(tax_user, institutions):
    """P-TAX-1: community care (社区统筹, 社会兴办 …), not a kindergarten's class, not an
    employer's own centre (its costs are the staff-welfare deduction of P-TAX-3), not an
    unknown mode, not an unfiled institution."""
    assert _names(tax_user, FILED) == ["社区甲托育中心", "社会乙托育有限公司"]
    assert _names(tax_user, dt.date(2024, 12, 31)) == ["社区甲托育中心", "社会乙托育有限公司"]


def test_the_cancellation_ends_the_relief(tax_user, institutions):
    """The last day before the cancellation still qualifies; the cancellation day does not."""
    assert "社区甲托育中心" in _names(tax_user, CANCELLED - dt.timedelta(days=1))
    assert _names(tax_user, CANCELLED) == ["社会乙托育有限公司"]


def test_the_township_filter(tax_user, institutions, district):
    assert _names(tax_user, FILED, township=district["dongxiao"].code) == ["社会乙托育有限公司"]


def test_the_care_income_share_comes_from_policy_data(tax_user):
    """P-TAX-1: 90 % counted — the figure is policy data, not a literal."""
    day = dt.date(2024, 5, 1)
    terms = relief_terms(day)
    assert terms.care_income_counted_share == policy.at(day).tax.care_income_counted_share
    assert terms.share_percent == "90%"
    words = "；".join(terms.tax_relief_words())
    for part in (
        "免征增值税",
        "90%",
        "房产税",
        "城镇土地使用税",
        "契税",
        "人防易地建设费",
        "土地闲置费",
    ):
        assert part in words


def _rows(response):
    ws = load_workbook(BytesIO(response.content)).worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_the_tax_export(client, tax_user, institutions):
    """The list for 区税务局: name, USCC, address, township, filed on, filing number,
    reliefs, care-income share; audited with the day and the number of rows."""
    client.force_login(tax_user)
    response = client.get(reverse("subsidies:relief_export_tax"), {"date": "2024-12-31"})
    assert response.status_code == 200
    header, *rows = _rows(response)
    assert header == [
        "机构名称",
        "统一社会信用代码",
        "地址",
        "所在镇乡街道",
        "备案日期",
        "备案编号",
        "适用优惠",
        "托育收入计入收入总额比例",
    ]
    community = institutions["community"]
    assert [r[0] for r in rows] == ["社区甲托育中心", "社会乙托育有限公司"]
    first = rows[0]
    assert first[1] == community.uscc and first[2] == "多湖街道光明路1号"
    assert first[3] == "多湖街道" and first[4].date() == FILED
    assert first[5] == community.filing_number
    assert "免征增值税" in first[6] and "契税" in first[6]
    assert Decimal(str(first[7])) == Decimal("0.9")
    (event,) = AuditEvent.objects.filter(action=SubsidyAction.RELIEF_LIST_EXPORTED)
    assert event.actor_id == tax_user.pk
    assert event.detail == {"list": "tax", "on_date": "2024-12-31", "township": "", "rows": 2}


def test_the_utility_export(client, tax_user, institutions):
    """P-TAX-2: for the electricity, water and gas companies — name, address, USCC,
    premises, residential rates."""
    client.force_login(tax_user)
    response = client.get(reverse("subsidies:relief_export_utility"), {"date": "2025-07-01"})
    assert response.status_code == 200
    header, *rows = _rows(response)
    assert header == ["机构名称", "地址", "统一社会信用代码", "托育场所", "适用价格"]
    assert [r[0] for r in rows] == ["社会乙托育有限公司"]  # 甲 was cancelled on 2025-06-30
    response = client.get(reverse("subsidies:relief_export_utility"), {"date": "2024-07-01"})
    _header, first, _second = _rows(response)
    assert first[3] == "多湖街道光明路1号，室内320.5㎡，室外80㎡"
    assert "用电执行居民生活类价格" in first[4] and "用气" in first[4] and "用水" in first[4]
    events = AuditEvent.objects.filter(action=SubsidyAction.RELIEF_LIST_EXPORTED)
    assert [e.detail["list"] for e in events] == ["utility", "utility"]


def test_the_page_lists_the_day_paginated(client, tax_user, institutions):
    client.force_login(tax_user)
    response = client.get(reverse("subsidies:relief_lists"), {"date": "2024-01-01", "per_page": 20})
    assert response.status_code == 200
    html = response.content.decode()
    assert "社区甲托育中心" in html and "社会乙托育有限公司" in html
    assert "丙幼儿园托班" not in html and "丁单位自建托育" not in html
    assert response.context["page"].paginator.count == 2
    # a bad date falls back to today and says so
    response = client.get(reverse("subsidies:relief_lists"), {"date": "2024-13-45"})
    assert response.status_code == 200 and response.context["bad_date"]


@pytest.mark.parametrize("department", ["tax", "finance", "health", "development_reform"])
def test_the_four_departments_receive_the_lists(client, make_user, department):
    client.force_login(make_user(f"u-{department}", department=department))
    for name in (
        "subsidies:relief_lists",
        "subsidies:relief_export_tax",
        "subsidies:relief_export_utility",
    ):
        assert client.get(reverse(name)).status_code == 200, name


def test_tax_sees_relief_lists_but_not_reports(client, tax_user):
    client.force_login(tax_user)
    assert client.get(reverse("subsidies:relief_lists")).status_code == 200
    assert client.get(reverse("subsidies:reports")).status_code == 403


@pytest.mark.parametrize("who", ["institution", "township", "market_regulation"])
def test_others_are_refused(client, make_user, institution_user, who):
    if who == "institution":
        user = institution_user
    elif who == "township":
        user = make_user("zhen", township="duohu")
    else:
        user = make_user("u-market", department=who)
    client.force_login(user)
    for name in (
        "subsidies:relief_lists",
        "subsidies:relief_export_tax",
        "subsidies:relief_export_utility",
    ):
        assert client.get(reverse(name)).status_code == 403, name
    assert not AuditEvent.objects.filter(action=SubsidyAction.RELIEF_LIST_EXPORTED).exists()


def test_page_and_exports_take_a_constant_number_of_queries(client, tax_user, make_institution):
    client.force_login(tax_user)

    def count(name):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name), {"date": "2024-12-31"}).status_code == 200
        return len(ctx.captured_queries)

    names = ("subsidies:relief_lists", "subsidies:relief_export_tax")
    make_institution(operating_mode="community", filed=True, filed_on=FILED)
    for name in names:
        count(name)  # warm
    few = {name: count(name) for name in names}
    for _ in range(6):
        make_institution(operating_mode="social", filed=True, filed_on=FILED)
    assert {name: count(name) for name in names} == few
