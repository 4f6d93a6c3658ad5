from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "tuoyu.children"
    label = "children"
    verbose_name = "在托儿童"
