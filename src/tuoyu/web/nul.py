"""Refuse NUL characters in any request text before they reach the database.

PostgreSQL text cannot hold U+0000: a query string, form field or JSON string carrying one
would otherwise fail inside the database (a 500) instead of getting a clear error.

This middleware checks the path, the query string and the fields of the pages' forms. It
never reads an API body ([hardening] point 10: reading it here consumed the stream of a
multipart body the API then failed on, and a body under another content type went
unchecked): the API parses JSON only (`tuoyu.api.JsonBodyParser`, 415 for anything else)
and checks what it parsed with `nul_in`, every string and key.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render

from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import ErrorItem

MESSAGE = "请求中含有不允许的控制字符（NUL）"


def nul_in(data) -> bool:
    """Whether a NUL is in any string or key of parsed JSON (iteratively: no depth limit)."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return True
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and "\x00" in key:
                    return True
                stack.append(item)
        elif isinstance(value, list | tuple):
            stack.extend(value)
    return False


def _has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    for values in request.GET.lists():
        if any("\x00" in v for v in values[1]) or "\x00" in values[0]:
            return True
    if request.path.startswith("/api/"):
        return False  # the API checks what it parses (tuoyu.api.JsonBodyParser)
    content_type = request.content_type or ""
    if request.method in ("POST", "PUT", "PATCH"):
        if content_type == "application/x-www-form-urlencoded" or content_type.startswith(
            "multipart/"
        ):
            for key, values in request.POST.lists():
                if "\x00" in key or any("\x00" in v for v in values):
                    return True
        elif content_type.endswith("json"):
            body = request.body
            if b"\x00" in body or b"\\u0000" in body:
                return True
    return False


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            if request.path.startswith("/api/"):
                problem = {
                    "type": "about:blank",
                    "title": "请求未通过校验",
                    "status": 422,
                    "errors": [ErrorItem(CoreError.INVALID_CHARACTER, MESSAGE).as_dict()],
                }
                return JsonResponse(
                    problem,
                    status=422,
                    content_type="application/problem+json",
                    json_dumps_params={"ensure_ascii": False},
                )
            return render(
                request,
                "web/error.html",
                {"error": _PageError(), "status": 400},
                status=400,
            )
        return self.get_response(request)


class _PageError:
    title = "请求有误"
    errors = [ErrorItem(CoreError.INVALID_CHARACTER, MESSAGE)]
