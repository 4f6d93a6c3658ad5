import logging

from django.shortcuts import render

from tuoyu.core.errors import DomainError

log = logging.getLogger("tuoyu.errors")


class DomainErrorMiddleware:
    """Renders a DomainError that escaped a view as a page with its Chinese message (the API
    renders the same exception as problem+json)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        # People read the message; the codes go to the log (and to the API's problem+json).
        codes = ",".join(str(e.code) for e in exception.errors)
        log.info("%s %s %s: %s", exception.status, request.method, request.path, codes)
        return render(
            request,
            "web/error.html",
            {"error": exception, "status": exception.status},
            status=exception.status,
        )
