from django.apps import AppConfig


class SubsidiesConfig(AppConfig):
    name = "tuoyu.subsidies"
    label = "subsidies"
    verbose_name = "财政补助"

    def ready(self):
        from tuoyu.subsidies import rules  # noqa: F401
        from tuoyu.subsidies.audit_labels import register_audit_labels
        from tuoyu.subsidies.navigation import register_navigation

        register_audit_labels()
        register_navigation()
