from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "tuoyu.web"
    label = "web"
    verbose_name = "界面"
