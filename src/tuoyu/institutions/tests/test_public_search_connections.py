"""[scale] #10: a worker keeps its database connection between requests (reconnecting cost a
public search request more than the search: docs/operations.md §7), checked before reuse."""

from __future__ import annotations

import os

from django.conf import settings


def test_connections_are_kept_and_health_checked():
    database = settings.DATABASES["default"]
    assert database["CONN_HEALTH_CHECKS"] is True
    if not os.environ.get("TUOYU_CONN_MAX_AGE"):
        assert database["CONN_MAX_AGE"] == 60
