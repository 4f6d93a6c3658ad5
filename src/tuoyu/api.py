"""The /api/v1 root: one NinjaAPI, routers from each app, errors rendered once as RFC 9457
problem details (API-CONTRACT §0)."""

from __future__ import annotations

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from tuoyu.accounts.auth import TokenAuth
from tuoyu.core.catalogue import CoreError, schema_error_code
from tuoyu.core.errors import DomainError, ErrorItem

PROBLEM = "application/problem+json"


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
        return schema


api = TuoyuAPI(
    title="托育服务监管平台接口",
    version="1.0.0",
    description="区县托育服务监管平台对外接口（API-CONTRACT）。除 /public/ 外均需 Bearer 令牌。",
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
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
    body = {
        "type": "about:blank",
        "title": str(exc),
        "status": exc.status_code,
        "errors": [ErrorItem(CoreError.HTTP_ERROR, str(exc)).as_dict()],
    }
    return _problem_response(request, body, exc.status_code)


def _mount() -> None:
    from tuoyu.filings.api import router as filings_router
    from tuoyu.filings.api_public import router as public_filings_router
    from tuoyu.institutions.api.classes import router as classes_router
    from tuoyu.institutions.api.public import router as public_router
    from tuoyu.institutions.api.registrations import router as registrations_router
    from tuoyu.regions.api import router as regions_router

    api.add_router("/regions", regions_router, tags=["区划"])
    api.add_router("/registrations", registrations_router, tags=["登记推送"])
    api.add_router("/institutions", classes_router, tags=["班级"])
    api.add_router("/public/filings", public_filings_router, tags=["公开查询"])
    api.add_router("/public", public_router, tags=["公开查询"])
    api.add_router("/filings", filings_router, tags=["备案"])


_mount()
