from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "tuoyu.children"
    label = "children"
    verbose_name = "在托儿童"

    def ready(self):
        from tuoyu.children.audit_labels import register_audit_labels
        from tuoyu.children.navigation import register_navigation
        from tuoyu.children.retention import register_retention

        register_navigation()
        from tuoyu.children.selectors import register_enrolment_counter

        register_enrolment_counter()
        from tuoyu.children.selectors import register_institution_tab

        register_institution_tab()
        register_audit_labels()
        register_retention()
