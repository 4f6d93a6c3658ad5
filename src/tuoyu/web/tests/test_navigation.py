from django.urls import reverse

from tuoyu.web.navigation import ENTRIES


def test_every_navigation_entry_resolves():
    for entry in ENTRIES:
        assert reverse(entry.url_name)


def test_longest_prefix_entry_is_active():
    from tuoyu.web.context_processors import _active

    entries = [{"url": "/"}, {"url": "/institutions/"}, {"url": "/institutions/registrations/"}]
    assert _active(entries, "/") == "/"
    assert _active(entries, "/institutions/12/") == "/institutions/"
    assert _active(entries, "/institutions/registrations/5/") == "/institutions/registrations/"
    assert _active(entries, "/policy/") == ""
