from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tuoyu.audit"
    label = "audit"
    verbose_name = "审计日志"

    def ready(self):
        from tuoyu.audit.navigation import register_navigation

        register_navigation()
        from tuoyu.audit import receivers

        receivers.register()
