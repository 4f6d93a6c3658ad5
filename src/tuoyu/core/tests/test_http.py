"""[hardening] point 4: the client's address behind reverse proxies. Only the proxies of
TUOYU_PROXY_IPS are believed; X-Forwarded-For is read from the right and the first hop no
trusted proxy owns is the client (what the client wrote to the left of it is not believed)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from tuoyu.core.http import client_ip


def _request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_configured_proxies_forwarding_is_ignored(settings):
    settings.TUOYU_PROXY_IPS = []
    assert client_ip(_request("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


def test_the_old_all_or_nothing_switch_is_gone(settings):
    """TUOYU_TRUST_X_FORWARDED_FOR believed the left-most, client-written hop."""
    settings.TUOYU_PROXY_IPS = []
    settings.TUOYU_TRUST_X_FORWARDED_FOR = True
    assert client_ip(_request("10.0.0.2", "6.6.6.6, 198.51.100.7")) == "10.0.0.2"


def test_behind_a_trusted_proxy_each_client_has_its_own_address(settings):
    settings.TUOYU_PROXY_IPS = ["10.0.0.2"]
    assert client_ip(_request("10.0.0.2", "198.51.100.7")) == "198.51.100.7"
    assert client_ip(_request("10.0.0.2", "198.51.100.8")) == "198.51.100.8"


def test_the_client_cannot_choose_its_address(settings):
    settings.TUOYU_PROXY_IPS = ["10.0.0.0/24"]
    # the client sent "X-Forwarded-For: 6.6.6.6"; the proxy appended its peer's address
    assert client_ip(_request("10.0.0.2", "6.6.6.6, 198.51.100.7")) == "198.51.100.7"
    # two proxies in a row (both trusted): the right-most untrusted hop is the client
    assert client_ip(_request("10.0.0.3", "6.6.6.6, 198.51.100.7, 10.0.0.2")) == "198.51.100.7"


def test_an_untrusted_peer_is_the_client_whatever_it_forwards(settings):
    settings.TUOYU_PROXY_IPS = ["10.0.0.2"]
    assert client_ip(_request("198.51.100.7", "10.0.0.9")) == "198.51.100.7"


def test_garbage_and_ports_in_forwarded_hops(settings):
    settings.TUOYU_PROXY_IPS = ["10.0.0.2", "2001:db8::/32"]
    assert client_ip(_request("10.0.0.2", "198.51.100.7:5123")) == "198.51.100.7"
    assert client_ip(_request("10.0.0.2", "[2001:db9::1]:443")) == "2001:db9::1"
    # a hop that is no address: keep the nearest trusted one rather than believe it
    assert client_ip(_request("10.0.0.2", "1.2.3.4, not-an-ip")) == "10.0.0.2"
    assert client_ip(_request("10.0.0.2", "")) == "10.0.0.2"
    # every hop a trusted proxy: the request began at the left-most of them
    assert client_ip(_request("10.0.0.2", "2001:db8::5")) == "2001:db8::5"
    assert client_ip(_request("::ffff:10.0.0.2", "198.51.100.7")) == "198.51.100.7"


def test_proxy_list_may_be_a_comma_separated_string_and_typos_fail_loudly(settings):
    settings.TUOYU_PROXY_IPS = "10.0.0.2, 10.0.1.0/24"
    assert client_ip(_request("10.0.1.9", "198.51.100.7")) == "198.51.100.7"
    settings.TUOYU_PROXY_IPS = ["10.0.0.300"]
    with pytest.raises(ImproperlyConfigured):
        client_ip(_request("10.0.0.2", "198.51.100.7"))


def test_five_users_behind_the_proxy_do_not_lock_out_a_sixth(client, settings, make_user):
    settings.TUOYU_PROXY_IPS = ["10.0.0.2"]
    make_user("weijian", department="health")
    for i in range(25):
        client.post(
            "/login/",
            {"username": f"user{i}", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i + 1}",
        )
    response = client.post(
        "/login/",
        {"username": "weijian", "password": "pass-word-2020"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.200",
    )
    assert response.status_code == 302
