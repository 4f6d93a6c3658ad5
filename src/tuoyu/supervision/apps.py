from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "tuoyu.supervision"
    label = "supervision"
    verbose_name = "综合监管"
