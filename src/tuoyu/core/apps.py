from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tuoyu.core"
    label = "core"
    verbose_name = "基础设施"

    def ready(self):
        from tuoyu.core.pinyin import connect

        connect()  # [accounts-ux] 9: the SQLite collation that sorts names by pinyin
