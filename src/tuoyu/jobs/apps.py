from importlib import import_module

from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "tuoyu.jobs"
    label = "jobs"
    verbose_name = "后台任务"

    def ready(self):
        from tuoyu.core import jobs as registry
        from tuoyu.jobs.discovery import autodiscover_jobs
        from tuoyu.jobs.navigation import register_navigation
        from tuoyu.jobs.services import job_enqueue

        registry.install_enqueuer(job_enqueue)
        autodiscover_jobs()
        # [operations] point 3: the platform-wide retention job over core.retention's rules.
        import_module("tuoyu.jobs.retention")
        # [operations] point 4: /readyz wants a worker that beat recently.
        from tuoyu.jobs.health import check_worker
        from tuoyu.web.health import register_check

        register_check("worker", check_worker)
        register_navigation()
