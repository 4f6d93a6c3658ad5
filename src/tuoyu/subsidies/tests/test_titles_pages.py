"""区卫健局's demonstration titles page (list, filters, record form) and the entitlement
page (P-SUB-1..3): who sees what, errors next to fields, input kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import (
    AffordableDesignationFactory,
    CareClassFactory,
    DemonstrationTitleFactory,
)
from tuoyu.subsidies.models import DemonstrationTitle

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def filed(make_institution):
    inst = make_institution(name="金东区春苗托育有限公司", filed=True, filed_on=D(2021, 1, 4))
    AffordableDesignationFactory(institution=inst, starts_on=D(2021, 1, 4))
    CareClassFactory(
        institution=inst, class_type="mixed", capacity=30, status="filed", filed_on=D(2021, 3, 1)
    )
    return inst


def test_health_records_a_title_by_uscc(client, health_user, filed):
    client.force_login(health_user)
    response = client.post(
        reverse("subsidies:titles"),
        {
            "institution": filed.uscc,
            "level": "municipal",
            "conferred_on": "2022-05-01",
            "document_ref": "金市卫〔2022〕8号",
        },
    )
    assert response.status_code == 302
    title = DemonstrationTitle.objects.get()
    assert (title.institution, title.level) == (filed, "municipal")
    page = client.get(reverse("subsidies:titles"))
    assert "金东区春苗托育有限公司" in page.content.decode()
    assert "市级示范托育机构" in page.content.decode()


def test_by_name_and_errors_next_to_fields_input_kept(client, health_user, filed):
    client.force_login(health_user)
    DemonstrationTitleFactory(institution=filed, level="municipal")
    response = client.post(
        reverse("subsidies:titles"),
        {
            "institution": "金东区春苗托育有限公司",
            "level": "municipal",
            "conferred_on": "2023-05-01",
            "document_ref": "金市卫〔2023〕1号",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-field="level"' in html and "该机构已记录此级别的示范称号" in html
    assert 'value="金市卫〔2023〕1号"' in html  # input kept
    unknown = client.post(
        reverse("subsidies:titles"),
        {
            "institution": "不存在的机构",
            "level": "provincial",
            "conferred_on": "2023-05-01",
            "document_ref": "x",
        },
    )
    assert 'data-field="institution"' in unknown.content.decode()


def test_list_filters_by_level_and_year(client, health_user, make_institution):
    client.force_login(health_user)
    a = make_institution(name="甲托育", filed=True, filed_on=D(2021, 1, 4))
    b = make_institution(name="乙托育", filed=True, filed_on=D(2021, 1, 4))
    DemonstrationTitleFactory(institution=a, level="municipal", conferred_on=D(2022, 5, 1))
    DemonstrationTitleFactory(institution=b, level="provincial", conferred_on=D(2024, 5, 1))

    def table(params):
        html = client.get(reverse("subsidies:titles"), params).content.decode()
        return html[html.index('data-testid="titles"') :]

    html = table({"level": "provincial"})
    assert "乙托育" in html and "甲托育" not in html
    html = table({"year": "2022"})
    assert "甲托育" in html and "乙托育" not in html


@pytest.mark.parametrize("who", ["finance_user", "township_user"])
def test_titles_page_for_health_only(request, client, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("subsidies:titles")).status_code == 403


@pytest.mark.parametrize("who", ["health_user", "finance_user"])
def test_entitlement_page_item_by_item(request, client, who, filed):
    """P-SUB-1 ¥50,000 (class filed 2021-03-01 while affordable) + P-SUB-2 for
    2021-03-01..12-31 (306 days × 30 × 1600 / 365 = ¥40,241.10) = ¥90,241.10."""
    client.force_login(request.getfixturevalue(who))
    url = reverse("subsidies:entitlement", kwargs={"uscc": filed.uscc})
    html = client.get(url, {"year": "2021"}).content.decode()
    assert "50,000.00" in html and "40,241.10" in html and "90,241.10" in html
    assert "P-SUB-1" in html and "新增托育班级一次性建设补助" in html
    assert "2021-03-01 至 2021-12-31：30 个备案托位" in html
    assert "金区政办" in html or "V2020-36" in html


def test_institution_sees_its_own_only(client, make_user, filed, make_institution):
    own = make_user("chunmiao", institution=filed)
    client.force_login(own)
    assert (
        client.get(reverse("subsidies:entitlement", kwargs={"uscc": filed.uscc})).status_code == 200
    )
    other = make_institution(filed=True, filed_on=D(2021, 1, 4))
    assert (
        client.get(reverse("subsidies:entitlement", kwargs={"uscc": other.uscc})).status_code == 404
    )


def test_entitlement_page_refused_for_other_departments(client, education_user, filed):
    client.force_login(education_user)
    url = reverse("subsidies:entitlement", kwargs={"uscc": filed.uscc})
    assert client.get(url).status_code == 403


def test_entitlement_page_bad_year_in_words(client, health_user, filed):
    client.force_login(health_user)
    url = reverse("subsidies:entitlement", kwargs={"uscc": filed.uscc})
    response = client.get(url, {"year": "2019"})
    assert response.status_code == 422
    assert 'data-code="year_out_of_range"' in response.content.decode()
    assert "2019 年不在其内" in response.content.decode()
