"""[hardening] point 5: an account that requires a second factor reaches no page before it
has given one. A signed-in but unverified session is sent to the code page (or, without a
device yet, to enrolment); only those pages, logout, language switching and static files
are open to it. The API is untouched: it authenticates bearer tokens, never the session."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from tuoyu.accounts import services


def _open_paths() -> tuple[str, ...]:
    return (
        reverse("accounts:login"),
        reverse("accounts:logout"),
        reverse("accounts:second_factor_verify"),
        reverse("accounts:second_factor_enrol"),
        reverse("set_language"),
        "/api/",
        settings.STATIC_URL,
    )


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and services.second_factor_enforced(user)
            and not user.is_verified()
            and not request.path.startswith(_open_paths())
        ):
            return self._to_second_factor(request, user)
        return self.get_response(request)

    @staticmethod
    def _to_second_factor(request, user):
        has_device = services.second_factor_device(user) is not None
        target = reverse(
            "accounts:second_factor_verify" if has_device else "accounts:second_factor_enrol"
        )
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        if getattr(request, "htmx", False):
            from django_htmx.http import HttpResponseClientRedirect

            return HttpResponseClientRedirect(target)
        return redirect(target)


def _password_open_paths() -> tuple[str, ...]:
    return (
        reverse("accounts:password_change"),
        reverse("accounts:logout"),
        reverse("accounts:login"),
        reverse("accounts:second_factor_verify"),
        reverse("accounts:second_factor_enrol"),
        reverse("set_language"),
        "/api/",
        settings.STATIC_URL,
    )


class PasswordChangeMiddleware:
    """[accounts-ux] #9 point 1: an account that must change its password (a temporary one
    from a reset, or one an operator set) reaches no page before it has changed it; only
    the change page, logout, the login steps, language switching, the API (tokens, not the
    session) and static files are open to it. After SecondFactorMiddleware: the second
    factor comes first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not request.path.startswith(_password_open_paths())
        ):
            target = reverse("accounts:password_change")
            if getattr(request, "htmx", False):
                from django_htmx.http import HttpResponseClientRedirect

                return HttpResponseClientRedirect(target)
            return redirect(target)
        return self.get_response(request)
