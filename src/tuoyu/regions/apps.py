from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "tuoyu.regions"
    label = "regions"
    verbose_name = "行政区划与人口统计"

    def ready(self):
        from tuoyu.regions.navigation import register_navigation

        register_navigation()
