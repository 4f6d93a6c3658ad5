"""The /api/v1 root: one NinjaAPI, routers from each app, errors rendered once as RFC 9457
problem details (API-CONTRACT §0)."""

from __future__ import annotations

import json
import logging

from django.core import signals
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import DocsBase
from ninja.parser import Parser

from tuoyu.accounts.auth import TokenAuth
from tuoyu.core.catalogue import CoreError, schema_error_code
from tuoyu.core.errors import DomainError, ErrorItem
from tuoyu.web.errors import request_id_of, server_error_problem
from tuoyu.web.nul import MESSAGE as NUL_MESSAGE
from tuoyu.web.nul import nul_in

PROBLEM = "application/problem+json"


def is_json_media_type(content_type: str) -> bool:
    """application/json or a structured-syntax suffix (application/problem+json, …)."""
    kind, _, subtype = (content_type or "").strip().lower().partition("/")
    return kind == "application" and (subtype == "json" or subtype.endswith("+json"))


class JsonBodyParser(Parser):
    """[hardening] point 10: the bodies of the API are JSON, and only JSON. An operation that
    takes a body refuses any other content type (text/plain, a form, multipart, none) with
    415 `unsupported_media_type` before reading it as JSON — a NUL sent as text/plain was
    stored on SQLite and a 500 on PostgreSQL. The body is UTF-8 (RFC 8259); what it parses
    to is checked for NUL in every string and key (422 `invalid_character`): the check is on
    what the operation receives, and reads nothing another parser would need.

    ninja wraps whatever this raises in a 400 `HttpError`; `on_http_error` renders the
    DomainError it carries (`__cause__`)."""

    def parse_body(self, request):
        if not is_json_media_type(request.content_type):
            raise DomainError(
                CoreError.UNSUPPORTED_MEDIA_TYPE,
                f"请求体应为 JSON（Content-Type: application/json），实际为"
                f"“{(request.content_type or '未指明')[:100]}”",
                status=415,
                title="不支持的请求体类型",
            )
        charset = (request.content_params or {}).get("charset", "utf-8").lower()
        if charset.replace("_", "-") not in ("utf-8", "utf8"):
            raise DomainError(
                CoreError.UNSUPPORTED_MEDIA_TYPE,
                "请求体应为 UTF-8 编码的 JSON",
                status=415,
                title="不支持的请求体类型",
            )
        try:
            data = json.loads(request.body.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise DomainError(CoreError.JSON_INVALID, status=400) from None
        if nul_in(data):
            raise DomainError(CoreError.INVALID_CHARACTER, NUL_MESSAGE)
        return data


class TuoyuAPI(NinjaAPI):
    """Errors are sent as application/problem+json (RFC 9457); the OpenAPI document says so
    for every 4xx/5xx response an operation documents."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    if str(status)[0] in "45" and "content" in response:
                        media = next(iter(response["content"].values()))
                        response["content"] = {PROBLEM: media}
                if "requestBody" in operation:
                    _document_body_refusals(operation, schema)
                _document_platform_statuses(operation)
        return schema


# [hardening] point 17: what the platform itself may answer on any operation, whatever its
# router declares (a router declares its domain statuses: 403, 404, 409, its own 422 …).
PLATFORM_STATUSES = (
    # (status, when, description)
    (400, "body", "请求体不是合法的 JSON（json_invalid）"),
    (401, "secured", "缺少或无效的访问令牌（not_authenticated）"),
    (422, "always", "请求未通过校验：参数或请求体不符合本文档，或含控制字符（invalid_character）"),
    (500, "always", "系统内部错误（server_error）；request_id 为请求编号，联系平台运维时请提供"),
)


def _document_platform_statuses(operation: dict) -> None:
    responses = operation.setdefault("responses", {})
    applies = {
        "always": True,
        "body": "requestBody" in operation,
        "secured": bool(operation.get("security")),
    }
    for status, when, description in PLATFORM_STATUSES:
        if applies[when] and status not in responses and str(status) not in responses:
            responses[status] = {
                "description": description,
                "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
            }
    operation["responses"] = dict(sorted(responses.items(), key=lambda item: str(item[0])))


def _document_body_refusals(operation: dict, schema: dict) -> None:
    """Every operation that takes a body may answer 413 (too large) and 415 (not JSON):
    documented where the router does not say so itself."""
    responses = operation.setdefault("responses", {})
    media = {"schema": {"$ref": "#/components/schemas/Problem"}}
    if "Problem" not in schema.get("components", {}).get("schemas", {}):
        media = {"schema": {"type": "object"}}
    for status, description in (
        (413, "请求过大（request_too_large）"),
        (415, "请求体不是 JSON（unsupported_media_type）"),
    ):
        if status not in responses and str(status) not in responses:
            responses[status] = {"description": description, "content": {PROBLEM: media}}


class OfflineDocs(DocsBase):
    """/api/v1/docs ([hardening] point 15; [accounts-ux] offline API docs): Swagger UI from
    npm (swagger-ui-dist, served as static files), where ninja without its app in
    INSTALLED_APPS would load it from a CDN; its start-up is a static file, so the page
    keeps the platform's Content-Security-Policy."""

    def render_page(self, request, api, **kwargs):
        return render(
            request,
            "web/api_docs.html",
            {"title": api.title, "openapi_url": self.get_openapi_url(api, kwargs)},
        )


api = TuoyuAPI(
    title="托育服务监管平台接口",
    version="1.0.0",
    description="区县托育服务监管平台对外接口（API-CONTRACT）。除 /public/ 外均需 Bearer 令牌。",
    auth=TokenAuth(),
    parser=JsonBodyParser(),
    urls_namespace="api",
    docs_url="/docs",
    docs=OfflineDocs(),
    openapi_url="/openapi.json",
)


def _problem_response(request, body: dict, status: int):
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM
    return response


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return _problem_response(request, exc.problem(), exc.status)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    errors = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "payload", "query", "path")]
        field = ".".join(loc) or None
        item = ErrorItem(code=schema_error_code(err.get("type", "")), field=field)
        errors.append({"field": field, "code": str(item.code), "message": str(item.message)})
    body = {"type": "about:blank", "title": "请求未通过校验", "status": 422, "errors": errors}
    return _problem_response(request, body, 422)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    body = {
        "type": "about:blank",
        "title": "未认证",
        "status": 401,
        "errors": [ErrorItem(CoreError.NOT_AUTHENTICATED).as_dict()],
    }
    response = _problem_response(request, body, 401)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(RequestDataTooBig)
