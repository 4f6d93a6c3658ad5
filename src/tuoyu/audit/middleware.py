import re
import uuid

from tuoyu.audit import context

_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def client_ip(request) -> str:
    # Behind the district's reverse proxy the first X-Forwarded-For hop is the client; the
    # proxy is trusted only when TUOYU_TRUST_X_FORWARDED_FOR is set.
    from django.conf import settings

    if getattr(settings, "TUOYU_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = context.bind(
            context.RequestContext(
                request_id=request_id,
                ip=client_ip(request),
                user_agent=request.headers.get("User-Agent", "")[:200],
            )
        )
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request_id
        return response
