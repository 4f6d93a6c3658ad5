"""Error codes and audit actions of workforce ([house] point 5, see `tuoyu.core.catalogue`).
The resident ID codes (`id_number_checksum`, `id_number_format`, `id_number_birth_date`) are
core's; `lifetime_ban`, `unknown_certificate_kind` and `certificate_dates` are fixed by
API-CONTRACT §2. A certificate scan refused for its file carries core's `file_missing`,
`file_empty`, `file_too_large` or `file_type_not_allowed` (`tuoyu.core.uploads`)."""

from django.utils.translation import gettext_lazy as _

from tuoyu.core.catalogue import AuditAction, ErrorCode


class WorkforceError(ErrorCode):
    # API-CONTRACT §2 (fixed)
    LIFETIME_BAN = "lifetime_ban", _("此人已被列入终身禁入名单，不得从事托育服务工作")
    UNKNOWN_CERTIFICATE_KIND = "unknown_certificate_kind", _("证书类型不在允许范围内")
    CERTIFICATE_DATES = "certificate_dates", _("证书有效期截止日期早于起始日期")
    # the person and the post (P-WF-1)
    PERSON_TOO_YOUNG = "person_too_young", _("按身份证号码计算未满 16 周岁，不能登记为从业人员")
    LEAVE_BEFORE_HIRE = "leave_before_hire", _("离职日期早于入职日期")
    ALREADY_ON_ROSTER = "already_on_roster", _("此人已在本机构在职人员名单中")
    ALREADY_LEFT = "already_left", _("此人已离职")
    CLASS_NOT_OF_INSTITUTION = "class_not_of_institution", _("所选班级不属于本机构或已撤销")
    DUPLICATE_PERSON_IN_FILE = "duplicate_person_in_file", _("同一人在文件中出现多次")
    TRAINING_HOURS_INVALID = "training_hours_invalid", _("培训学时应为正数")
    # lifetime bans (P-SUP-6)
    BAN_DECISION_REF_REQUIRED = "ban_decision_ref_required", _("请填写禁入决定文号")
    BAN_EXISTS = "ban_exists", _("此人已有生效或待审核的终身禁入记录")
    BAN_FOUR_EYES = (
        "ban_four_eyes",
        _("终身禁入须由另一名区卫健局工作人员审核，提出人不能审核本人提出的记录"),
    )
    BAN_NOT_PROPOSED = "ban_not_proposed", _("该禁入记录不在待审核状态")
    BAN_NOT_IN_FORCE = "ban_not_in_force", _("该禁入记录未生效，不能解除")
    BAN_LIFT_DECISION_REQUIRED = (
        "ban_lift_decision_required",
        _("解除终身禁入须登记法院或主管机关的决定（机关与文号）"),
    )
    BAN_NEVER_DELETED = "ban_never_deleted", _("终身禁入记录不能删除，只能依决定解除")


class WorkforceAction(AuditAction):
    STAFF_ADDED = "workforce.staff.added", _("登记从业人员")
    STAFF_UPDATED = "workforce.staff.updated", _("修改从业人员信息")
    STAFF_LEFT = "workforce.staff.left", _("从业人员离职")
    STAFF_IMPORTED = "workforce.staff.imported", _("批量导入从业人员")
    CERTIFICATE_ADDED = "workforce.certificate.added", _("登记从业人员证书")
    # P-WF-1: the certificate's scan (upload or replacement; download; preview)
    CERTIFICATE_SCAN_ATTACHED = "workforce.certificate.scan_attached", _("上传证书扫描件")
    CERTIFICATE_SCAN_DOWNLOADED = (
        "workforce.certificate.scan_downloaded",
        _("下载证书扫描件"),
    )
    CERTIFICATE_SCAN_VIEWED = "workforce.certificate.scan_viewed", _("在线查看证书扫描件")
    TRAINING_ADDED = "workforce.training.added", _("登记从业人员培训")
    BAN_PROPOSED = "workforce.ban.proposed", _("提出终身禁入")
    BAN_APPROVED = "workforce.ban.approved", _("审核通过终身禁入")
    BAN_RECORDED = "workforce.ban.recorded", _("依黑名单记录终身禁入")
    BAN_LIFTED = "workforce.ban.lifted", _("依决定解除终身禁入")
    BAN_ATTEMPT_RECORDED = "workforce.ban_attempt.recorded", _("终身禁入人员被尝试录用")
    TRAINING_EXPORTED = "workforce.training.exported", _("导出培训补贴名单")