def on_request_too_large(request, exc):
    """A JSON body above DATA_UPLOAD_MAX_MEMORY_SIZE (web.limits refuses most by their
    Content-Length before this)."""
    error = DomainError(CoreError.REQUEST_TOO_LARGE, status=413)
    return _problem_response(request, error.problem(), 413)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    body = {
        "type": "about:blank",
        "title": "未找到",
        "status": 404,
        "errors": [ErrorItem(CoreError.NOT_FOUND).as_dict()],
    }
    return _problem_response(request, body, 404)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if isinstance(exc.__cause__, DomainError):  # raised by JsonBodyParser, wrapped by ninja
        return on_domain_error(request, exc.__cause__)
    body = {
        "type": "about:blank",
        "title": str(exc),
        "status": exc.status_code,
        "errors": [ErrorItem(CoreError.HTTP_ERROR, str(exc)).as_dict()],
    }
    return _problem_response(request, body, exc.status_code)


@api.exception_handler(Exception)
def on_server_error(request, exc: Exception):
    """[hardening] point 13: anything unexpected is logged like Django logs a 500 (on
    `django.request`, with its traceback and the request id) and answered problem+json with
    the request id, which the caller quotes to support."""
    request_id = request_id_of(request)
    logging.getLogger("django.request").error(
        "Internal Server Error: %s",
        request.path,
        exc_info=(type(exc), exc, exc.__traceback__),
        extra={"status_code": 500, "request": request},
    )
    # As Django's own handler does: the test client re-raises the exception from here.
    signals.got_request_exception.send(sender=None, request=request)
    response = _problem_response(request, server_error_problem(request_id), 500)
    response["Cache-Control"] = "no-store"
    return response


def _mount() -> None:
    from tuoyu.children.api import router as children_router
    from tuoyu.filings.api import router as filings_router
    from tuoyu.filings.api_public import router as public_filings_router
    from tuoyu.institutions.api.classes import router as classes_router
    from tuoyu.institutions.api.public import router as public_router
    from tuoyu.institutions.api.registrations import router as registrations_router
    from tuoyu.regions.api import router as regions_router
    from tuoyu.subsidies.api import router as subsidies_router
    from tuoyu.supervision.api import router as supervision_router
    from tuoyu.workforce.api import router as workforce_router

    api.add_router("/regions", regions_router, tags=["区划"])
    api.add_router("/registrations", registrations_router, tags=["登记推送"])
    api.add_router("/institutions", classes_router, tags=["班级"])
    api.add_router("/public/filings", public_filings_router, tags=["公开查询"])
    api.add_router("/public", public_router, tags=["公开查询"])
    api.add_router("/filings", filings_router, tags=["备案"])
    # Their operations carry full paths (/institutions/{uscc}/staff, /bans, /public/complaints…).
    api.add_router("", workforce_router, tags=["从业人员"])
    api.add_router("", supervision_router, tags=["综合监管"])
    api.add_router("", children_router, tags=["在托儿童"])
    api.add_router("", subsidies_router, tags=["财政补助"])


_mount()
