"""What each request and each job costs, in the log ([operations] point 6).

`RequestLogMiddleware` logs one record per request on `tuoyu.request`: method, the path's
route (the URL pattern, e.g. `institutions/<int:pk>/`, never the query string, which may
carry a searched name or ID number), status, duration in ms, the number of SQL queries,
the user's id and scope kind. INFO normally; WARNING with "slow request" above
TUOYU_SLOW_REQUEST_MS. `count_queries()` is the same counter for jobs (tuoyu.jobs.runner
logs each run with it, WARNING above TUOYU_SLOW_JOB_SECONDS).

No personal value is logged: ids, scope kinds, routes and numbers only. With
TUOYU_LOG_FORMAT=json each field is a JSON key (tuoyu.core.logging.JsonFormatter).
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager

from django.conf import settings
from django.db import connections
from django.utils.functional import empty

logger = logging.getLogger("tuoyu.request")


class QueryCount:
    def __init__(self):
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


@contextmanager
def count_queries():
    """`with count_queries() as q: …; q.n` — SQL statements run on every connection of
    this thread meanwhile."""
    counter = QueryCount()
    with _wrapped(list(connections.all(initialized_only=False)), counter):
        yield counter


@contextmanager
def _wrapped(conns, counter):
    if not conns:
        yield
        return
    with conns[0].execute_wrapper(counter), _wrapped(conns[1:], counter):
        yield


def _user_fields(request) -> dict:
    """The user's id and scope kind, only if the request already loaded the user (reading
    it here must not cost a query of its own)."""
    user = request.__dict__.get("user")
    if user is None or getattr(user, "_wrapped", None) is empty:
        return {"user_id": None, "scope": ""}
    if not getattr(user, "is_authenticated", False):
        return {"user_id": None, "scope": "anonymous"}
    return {"user_id": user.pk, "scope": getattr(user, "scope_kind", "") or ""}


def _route(request) -> str:
    match = getattr(request, "resolver_match", None)
    return getattr(match, "route", "") or "" if match is not None else ""


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        with count_queries() as queries:
            response = self.get_response(request)
        ms = round((time.monotonic() - started) * 1000, 1)
        slow = ms >= settings.TUOYU_SLOW_REQUEST_MS
        fields = {
            "method": request.method,
            "route": _route(request),
            "status_code": response.status_code,
            "duration_ms": ms,
            "queries": queries.n,
            "slow": slow,
            **_user_fields(request),
        }
        logger.log(
            logging.WARNING if slow else logging.INFO,
            "%s %s %s %.1f ms %d queries%s",
            request.method,
            fields["route"] or "-",
            response.status_code,
            ms,
            queries.n,
            " (slow request)" if slow else "",
            extra={"observe": fields, "request_id": getattr(request, "request_id", None)},
        )
        return response
