from django.urls import reverse

from tuoyu.web.navigation import ENTRIES


def test_every_navigation_entry_resolves():
    for entry in ENTRIES:
        assert reverse(entry.url_name)
