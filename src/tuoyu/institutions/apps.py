from django.apps import AppConfig


class InstitutionsConfig(AppConfig):
    name = "tuoyu.institutions"
    label = "institutions"
    verbose_name = "托育机构"

    def ready(self):
        from tuoyu.institutions.navigation import register_navigation
        from tuoyu.institutions.views.directory import register_tabs

        register_navigation()
        register_tabs()
