"""Scopes: accounts gives every user exactly one scope (`tuoyu.core.scope.Scope`), and
the pages and the audit log follow it. What each app shows within a scope is tested where
its rule lives (e.g. institutions/tests/test_scopes.py for `institutions_visible`)."""

import pytest

from tests.factories import InstitutionFactory
from tuoyu.accounts.models import User
from tuoyu.audit.models import AuditEvent
from tuoyu.audit.selectors import audit_events
from tuoyu.audit.services import audit_record
from tuoyu.core.scope import NO_SCOPE, ScopeKind, scope_of


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


def test_department_users_act_for_the_whole_district(world):
    health, education = scope_of(world["weijian"]), scope_of(world["jiaoti"])
    assert health.kind == ScopeKind.DEPARTMENT and health.user_id == world["weijian"].pk
    assert health.is_district and health.is_health_bureau
    assert health.department_code == "health" and health.review_subjects == ("health_care",)
    assert health.registration_authority is None
    assert education.is_district and not education.is_health_bureau
    assert education.registration_authority == "education"
    for scope in (health, education):
        assert (scope.township_id, scope.institution_id) == (None, None)


def test_township_users_act_for_their_own_township_only(world, district):
    for key in ("duohu", "dongxiao"):
        scope = scope_of(world[key])
        assert scope.kind == ScopeKind.TOWNSHIP and scope.is_township and not scope.is_district
        assert (scope.township_id, scope.township_code) == (district[key].pk, district[key].code)
        assert (scope.department_code, scope.institution_id) == (None, None)


def test_institution_users_act_for_their_own_institution_only(world):
    for user, institution in (("inst_a", "a"), ("inst_b", "b")):
        scope = scope_of(world[user])
        assert scope.kind == ScopeKind.INSTITUTION and scope.is_institution
        assert scope.institution_id == world[institution].pk
        assert (scope.department_code, scope.township_id) == (None, None)


def test_system_operators_have_the_system_scope(world):
    scope = scope_of(world["ops"])
    assert scope.kind == ScopeKind.SYSTEM and scope.is_system and not scope.is_district
    assert (scope.department_code, scope.township_id, scope.institution_id) == (None,) * 3


def test_anonymous_has_no_scope(world):
    from django.contrib.auth.models import AnonymousUser

    assert scope_of(AnonymousUser()) == NO_SCOPE


def test_inactive_user_has_no_scope(world):
    user = world["duohu"]
    user.is_active = False
    assert scope_of(user) == NO_SCOPE


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
    audit_record(action="filings.material.uploaded", actor=world["inst_a"])
    audit_record(action="filings.material.downloaded", actor=world["inst_b"])
    seen_by_a = set(audit_events(acting_user=world["inst_a"]).values_list("action", flat=True))
    assert (
        "filings.material.uploaded" in seen_by_a and "filings.material.downloaded" not in seen_by_a
    )
    seen_by_health = set(
        audit_events(acting_user=world["weijian"]).values_list("action", flat=True)
    )
    assert {"filings.material.uploaded", "filings.material.downloaded"} <= seen_by_health
    assert AuditEvent.objects.count() >= 2


@pytest.mark.parametrize(
    ("username", "path", "status"),
    [
        ("jg01", "/audit/", 403),
        ("duohu", "/audit/", 403),
        ("weijian", "/audit/", 200),
        ("yunwei", "/audit/", 200),
        ("jg01", "/accounts/leading-group/", 403),
        ("duohu", "/accounts/leading-group/", 200),
        ("jg01", "/accounts/tokens/", 200),
    ],
)
def test_pages_follow_role_permissions(client, world, username, path, status):
    client.force_login(world[{"jg01": "inst_a", "yunwei": "ops"}.get(username, username)])
    assert client.get(path).status_code == status
