from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "tuoyu.regions"
    label = "regions"
    verbose_name = "行政区划与人口统计"

    def ready(self):
        from tuoyu.regions import workdays
        from tuoyu.regions.navigation import register_home_cards, register_navigation

        register_navigation()
        register_home_cards()
        workdays.connect_signals()
