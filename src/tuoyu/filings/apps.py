from django.apps import AppConfig


class FilingsConfig(AppConfig):
    name = "tuoyu.filings"
    label = "filings"
    verbose_name = "备案审核"

    def ready(self):
        from tuoyu.filings import receivers
        from tuoyu.filings.navigation import register_home_cards, register_navigation
        from tuoyu.filings.selectors import register_audit_words, register_institution_tab

        register_navigation()
        register_home_cards()
        receivers.register()
        register_institution_tab()
        register_audit_words()  # [accounts-ux] 5: audit rows in words
