"""`tuoyu jobs_run`: the background worker and the scheduler of periodic jobs, in one
process (`make demo` and `make serve` start it beside the web server)."""

from __future__ import annotations

import logging

from django.core.management.base import BaseCommand

from tuoyu.core.jobs import all_jobs
from tuoyu.jobs.schedule import describe
from tuoyu.jobs.worker import Loop


class Command(BaseCommand):
    help = "运行后台任务：执行队列中的任务，并按计划发起定时任务"

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval", type=float, default=1.0, help="队列为空时的轮询间隔（秒）"
        )
        parser.add_argument(
            "--schedule-every", type=float, default=30.0, help="检查定时任务的间隔（秒）"
        )
        parser.add_argument(
            "--no-scheduler", action="store_true", help="只执行队列，不发起定时任务"
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="发起到期的定时任务，执行完队列中的全部任务后退出（供 cron 使用）",
        )

    def handle(self, *, interval, schedule_every, no_scheduler, once, verbosity, **options):
        log = logging.getLogger("tuoyu.jobs")
        if verbosity == 0:
            log.setLevel(logging.WARNING)
        for spec in all_jobs():
            log.info("jobs_run: %s（%s）%s", spec.name, spec.title, describe(spec))
        loop = Loop(interval=interval, schedule_every=schedule_every, scheduler=not no_scheduler)
        loop.install_signals()
        loop.run(once=once)
