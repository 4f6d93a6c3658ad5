"""Scope isolation of institutions ([house] point 4, `tuoyu.institutions.scopes`): a user of
one township or one institution never sees another's institutions."""

import pytest

from tests.factories import InstitutionFactory
from tuoyu.core.scope import scope_of
from tuoyu.institutions.models import Institution
from tuoyu.institutions.scopes import institutions_visible


@pytest.fixture
def world(make_user, district, health_user, education_user, township_user, system_user):
    a = InstitutionFactory(township=district["duohu"])
    b = InstitutionFactory(township=district["dongxiao"])
    return {
        "a": a,
        "b": b,
        "weijian": health_user,
        "jiaoti": education_user,
        "duohu": township_user,
        "dongxiao": make_user("dongxiao", township="dongxiao"),
        "inst_a": make_user("jg01", institution=a),
        "inst_b": make_user("jg02", institution=b),
        "ops": system_user,
    }


def _visible(user):
    visible = institutions_visible(Institution.objects.all(), scope_of(user))
    return set(visible.values_list("pk", flat=True))


def test_district_departments_see_every_institution(world):
    both = {world["a"].pk, world["b"].pk}
    assert _visible(world["weijian"]) == both
    assert _visible(world["jiaoti"]) == both


def test_township_sees_only_its_own_institutions(world):
    assert _visible(world["duohu"]) == {world["a"].pk}
    assert _visible(world["dongxiao"]) == {world["b"].pk}


def test_institution_sees_only_itself(world):
    assert _visible(world["inst_a"]) == {world["a"].pk}
    assert _visible(world["inst_b"]) == {world["b"].pk}


def test_system_operators_see_no_domain_data(world):
    assert _visible(world["ops"]) == set()


def test_anonymous_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert _visible(AnonymousUser()) == set()


def test_inactive_user_sees_nothing(world):
    user = world["duohu"]
    user.is_active = False
    assert _visible(user) == set()
