from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tuoyu.accounts"
    label = "accounts"
    verbose_name = "账号与管辖范围"
