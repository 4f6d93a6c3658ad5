"""Scope isolation: a user of one township or one institution never sees another's data."""

import pytest

from tuoyu.accounts.models import User
from tuoyu.accounts.scopes import scope_for
from tuoyu.audit.models import AuditEvent
from tuoyu.audit.selectors import audit_events
from tuoyu.audit.services import audit_record
from tuoyu.institutions.models import Institution


@pytest.fixture
def world(make_user, make_institution, district):
    a = make_institution(township=district["duohu"])
    b = make_institution(township=district["dongxiao"])
    return {
        "a": a,
        "b": b,
        "weijian": make_user("weijian", department="health"),
        "jiaoti": make_user("jiaoti", department="education"),
        "duohu": make_user("duohu", township="duohu"),
        "dongxiao": make_user("dongxiao", township="dongxiao"),
        "inst_a": make_user("jg01", institution=a),
        "inst_b": make_user("jg02", institution=b),
        "ops": make_user("pingtai", is_staff=True),
    }


def _visible(user):
    return set(scope_for(user).institutions(Institution.objects.all()).values_list("pk", flat=True))


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


def test_user_must_have_exactly_one_scope(world, departments):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(
            username="both",
            scope_kind="department",
            department=departments["health"],
            institution=world["a"],
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="none", scope_kind="township")


def test_audit_log_visibility(world):
    audit_record(action="x.by_inst_a", actor=world["inst_a"])
    audit_record(action="x.by_inst_b", actor=world["inst_b"])
    seen_by_a = set(audit_events(acting_user=world["inst_a"]).values_list("action", flat=True))
    assert "x.by_inst_a" in seen_by_a and "x.by_inst_b" not in seen_by_a
    seen_by_health = set(
        audit_events(acting_user=world["weijian"]).values_list("action", flat=True)
    )
    assert {"x.by_inst_a", "x.by_inst_b"} <= seen_by_health
    assert AuditEvent.objects.count() >= 2


@pytest.mark.parametrize(
    ("username", "path", "status"),
    [
        ("jg01", "/audit/", 403),
        ("duohu", "/audit/", 403),
        ("weijian", "/audit/", 200),
        ("pingtai", "/audit/", 200),
        ("jg01", "/accounts/leading-group/", 403),
        ("duohu", "/accounts/leading-group/", 200),
        ("jg01", "/accounts/tokens/", 200),
    ],
)
def test_pages_follow_role_permissions(client, world, username, path, status):
    client.force_login(world[{"jg01": "inst_a", "pingtai": "ops"}.get(username, username)])
    assert client.get(path).status_code == status
