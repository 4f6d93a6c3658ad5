from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "tuoyu.supervision"
    label = "supervision"
    verbose_name = "综合监管"

    def ready(self):
        from tuoyu.supervision.audit_labels import register_audit_labels

        register_audit_labels()
        from tuoyu.institutions import public_facts
        from tuoyu.supervision import receivers, rules  # noqa: F401
        from tuoyu.supervision.navigation import register_navigation
        from tuoyu.supervision.retention import register_retention
        from tuoyu.supervision.selectors import public_institution_facts, register_institution_tab
        from tuoyu.supervision.standing import register_standing_providers

        register_navigation()
        receivers.register()
        register_retention()
        public_facts.register_institution_facts(public_institution_facts)
        register_institution_tab()
        # The subsidy review asks an institution's standing on a day (P-SUB-1..3).
        register_standing_providers()
