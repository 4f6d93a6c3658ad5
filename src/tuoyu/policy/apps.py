from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class PolicyConfig(AppConfig):
    name = "tuoyu.policy"
    label = "policy"
    verbose_name = "政策参数"

    def ready(self):
        """Load and validate every policy version at start-up: a typo fails loudly.

        Raises `PolicyDataError` (an `ImproperlyConfigured`) naming file, line and key.
        """
        from django.core.signals import setting_changed

        from tuoyu.policy import loader
        from tuoyu.policy.navigation import register_navigation

        register_navigation()
        setting_changed.connect(_policy_dir_changed, dispatch_uid="tuoyu.policy.dir_changed")
        try:
            loader.reload()
        except ImproperlyConfigured:  # PolicyDataError: file, line and key already named
            raise
        except Exception as exc:  # an unexpected failure still names the directory
            raise ImproperlyConfigured(
                f"政策数据无法加载 / policy data cannot be loaded ({loader.data_dir()}): {exc}"
            ) from exc


def _policy_dir_changed(*, setting, **kwargs):
    """`override_settings(TUOYU_POLICY_DIR=…)` in tests: load from the new directory."""
    if setting == "TUOYU_POLICY_DIR":
        from tuoyu.policy import loader

        loader.clear_cache()
