from django.apps import AppConfig


class InstitutionsConfig(AppConfig):
    name = "tuoyu.institutions"
    label = "institutions"
    verbose_name = "托育机构"

    def ready(self):
        from tuoyu.institutions.navigation import register_home_cards, register_navigation
        from tuoyu.institutions.views.directory import register_tabs

        register_navigation()
        register_home_cards()
        register_tabs()

        # [scale] #10 point 5: SQLite's FTS5 triggers survive the table rebuilds of later
        # migrations (tuoyu.institutions.search).
        from django.db.models.signals import post_migrate

        from tuoyu.institutions.search import on_post_migrate

        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="institutions_search")
