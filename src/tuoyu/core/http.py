"""Facts about the HTTP request that several floors need (audit context, login throttling)."""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str:
    # Behind the district's reverse proxy the first X-Forwarded-For hop is the client; the
    # proxy is trusted only when TUOYU_TRUST_X_FORWARDED_FOR is set.
    if getattr(settings, "TUOYU_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")
