from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tuoyu.accounts"
    label = "accounts"
    verbose_name = "账号与管辖范围"

    def ready(self):
        from tuoyu.accounts.navigation import register_home_cards, register_navigation

        register_navigation()
        register_home_cards()
