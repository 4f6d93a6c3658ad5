from django.urls import reverse

from tuoyu.web.navigation import registered_entries


def test_every_navigation_entry_resolves():
    entries = registered_entries()
    # Each app registers its own entries in ready(); the shell names none of them.
    assert {"institutions:list", "filings:queue", "audit:list", "accounts:tokens"} <= {
        e.url_name for e in entries
    }
    for entry in entries:
        assert reverse(entry.url_name)


def test_longest_prefix_entry_is_active():
    from tuoyu.web.context_processors import _active

    entries = [{"url": "/"}, {"url": "/institutions/"}, {"url": "/institutions/registrations/"}]
    assert _active(entries, "/") == "/"
    assert _active(entries, "/institutions/12/") == "/institutions/"
    assert _active(entries, "/institutions/registrations/5/") == "/institutions/registrations/"
    assert _active(entries, "/policy/") == ""
