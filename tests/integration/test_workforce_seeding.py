"""The district demo's rosters (workforce.seeding): valid IDs, every filed institution
staffed, a health worker listed twice, a banned person who was tried, certificates near
expiry — and the pages of 区卫健局 work on it."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from tuoyu.accounts.models import User
from tuoyu.core.identifiers import validate_id_number
from tuoyu.workforce import selectors
from tuoyu.workforce.models import Ban, BanAttempt, Person, StaffMember


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed", "--scale", "district", "--seed", "3", "--quiet", stdout=io.StringIO())
        yield
        call_command("flush", "--noinput", verbosity=0)


pytestmark = pytest.mark.django_db


def test_demo_rosters(demo):
    assert StaffMember.objects.count() > 50
    person = Person.objects.order_by("pk").first()
    assert validate_id_number(person.id_number.reveal()).startswith("330703")
    health = User.objects.get(username="weijian")
    assert len(selectors.double_posts(acting_user=health)) == 1
    assert BanAttempt.objects.count() == 1 and Ban.objects.filter(status="in_force").count() == 3
    assert selectors.expiring(acting_user=health)


def test_demo_pages(demo, client):
    client.force_login(User.objects.get(username="weijian"))
    for name in ("gaps", "expiry", "certification", "bans", "attempts"):
        assert client.get(reverse(f"workforce:{name}")).status_code == 200, name
    client.force_login(User.objects.get(username="renshe"))
    assert client.get(reverse("workforce:trainings"), {"download": 1}).status_code == 200
