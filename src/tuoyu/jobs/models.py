"""The record of every background job run.

One row per (job, period key): the unique constraint is what makes a periodic job run once
per period, whatever the number of schedulers or clicks. A rerun re-uses the row (its
`attempts` counts the executions). The django-tasks row (`task_id`) only carries the run to
the worker; this row is what people read.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("运行中")
        SUCCEEDED = "succeeded", _("成功")
        FAILED = "failed", _("失败")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("定时")
        MANUAL = "manual", _("手动运行")
        PROGRAM = "program", _("程序发起")

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    FINISHED = (Status.SUCCEEDED, Status.FAILED)

    job_name = models.CharField(_("任务"), max_length=100)
    period_key = models.CharField(_("周期"), max_length=64)
    day = models.DateField(_("业务日期"))
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    trigger = models.CharField(_("发起方式"), max_length=16, choices=Trigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    params = models.JSONField(_("参数"), default=dict, blank=True)
    task_id = models.CharField(_("队列任务号"), max_length=64, blank=True)
    worker = models.CharField(_("工作进程"), max_length=128, blank=True)
    attempts = models.PositiveIntegerField(_("执行次数"), default=0)
    enqueued_at = models.DateTimeField(_("加入队列时间"))
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近更新"), null=True, blank=True)
    progress_done = models.PositiveIntegerField(_("已完成"), default=0)
    progress_total = models.PositiveIntegerField(_("总数"), null=True, blank=True)
    counts = models.JSONField(_("计数"), default=dict, blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    log = models.TextField(_("日志"), blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    traceback = models.TextField(_("错误详情"), blank=True)

    class Meta:
        verbose_name = _("任务运行记录")
        verbose_name_plural = _("任务运行记录")
        ordering = ["-enqueued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["job_name", "period_key"], name="jobs_jobrun_once_per_period"
            )
        ]
        indexes = [
            models.Index(fields=["-enqueued_at", "-id"], name="jobs_jobrun_newest_idx"),
            models.Index(fields=["status"], name="jobs_jobrun_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.job_name} {self.period_key}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def progress_percent(self) -> int | None:
        if not self.progress_total:
            return 100 if self.status == self.Status.SUCCEEDED else None
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None


class WorkerHeartbeat(models.Model):
    """[operations] point 4: each `tuoyu jobs_run` process writes its row about every 30 s;
    /readyz is ready only while one beat recently (TUOYU_READY_WORKER_SECONDS)."""

    worker_id = models.CharField(_("工作进程编号"), max_length=64, primary_key=True)
    host = models.CharField(_("主机"), max_length=128)
    started_at = models.DateTimeField(_("启动时间"))
    beat_at = models.DateTimeField(_("最近心跳"), db_index=True)

    class Meta:
        verbose_name = _("工作进程心跳")
        verbose_name_plural = _("工作进程心跳")

    def __str__(self) -> str:
        return f"{self.host} {self.beat_at:%H:%M:%S}"
