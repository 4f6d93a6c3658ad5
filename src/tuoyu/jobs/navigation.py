"""Where jobs appears in the shell's navigation (registered in AppConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from tuoyu.web.navigation import NavEntry, register


def register_navigation() -> None:
    register(
        NavEntry(
            _("后台任务"),
            "jobs:runs",
            "jobs.view_runs",
            "clock-history",
            _("定时任务与长任务的运行记录、进度与结果；区卫健局可立即运行定时任务"),
            order=95,
        ),
    )
