"""The regions pages: scope per role, template download, import with the error report."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tuoyu.regions.models import RegionYearStatistic
from tuoyu.regions.services import IMPORT_HEADERS, region_statistics_import

from .conftest import DISTRICT, JINDONG_TOWNSHIPS, stat_row, xlsx

pytestmark = pytest.mark.django_db

DUOHU = "330703001"
LIST = "/regions/"


def rows_shown(response) -> list[str]:
    return re.findall(r'<tr data-region="(\d+)"', response.content.decode())


def test_url_names():
    assert reverse("regions:list") == LIST
    assert reverse("regions:detail", args=[DUOHU]) == f"/regions/{DUOHU}/"
    assert reverse("regions:statistics_template") == "/regions/statistics/template.xlsx"
    assert reverse("regions:statistics_import") == "/regions/statistics/import/"


def test_health_bureau_sees_the_district_and_its_eleven_townships(
    client, health_user, jindong, good_rows
):
    region_statistics_import(acting_user=health_user, file=xlsx(good_rows))
    client.force_login(health_user)

    response = client.get(LIST)

    assert response.status_code == 200
    assert rows_shown(response) == [*JINDONG_TOWNSHIPS, DISTRICT]
    html = response.content.decode()
    assert "多湖街道" in html and "源东乡" in html
    assert "96.0%" in html  # 1,200 / 1,250, numerator and denominator shown together
    assert re.search(r"1,?200 / 1,?250", html)
    assert reverse("regions:statistics_import") in html
    assert reverse("regions:statistics_template") in html


def test_year_selector_picks_the_year(client, health_user, jindong):
    region_statistics_import(
        acting_user=health_user,
        file=xlsx([stat_row(DUOHU, 2022, resident_population=43_210), stat_row(DUOHU, 2024)]),
    )
    client.force_login(health_user)

    latest = client.get(LIST).content.decode()
    chosen = client.get(LIST, {"year": 2022}).content.decode()

    assert re.search(r"50,?000", latest) and not re.search(r"43,?210", latest)
    assert re.search(r"43,?210", chosen)
    assert '<option value="2022" selected>' in chosen


def test_township_user_sees_only_own_township(
    client, jindong, township_user, health_user, good_rows
):
    """Township users see their own township only (scope in selectors)."""
    region_statistics_import(acting_user=health_user, file=xlsx(good_rows))
    client.force_login(township_user)

    response = client.get(LIST)

    assert response.status_code == 200
    assert rows_shown(response) == [DUOHU]
    html = response.content.decode()
    assert "东孝街道" not in html
    assert reverse("regions:statistics_import") not in html
    assert client.get(f"/regions/{DUOHU}/").status_code == 200
    assert client.get("/regions/330703002/").status_code == 404
    assert client.get(f"/regions/{DISTRICT}/").status_code == 404
    assert client.get(reverse("regions:statistics_import")).status_code == 403
    assert client.get(reverse("regions:statistics_template")).status_code == 403


def test_institution_user_is_denied(client, institution_user):
    client.force_login(institution_user)
    assert client.get(LIST).status_code == 403
    assert client.get(f"/regions/{DUOHU}/").status_code == 403
    assert client.get(reverse("regions:statistics_import")).status_code == 403


def test_other_department_sees_but_cannot_import(client, education_user, jindong):
    client.force_login(education_user)
    response = client.get(LIST)
    assert response.status_code == 200
    assert len(rows_shown(response)) == 12
    assert reverse("regions:statistics_import") not in response.content.decode()
    assert client.get(reverse("regions:statistics_import")).status_code == 403
    response = client.post(reverse("regions:statistics_import"), {"file": xlsx([])})
    assert response.status_code == 403


def test_anonymous_is_sent_to_login(client, jindong):
    response = client.get(LIST)
    assert response.status_code == 302
    assert "next=/regions/" in response["Location"]


def test_township_detail_lists_villages_paginated(client, health_user, jindong):
    client.force_login(health_user)
    response = client.get(f"/regions/{DUOHU}/", {"per_page": 20})
    assert response.status_code == 200
    page = response.context["page"]
    assert page.paginator.count == jindong.children.get(code=DUOHU).children.count()
    assert len(page.object_list) == 20
    assert "王坦社区居委会" in response.content.decode()


def test_district_detail_shows_history_and_townships(client, health_user, jindong):
    region_statistics_import(
        acting_user=health_user, file=xlsx([stat_row(c, 2023) for c in JINDONG_TOWNSHIPS])
    )
    client.force_login(health_user)
    response = client.get(f"/regions/{DISTRICT}/")
    assert response.status_code == 200
    history = response.context["history"]
    assert [(f.year, f.derived, f.resident_population) for f in history] == [(2023, True, 550_000)]
    assert len(response.context["children"]) == 11
    assert client.get("/regions/330703999/").status_code == 404


def test_template_download_is_prefilled_with_the_townships(client, health_user, jindong):
    client.force_login(health_user)
    response = client.get(reverse("regions:statistics_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(BytesIO(response.content))
    assert wb.sheetnames == ["统计数据", "填写说明"]
    rows = list(wb["统计数据"].iter_rows(values_only=True))
    assert rows[0] == IMPORT_HEADERS
    year = timezone.localdate().year
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [
        (code, name, year) for code, name in JINDONG_TOWNSHIPS.items()
    ]
    notes = "\n".join(str(c) for r in wb["填写说明"].iter_rows(values_only=True) for c in r)
    assert "应管理儿童数" in notes and "4-2-2" in notes


def test_filled_template_imports_through_the_page(client, health_user, jindong):
    client.force_login(health_user)
    wb = load_workbook(BytesIO(client.get(reverse("regions:statistics_template")).content))
    ws = wb["统计数据"]
    for row in ws.iter_rows(min_row=2):
        for cell, value in zip(row[3:], stat_row(DUOHU)[3:], strict=True):
            cell.value = value
    out = BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "filled.xlsx"

    response = client.post(reverse("regions:statistics_import"), {"file": out}, follow=True)

    assert response.status_code == 200
    year = timezone.localdate().year
    assert response.redirect_chain[-1][0] == f"{LIST}?year={year}"
    assert "导入成功" in response.content.decode()
    assert RegionYearStatistic.objects.filter(year=year).count() == 11


def test_import_page_shows_every_error_and_imports_nothing(client, health_user, jindong):
    client.force_login(health_user)
    bad = xlsx([stat_row(DUOHU), stat_row("330703999"), stat_row(DUOHU, births=-1)])

    response = client.post(reverse("regions:statistics_import"), {"file": bad})

    assert response.status_code == 200
    html = response.content.decode()
    assert "未导入任何数据" in html
    table = re.findall(
        r'<tr data-code="(\w+)"><td>(\d+)</td><td>([^<]+)</td><td>([^<]+)</td>', html
    )
    assert [(code, row, column) for code, row, column, _ in table] == [
        ("unknown_region", "3", "区划代码"),
        ("negative_value", "4", "出生人数"),
        ("duplicate_row", "4", "区划代码"),
    ]
    assert "不是本区或所辖镇乡街道的代码" in table[0][3]
    assert RegionYearStatistic.objects.count() == 0


def test_import_page_without_file_shows_form_error(client, health_user, jindong):
    client.force_login(health_user)
    response = client.post(reverse("regions:statistics_import"), {})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert RegionYearStatistic.objects.count() == 0


def test_platform_operator_downloads_a_prefilled_template_and_imports(client, system_user, jindong):
    """Operators hold `regions.import_statistics` but see no domain data pages."""
    client.force_login(system_user)
    assert client.get(LIST).status_code == 403
    response = client.get(reverse("regions:statistics_template"), {"year": 2024})
    ws = load_workbook(BytesIO(response.content))["统计数据"]
    assert [r[0] for r in ws.iter_rows(min_row=2, values_only=True)] == list(JINDONG_TOWNSHIPS)

    response = client.post(reverse("regions:statistics_import"), {"file": xlsx([stat_row(DUOHU)])})

    assert response.status_code == 302
    assert response["Location"] == reverse("regions:statistics_import")
    assert RegionYearStatistic.objects.filter(region__code=DUOHU, year=2024).exists()
