"""Fixtures shared by every test: departments, one user per role, API clients."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault(
    "TUOYU_STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage"
)
# Playwright's sync API runs an event loop in the test thread; Django's async-safety check
# would then refuse ORM calls from fixtures.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DISTRICT = "330703"


def pytest_configure(config):
    from django.conf import settings

    # WhiteNoise warns when STATIC_ROOT does not exist; tests serve static files via finders
    # and need no collected manifest.
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    # Password hashing at full strength dominates test time and proves nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def district(db):
    """The Jindong region tree (P-REG-1): district, 2 townships and a village each."""
    from tuoyu.regions.models import Region

    province = Region.objects.create(code="33", name="浙江省", level="province")
    city = Region.objects.create(code="3307", name="金华市", level="city", parent=province)
    dist = Region.objects.create(code=DISTRICT, name="金东区", level="district", parent=city)
    duohu = Region.objects.create(code="330703001", name="多湖街道", level="township", parent=dist)
    dongxiao = Region.objects.create(
        code="330703002", name="东孝街道", level="township", parent=dist
    )
    Region.objects.create(code="330703001001", name="光明社区居委会", level="village", parent=duohu)
    Region.objects.create(code="330703002201", name="东孝村委会", level="village", parent=dongxiao)
    return {"district": dist, "duohu": duohu, "dongxiao": dongxiao}


@pytest.fixture
def departments(db):
    from tuoyu.accounts.models import Department
    from tuoyu.accounts.services import departments_load

    departments_load()
    return {d.code: d for d in Department.objects.all()}


@pytest.fixture
def make_institution(district):
    from django.utils import timezone

    from tuoyu.core.identifiers import make_uscc
    from tuoyu.institutions.models import Institution

    counter = {"n": 0}

    def make(*, township=None, name=None, **kwargs):
        counter["n"] += 1
        n = counter["n"]
        uscc = kwargs.pop("uscc", None) or make_uscc("9", "1", DISTRICT, f"MA2H{n:04d}")
        return Institution.objects.create(
            uscc=uscc,
            name=name or f"金华市金东区测试{n}号托育有限公司",
            legal_form=kwargs.pop("legal_form", "company"),
            for_profit=kwargs.pop("for_profit", True),
            township=township or district["duohu"],
            registration_authority=kwargs.pop("registration_authority", "market_regulation"),
            registered_at=kwargs.pop("registered_at", timezone.now()),
            **kwargs,
        )

    return make


@pytest.fixture
def make_user(departments, district):
    from tuoyu.accounts.services import user_create

    def make(
        username: str,
        *,
        department: str | None = None,
        township: str | None = None,
        institution=None,
        password: str = "pass-word-2020",
        **kwargs,
    ):
        return user_create(
            username=username,
            password=password,
            department=departments[department] if department else None,
            township=district[township] if township else None,
            institution=institution,
            **kwargs,
        )

    return make


@pytest.fixture
def api_client(client):
    """`api_client(user)` → a client whose requests carry a fresh bearer token."""
    from django.test import Client

    from tuoyu.accounts.services import api_token_issue

    def make(user):
        _, raw = api_token_issue(user=user, name="测试")
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return make
