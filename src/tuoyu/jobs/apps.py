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
        register_navigation()
