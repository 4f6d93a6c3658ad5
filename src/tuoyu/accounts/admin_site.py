"""Django's admin, kept only for platform operators ([hardening] point 2).

It has no login form of its own: `login` sends to /login/ (the throttled, audited door,
`services.user_login_attempt`), and `has_permission` asks for the system scope, staff
and — where it is enforced — a verified second factor. Second-factor devices are not
registered here: they change only through accounts' audited services (enrol, reset)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models.base import ModelBase
from django.urls import reverse

# Models the admin never edits: second factors (accounts.services audits every change).
UNREGISTERED_APPS = frozenset({"otp_totp", "otp_static", "otp_hotp", "otp_email"})


class AdminSite(admin.AdminSite):
    site_header = "托育服务监管平台运维后台"
    site_title = "运维后台"

    def has_permission(self, request) -> bool:
        from tuoyu.accounts.rules import is_system
        from tuoyu.accounts.services import second_factor_enforced

        user = request.user
        if not (user.is_active and is_system(user)):
            return False
        if second_factor_enforced(user):
            is_verified = getattr(user, "is_verified", None)
            return bool(is_verified and is_verified())
        return True

    def login(self, request, extra_context=None):
        """The door is /login/; a signed-in user without the permission gets 403 (sending
        them to /login/ again would loop)."""
        if request.user.is_authenticated:
            raise PermissionDenied
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect_to_login(next_url, reverse("accounts:login"))

    def logout(self, request, extra_context=None):
        """Logging out of the admin is logging out of the platform, audited."""
        from tuoyu.accounts.views import logout_view

        return logout_view(request)

    def register(self, model_or_iterable, admin_class=None, **options):
        models = (
            [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else model_or_iterable
        )
        models = [m for m in models if m._meta.app_label not in UNREGISTERED_APPS]
        if models:
            super().register(models, admin_class, **options)
