"""Error codes and audit actions of background jobs ([house] point 5, see
`tuoyu.core.catalogue`)."""

from django.utils.translation import gettext_lazy as _

from tuoyu.core.catalogue import AuditAction, ErrorCode


class JobsError(ErrorCode):
    JOB_NOT_PERIODIC = "job_not_periodic", _("只有定时任务可以立即运行")


class JobsAction(AuditAction):
    RUN_ENQUEUE = "jobs.run.enqueue", _("立即运行后台任务")
