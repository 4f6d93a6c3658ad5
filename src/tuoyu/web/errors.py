"""The 500 answer ([hardening] point 13): `tuoyu.urls.handler500`.

Django calls it for an exception no view or middleware handled, after logging it (with
its traceback) on `django.request`. It must work when the cause is the database, and when
the request did not pass every middleware: it reads nothing from the database (the page
is rendered without context processors: no user, no navigation, no branding) and falls
back to fixed markup if even the template fails. It shows the request id — the one in the
X-Request-ID header and in the log record — so that a person can quote it to support; the
API (`/api/`) gets a problem+json document with the same id.
"""

from __future__ import annotations

import contextlib
import json
import logging
import uuid
from html import escape

from django.http import HttpResponse
from django.template import loader

from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import ErrorItem

log = logging.getLogger("tuoyu.errors")

PROBLEM = "application/problem+json"
TITLE = "系统内部错误"
# Written without templates (the template engine may be what failed), so in both languages:
# the language of the request is not known here ([accounts-ux] point 9).
FALLBACK = (
    '<!doctype html><html lang="zh-hans"><head><meta charset="utf-8"><title>系统内部错误 · Server'
    " error</title></head><body><h1>系统暂时出现错误</h1><p>错误已记录，请稍后重试；如持续出现，"
    "请联系平台运维，并提供请求编号 <code>{request_id}</code>。</p>"
    '<div lang="en"><h2>Something went wrong</h2><p>The error has been logged. Please try again'
    " later; if it persists, contact the platform operators and quote the request id"
    " <code>{request_id}</code>.</p></div>"
    '<p><a href="/">返回首页 · Home</a></p></body></html>'
)


def request_id_of(request) -> str:
    """The request's id (RequestContextMiddleware sets it); one is made up and kept on the
    request when the failure came before that middleware, so that the log record, the
    header and the page agree."""
    request_id = getattr(request, "request_id", "") or ""
    if not request_id:
        request_id = uuid.uuid4().hex
        with contextlib.suppress(AttributeError):
            request.request_id = request_id
    return request_id


def server_error_problem(request_id: str) -> dict:
    """The problem+json body of a 500 (API-CONTRACT §0) with the request id."""
    return {
        "type": "about:blank",
        "title": TITLE,
        "status": 500,
        "errors": [ErrorItem(CoreError.SERVER_ERROR).as_dict()],
        "request_id": request_id,
    }


def problem_response(request_id: str) -> HttpResponse:
    body = json.dumps(server_error_problem(request_id), ensure_ascii=False)
    response = HttpResponse(body, status=500, content_type=PROBLEM)
    return _private(response, request_id)


def _private(response: HttpResponse, request_id: str) -> HttpResponse:
    response["X-Request-ID"] = request_id
    response["Cache-Control"] = "no-store"
    return response


class _ServerError:
    title = TITLE

    def __init__(self):
        self.errors = [ErrorItem(CoreError.SERVER_ERROR)]


def server_error(request, *args, **kwargs):
    request_id = request_id_of(request)
    if request.path.startswith("/api/"):
        return problem_response(request_id)
    try:
        # No request passed: no context processors, so no query (the database may be why
        # we are here) and nothing of the user.
        html = loader.render_to_string(
            "web/error.html",
            {"error": _ServerError(), "status": 500, "request_id": request_id},
        )
    except Exception:
        log.exception(
            "500 页面渲染失败（请求编号 %s），改用备用页面",
            request_id,
            extra={"request_id": request_id},
        )
        html = FALLBACK.format(request_id=escape(request_id))
    return _private(HttpResponse(html, status=500), request_id)
