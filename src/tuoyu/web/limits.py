"""Limits on request bodies, enforced before anything reads one ([hardening] point 11).

- `RequestSizeLimitMiddleware`: no request is larger than `TUOYU_MAX_REQUEST_BYTES`, nor an
  API body (JSON only, read into memory) larger than `DATA_UPLOAD_MAX_MEMORY_SIZE`: refused
  with 413 (`request_too_large`) from the Content-Length, and — should a server pass on
  more than it declared — while the stream is read (the reading stops at the cap; whoever
  read it, the answer is the 413).
- `AnonymousBodyMiddleware`: a body from someone not logged in is refused before it is read
  (an anonymous 300 MB upload used to be written to disk before the login check): a page
  answers with the login page (302, as `login_required` does), the API with 401
  `not_authenticated` when no bearer token comes with it — the API checks the token itself,
  before it reads the body. The login form, the language switch, the public pages and the
  public API (`/public/`, `/api/v1/public/`) and any view marked `login_not_required` take
  anonymous bodies.

Both go right after AuthenticationMiddleware, before every middleware that reads a body
(RejectNulMiddleware, CSRF's process_view). They read only headers, the session and the
URL map.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import ErrorItem

DEFAULT_MAX_REQUEST_BYTES = 25 * 1024 * 1024
PUBLIC_PREFIXES = ("/api/v1/public/", "/public/")
API_PREFIX = "/api/"


def max_request_bytes() -> int:
    return int(getattr(settings, "TUOYU_MAX_REQUEST_BYTES", DEFAULT_MAX_REQUEST_BYTES))


def _content_length(request) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except (TypeError, ValueError):
        return 0


def _has_body(request) -> bool:
    return _content_length(request) > 0 or "HTTP_TRANSFER_ENCODING" in request.META


def _problem(status: int, title: str, item: ErrorItem) -> JsonResponse:
    return JsonResponse(
        {"type": "about:blank", "title": title, "status": status, "errors": [item.as_dict()]},
        status=status,
        content_type="application/problem+json",
        json_dumps_params={"ensure_ascii": False},
    )


class _PageError:
    def __init__(self, title: str, item: ErrorItem):
        self.title = title
        self.errors = [item]


def too_large(request, limit: int):
    item = ErrorItem(
        CoreError.REQUEST_TOO_LARGE,
        f"请求过大，上限为 {limit / 1024 / 1024:.1f} MB" if limit >= 1024 * 1024 else "",
    )
    if request.path_info.startswith(API_PREFIX):
        return _problem(413, "请求过大", item)
    return render(
        request,
        "web/error.html",
        {"error": _PageError("请求过大", item), "status": 413},
        status=413,
    )


class RequestTooLarge(OSError):
    """The stream went past the cap (an OSError: Django reports it as an unreadable body)."""


class CappedStream:
    """A request stream that refuses to give more than `limit` bytes; going past it marks the
    request (`request._tuoyu_too_large`) and raises RequestTooLarge."""

    def __init__(self, stream, limit: int, request):
        self._stream = stream
        self._limit = limit
        self._request = request
        self._read = 0

    def _count(self, data: bytes) -> bytes:
        self._read += len(data)
        if self._read > self._limit:
            self._request._tuoyu_too_large = True
            raise RequestTooLarge(f"request body exceeds {self._limit} bytes")
        return data

    def read(self, *args, **kwargs):
        return self._count(self._stream.read(*args, **kwargs))

    def readline(self, *args, **kwargs):
        return self._count(self._stream.readline(*args, **kwargs))

    def __iter__(self):
        return iter(self.readline, b"")

    def close(self):
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = max_request_bytes()
        if request.path_info.startswith(API_PREFIX):
            limit = min(limit, settings.DATA_UPLOAD_MAX_MEMORY_SIZE or limit)
        if _content_length(request) > limit:
            return too_large(request, limit)
        stream = getattr(request, "_stream", None)
        if stream is not None:
            request._stream = CappedStream(stream, limit, request)
        try:
            response = self.get_response(request)
        except OSError:  # RequestTooLarge as an unreadable body, where nothing converted it
            if getattr(request, "_tuoyu_too_large", False):
                return too_large(request, limit)
            raise
        if getattr(request, "_tuoyu_too_large", False):
            return too_large(request, limit)
        return response


@lru_cache(maxsize=1)
def _open_doors() -> frozenset[str]:
    """The pages that take a body from someone not (yet) logged in."""
    doors = set()
    for name in (settings.LOGIN_URL, "set_language"):
        try:
            doors.add(reverse(name))
        except NoReverseMatch:
            if str(name).startswith("/"):
                doors.add(str(name))
    return frozenset(doors)


def anonymous_may_send(path: str) -> bool:
    if path.startswith(PUBLIC_PREFIXES) or path in _open_doors():
        return True
    try:
        match = resolve(path)
    except Resolver404:
        return False
    # Django's `login_not_required` marks a view open to anyone (its LoginView among them).
    return getattr(match.func, "login_required", True) is False


class AnonymousBodyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_body(request) and not anonymous_may_send(request.path_info):
            if request.path_info.startswith(API_PREFIX):
                if not request.META.get("HTTP_AUTHORIZATION", "").strip():
                    response = _problem(401, "未认证", ErrorItem(CoreError.NOT_AUTHENTICATED))
                    response["WWW-Authenticate"] = "Bearer"
                    return response
            elif not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)
