from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "tuoyu.workforce"
    label = "workforce"
    verbose_name = "从业人员"

    def ready(self):
        from tuoyu.workforce.audit_labels import register_audit_labels

        register_audit_labels()
        from tuoyu.workforce import receivers, rules  # noqa: F401
        from tuoyu.workforce.navigation import register_home_cards, register_navigation
        from tuoyu.workforce.retention import register_retention
        from tuoyu.workforce.views import register_institution_tab

        register_navigation()
        register_home_cards()
        receivers.register()
        register_retention()
        register_institution_tab()
        # P-STD-2 / P-WF-1: the filing's staff section comes from the roster where one exists
        from tuoyu.filings.staff_source import register_staff_source
        from tuoyu.workforce.selectors import filing_staff_counts

        register_staff_source(filing_staff_counts)
        from tuoyu.workforce import standing  # noqa: F401  (registers `staffing_complete`)
