"""Error codes and audit actions of background jobs ([house] point 5, see
`tuoyu.core.catalogue`)."""

from django.utils.translation import gettext_lazy as _

from tuoyu.core.catalogue import AuditAction, ErrorCode


class JobsError(ErrorCode):
    JOB_NOT_PERIODIC = "job_not_periodic", _("只有定时任务可以立即运行")


class JobsAction(AuditAction):
    RUN_ENQUEUE = "jobs.run.enqueue", _("立即运行后台任务")
    # [operations] point 3: one event per batch of anonymised personal records.
    RETENTION_ANONYMISED = "jobs.retention.anonymised", _("到期个人信息匿名化")
    # [operations] point 2: one event per batch of re-encrypted values or recomputed indexes.
    KEY_ROTATION_BATCH = "jobs.key_rotation.batch", _("轮换个人信息密钥")
