from django.shortcuts import render

from tuoyu.core.errors import DomainError


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
        return render(
            request,
            "web/error.html",
            {"error": exception, "status": exception.status},
            status=exception.status,
        )
