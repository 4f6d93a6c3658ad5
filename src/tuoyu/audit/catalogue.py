"""Audit actions of the audit app itself ([house] point 5, see `tuoyu.core.catalogue`).
The audit app raises no error code of its own."""

from django.utils.translation import gettext_lazy as _

from tuoyu.core.catalogue import AuditAction, ErrorCode, legacy_audit_actions


class AuditError(ErrorCode):
    """None yet: reading the log and verifying its chains report, they do not refuse."""


class AuditLogAction(AuditAction):
    PERSONAL_DATA_READ = "audit.personal_data.read", _("查看个人信息明文")
    BACKUP_MADE = "audit.backup.made", _("备份数据库与上传文件")


legacy_audit_actions({"personal_data.read": AuditLogAction.PERSONAL_DATA_READ})
