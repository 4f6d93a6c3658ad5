"""The one django-tasks task: it carries a recorded run (JobRun) to the worker."""

from django_tasks import task

from tuoyu.jobs.runner import execute_run


@task()
def run_job(run_id: int) -> dict:
    return execute_run(run_id)
