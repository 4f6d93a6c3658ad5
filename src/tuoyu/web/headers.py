"""Response headers every page gets ([hardening] point 15), set by
`SecurityHeadersMiddleware` (settings.MIDDLEWARE, right after WhiteNoise, so that it sees
the cookies the session, CSRF and messages middleware set).

- **Content-Security-Policy**: our own host only. No inline script, no inline handler
  (`onchange=`, `hx-on::…`: they live in web/static/web/behaviours.js), no inline style
  (CSS classes in web/tuoyu.css), no eval: htmx runs with `allowEval: false` and without
  its inline indicator styles (base.html's htmx-config). A response that already carries
  a policy keeps it (the API docs page sets its own).
- **Cache-Control**: a response for a person — a session cookie, an Authorization header,
  a page carrying a CSRF token, a response setting a cookie — is `private, no-store`, even
  when the view asked for `public` (the public listing, shown to a logged-in user, carried
  the user's name and CSRF token under `public, max-age=60`). Only a response with none of
  those keeps what its view set, so an anonymous page may be cached by a shared cache only
  when it contains nothing of the visitor.

HSTS and the HTTP → HTTPS redirect come from Django's SecurityMiddleware
(settings.SECURE_HSTS_SECONDS, SECURE_SSL_REDIRECT with TUOYU_SECURE_COOKIES=1).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.cache import patch_vary_headers

CSP = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",  # Bootstrap's form controls draw their icons as data: SVG
        "style-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
    ]
)
PRIVATE = "private, no-store"


def is_personal(request, response) -> bool:
    """Whether the response may contain something of the person who asked for it."""
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return True
    if request.META.get("HTTP_AUTHORIZATION"):
        return True
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # a CSRF token was put in the page
        return True
    return bool(response.cookies)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Django's debug pages (DEBUG only) are inline styles and scripts.
        if not (settings.DEBUG and response.status_code >= 400):
            response.headers.setdefault("Content-Security-Policy", CSP)
        if is_personal(request, response):
            response["Cache-Control"] = PRIVATE
            if "Expires" in response:
                del response["Expires"]
            patch_vary_headers(response, ("Cookie",))
        return response
