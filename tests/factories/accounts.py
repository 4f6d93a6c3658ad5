"""Departments, users of every scope kind, and API tokens — through accounts' services
(`departments_load`, `user_create`, `api_token_issue`), so that they are what the running
platform would store, audit events included."""

from __future__ import annotations

from functools import lru_cache

import factory
from factory.django import DjangoModelFactory

from tests.factories.regions import TownshipFactory
from tuoyu.accounts.models import ApiToken, Department, User
from tuoyu.accounts.services import DATA_DIR, api_token_issue, departments_load, user_create

PASSWORD = "pass-word-2020"

# The arguments of accounts.services.user_create; other fields are set after creation.
_USER_CREATE_ARGS = (
    "acting_user",
    "username",
    "password",
    "display_name",
    "department",
    "township",
    "institution",
    "is_staff",
    "password_hash",
)


@lru_cache(maxsize=1)
def shipped_department_codes() -> frozenset[str]:
    """The codes of accounts/data/departments.yaml (P-ORG-2)."""
    import yaml

    rows = yaml.safe_load((DATA_DIR / "departments.yaml").read_text(encoding="utf-8"))
    return frozenset(row["code"] for row in rows)


class DepartmentFactory(DjangoModelFactory):
    """A department by code (default 区卫健局 `health`). A shipped code is got, or all the
    shipped departments are loaded first (`departments_load`), so names, duties, review
    subjects and registration authorities are the real ones. Any other code makes a plain
    department with the given fields."""

    class Meta:
        model = Department

    code = "health"
    name = factory.LazyAttribute(lambda o: f"测试部门{o.code}")

    @classmethod
    def _create(cls, model_class, *args, code, **kwargs):
        department = model_class.objects.filter(code=code).first()
        if department is None and code in shipped_department_codes():
            departments_load()
            department = model_class.objects.get(code=code)
        if department is None:
            department = model_class.objects.create(code=code, **kwargs)
        return department


class UserFactory(DjangoModelFactory):
    """An account created with `user_create` (password hashed, creation audited). Without
    a department, township or institution it has the system scope (platform operators);
    the subclasses below give each scope kind."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n:04d}")
    password = PASSWORD
    display_name = ""
    department = None
    township = None
    institution = None
    is_staff = False

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        create_args = {k: kwargs.pop(k) for k in _USER_CREATE_ARGS if k in kwargs}
        user = user_create(**create_args)
        if kwargs:
            for field, value in kwargs.items():
                setattr(user, field, value)
            user.save(update_fields=list(kwargs))
        return user


class DepartmentUserFactory(UserFactory):
    """A user of a district department: `DepartmentUserFactory(department__code="finance")`."""

    username = factory.Sequence(lambda n: f"bumen{n:04d}")
    department = factory.SubFactory(DepartmentFactory)


class TownshipUserFactory(UserFactory):
    """A user of a township (default 多湖街道)."""

    username = factory.Sequence(lambda n: f"zhen{n:04d}")
    township = factory.SubFactory(TownshipFactory)


class InstitutionUserFactory(UserFactory):
    """The account of an institution (a new one in 多湖街道 unless given)."""

    username = factory.Sequence(lambda n: f"jg{n:04d}")
    institution = factory.SubFactory("tests.factories.institutions.InstitutionFactory")


class SystemUserFactory(UserFactory):
    """A platform operator: system scope, staff."""

    username = factory.Sequence(lambda n: f"yunwei{n:04d}")
    is_staff = True


class ApiTokenFactory(DjangoModelFactory):
    """A bearer token issued with `api_token_issue`; the clear token is on `.raw` (it is
    never stored)."""

    class Meta:
        model = ApiToken

    user = factory.SubFactory(DepartmentUserFactory)
    name = "测试"
    acting_user = None

    @classmethod
    def _create(cls, model_class, *args, user, name, acting_user=None):
        token, raw = api_token_issue(user=user, name=name, acting_user=acting_user)
        token.raw = raw
        return token
