"""The demo district: `tuoyu seed --scale district` and every demo account of API-CONTRACT §7
logging in and seeing only its scope (P-REG-1, P-ORG-2)."""

import io

import pytest
from django.core.management import call_command

from tuoyu.accounts.models import User
from tuoyu.audit.selectors import audit_chain_verify
from tuoyu.core.scope import scope_of
from tuoyu.institutions.models import Institution
from tuoyu.institutions.scopes import institutions_visible
from tuoyu.regions.models import Region

DEMO_PASSWORD = "demo-pass-2020"
CONTRACT_ACCOUNTS = {
    "weijian": "区卫健局",
    "jiaoti": "区教体局",
    "minzheng": "区民政局",
    "shiyedengji": "区事业单位登记管理局",
    "shichang": "区市场监管局",
    "caizheng": "区财政局",
    "xiaofang": "区消防救援大队",
    "duohu": "多湖街道",
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed", "--scale", "district", "--seed", "1", "--quiet", stdout=io.StringIO())
        yield
        from django.core.management import call_command as cc

        # Module-scoped data: leave the test database empty for the tests that follow.
        cc("flush", "--noinput", verbosity=0)


pytestmark = pytest.mark.django_db


def test_region_tree_is_jindong(demo):
    assert Region.objects.filter(code__startswith="330703", level="township").count() == 11
    assert Region.objects.filter(code__startswith="330703", level="village").count() == 361


def test_demo_accounts_command_lists_contract_accounts(demo):
    out = io.StringIO()
    call_command("demo_accounts", stdout=out)
    rows = [line.split("\t") for line in out.getvalue().splitlines()]
    by_name = {r[0]: r for r in rows}
    for username, scope_name in CONTRACT_ACCOUNTS.items():
        assert by_name[username][2] == scope_name
    assert by_name["duohu"][3] == "330703001"
    assert by_name["weijian"][3] == "330703"
    institution_rows = [r for r in rows if r[1] == "institution"]
    assert len(institution_rows) == Institution.objects.count() >= 30
    usccs = set(Institution.objects.values_list("uscc", flat=True))
    assert {r[3] for r in institution_rows} == usccs


@pytest.mark.parametrize("username", [*CONTRACT_ACCOUNTS, "jg01", "jg02"])
def test_every_demo_account_logs_in_and_sees_only_its_scope(client, demo, username):
    response = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    home = client.get("/")
    assert home.status_code == 200
    user = User.objects.get(username=username)
    assert user.scope_label in home.content.decode()
    visible = institutions_visible(Institution.objects.all(), scope_of(user))
    if user.scope_kind == "department":
        assert visible.count() == Institution.objects.count()
    elif user.scope_kind == "township":
        assert visible.count() > 0
        assert set(visible.values_list("township__code", flat=True)) == {"330703001"}
    else:
        assert list(visible) == [user.institution]


def test_seed_is_deterministic_and_audited(demo):
    usccs = list(Institution.objects.order_by("uscc").values_list("uscc", "name"))
    assert audit_chain_verify().ok
    # A second run on a populated database changes nothing.
    call_command("seed", "--scale", "district", "--seed", "1", "--if-empty", stdout=io.StringIO())
    assert list(Institution.objects.order_by("uscc").values_list("uscc", "name")) == usccs


def test_demo_has_institutions_in_every_state(demo):
    """Issue institutions, done-when: the demo data contains institutions in every state
    (P-REG-12 workflow, P-FIL-3 cancellation, P-REG-13 chains, P-MODE-2 affordable)."""
    from tuoyu.filings.models import FilingApplication
    from tuoyu.institutions.models import AffordableDesignation, ChainAgreement

    statuses = set(Institution.objects.values_list("filing_status", flat=True))
    assert statuses >= {"not_filed", "in_review", "filed", "cancelled"}
    application_states = set(FilingApplication.objects.values_list("kind", "status"))
    for state in ["draft", "in_review", "returned", "awaiting_decision", "approved"]:
        assert ("initial", state) in application_states, state
    assert any(kind == "change" for kind, _ in application_states)
    assert ("cancellation", "approved") in application_states
    assert Institution.objects.filter(registration_status="deregistered").exists()
    assert AffordableDesignation.objects.exists()
    assert ChainAgreement.objects.filter(branches__isnull=False).exists()
