"""The policy page: parameters in force on a date, with P-ids and sources (login required)."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tuoyu import policy

pytestmark = pytest.mark.django_db

URL = "/policy/"


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Pages render without a collected static manifest (no `collectstatic` in tests)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def user():
    """Any signed-in account (here one of the system scope, not staff)."""
    return UserFactory(username="policy-reader")


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def test_url_name():
    assert reverse("policy:show") == URL


def test_login_required(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "next=/policy/" in response["Location"]


def test_p_sub_1_page_shows_the_amount_its_p_id_and_source(signed_in):
    """P-SUB-1 on 2023-07-31: 50000 元 with its P-id, source and the version in force."""
    response = signed_in.get(URL, {"date": "2023-07-31"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "政策参数" in html
    assert "普惠性托育机构每增设 1 个班补助" in html
    assert "50000 元" in html
    assert "P-SUB-1" in html
    assert "金区政办〔2020〕36号 三（五）13" in html
    assert "每个级别各奖励一次" in html
    assert "V2020-36" in html
    # the version list shows every version with its range, also the one not in force
    assert "V2023-1" in html and "2026-07-31" in html


def test_p_v2023_1_page_on_2023_08_01_shows_the_new_rule(signed_in):
    html = signed_in.get(URL, {"date": "2023-08-01"}).content.decode()
    assert "按达到的最高级别奖励一次，晋级补差额" in html
    assert "200000 元" in html and "500000 元" in html
    assert "P-V2023-1" in html
    assert "后列版本覆盖前列版本中的同名参数" in html


def test_unverified_numbers_are_highlighted(signed_in):
    """[U] parameters carry the 待核实 badge and a highlighted row."""
    html = signed_in.get(URL, {"date": "2024-01-01"}).content.decode()
    assert "U · 待核实" in html
    assert 'class="table-warning" data-key="standards.area_per_child_m2"' in html
    assert "平台决定" in html


def test_default_date_is_today_in_asia_shanghai(signed_in):
    response = signed_in.get(URL)
    assert response.status_code == 200
    assert response.context["page"].day == policy.today()


@pytest.mark.parametrize("bad", ["2023-13-01", "yesterday", "2023/08/01", "20230801"])
def test_bad_date_shows_a_chinese_error_not_a_500(signed_in, bad):
    response = signed_in.get(URL, {"date": bad})
    assert response.status_code == 400
    html = response.content.decode()
    assert "格式不正确" in html and "YYYY-MM-DD" in html
    assert 'data-testid="policy-error"' in html
    assert "V2020-36" in html  # the version list is still shown


def test_date_before_every_version_shows_the_coverage(signed_in):
    response = signed_in.get(URL, {"date": "2019-06-01"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "2019-06-01 没有生效的政策版本" in html
    assert "2020-10-31 起" in html
    assert "P-SUB-1" not in html


def test_p_std_5_page_for_2021_06_01_shows_no_home_care_point_limits(signed_in):
    """Issue #7 point 8: the home-care-point limits (家庭托育点管理办法（试行）, 2023-11-14) are
    not shown, because not in force, on 2021-06-01; the vaccination check (2021-02-09) is."""
    html = signed_in.get(URL, {"date": "2021-06-01"}).content.decode()
    assert 'data-key="standards.home_care_point_max_children"' not in html
    assert 'data-key="standards.home_care_point_children_per_caregiver"' not in html
    assert "家庭托育点收托人数不超过" not in html
    assert "家庭托育点每名照护人员照护不超过" not in html
    assert 'data-key="health.vaccination_check_within_days"' in html
    assert 'data-key="standards.min_age_months"' in html  # the base rules are there


def test_p_std_5_page_for_2024_01_01_shows_the_home_care_point_limits(signed_in):
    html = signed_in.get(URL, {"date": "2024-01-01"}).content.decode()
    assert 'data-key="standards.home_care_point_max_children"' in html
    assert "家庭托育点收托人数不超过" in html and "家庭托育点每名照护人员照护不超过" in html
    assert "V2023-HCP" in html and "新版本引入" in html


def test_p_hc_4_page_before_2021_02_09_shows_no_vaccination_check(signed_in):
    html = signed_in.get(URL, {"date": "2021-01-01"}).content.decode()
    assert 'data-key="health.vaccination_check_within_days"' not in html


@pytest.mark.django_db
def test_lists_of_codes_read_as_words(client, health_user):
    """A parameter holding a list of codes (P-SUB-1 eligibility rules, P-TAX-1 community care
    modes) shows their words in the data's order, never a Python tuple of codes."""
    client.force_login(health_user)
    html = client.get(URL, {"date": "2025-01-01"}).content.decode()
    assert "补助所涉日期已备案且未注销、未列入黑名单、无未关闭的严重问题整改通知" in html
    assert "社区统筹、社会兴办、公办民营、民办公助、家庭照护（家庭托育点）" in html
    assert "('community'" not in html and "filed_on_dates" not in html
