from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin with the site of `tuoyu.accounts.admin_site` ([hardening] point 2): no
    login form of its own, platform operators only. Named in INSTALLED_APPS in place of
    django.contrib.admin; never the default config of accounts."""

    default = False
    default_site = "tuoyu.accounts.admin_site.AdminSite"


class AccountsConfig(AppConfig):
    name = "tuoyu.accounts"
    label = "accounts"
    verbose_name = "账号与管辖范围"

    def ready(self):
        from tuoyu.accounts.navigation import register_home_cards, register_navigation
        from tuoyu.accounts.retention import register_retention

        register_navigation()
        register_home_cards()
        register_retention()  # [operations] point 3, P-RET-4
