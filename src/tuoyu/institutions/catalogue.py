"""Error codes and audit actions of institutions ([house] point 5, see
`tuoyu.core.catalogue`). Codes named in API-CONTRACT (`authority_mismatch`,
`wrong_authority`, `uscc_authority_mismatch`, `event_conflict`, `unknown_institution`,
`class_size_exceeds_standard`) are fixed."""

from django.utils.translation import gettext_lazy as _

from tuoyu.core.catalogue import AuditAction, ErrorCode, legacy_audit_actions


class InstitutionsError(ErrorCode):
    # registration events (API-CONTRACT §1, P-REG-10, P-REG-11)
    AUTHORITY_MISMATCH = "authority_mismatch", _("推送的登记机关与令牌所属部门不一致")
    WRONG_AUTHORITY = "wrong_authority", _("该类机构不由此登记机关登记（P-REG-10）")
    LEGAL_FORM_MISMATCH = "legal_form_mismatch", _("法人类型与营利性不相符（P-REG-10）")
    USCC_AUTHORITY_MISMATCH = (
        "uscc_authority_mismatch",
        _("统一社会信用代码的登记管理部门代码与推送的登记机关不符（GB 32100-2015）"),
    )
    EVENT_CONFLICT = "event_conflict", _("同一事件编号已以不同内容接收过")
    DUPLICATE_EVENT_ID = "duplicate_event_id", _("事件编号与前面的行重复")
    INVALID_DATETIME = "invalid_datetime", _("日期时间格式错误，应为如 2024-03-01 09:00")
    ALREADY_REGISTERED = "already_registered", _("该机构已登记，不能重复登记")
    UNKNOWN_INSTITUTION = "unknown_institution", _("该统一社会信用代码对应的机构尚未登记")
    ALREADY_DEREGISTERED = "already_deregistered", _("该机构已注销登记")
    INSTITUTION_DEREGISTERED = "institution_deregistered", _("机构已注销登记，不能办理此事项")
    # filing state, kept by institutions for filings (P-FIL-3)
    INSTITUTION_NOT_FILED = "institution_not_filed", _("机构尚未备案或备案已注销")
    FILING_CANCELLED = "filing_cancelled", _("机构备案已注销")
    # classes (P-STD-1)
    CLASS_SIZE_EXCEEDS_STANDARD = "class_size_exceeds_standard", _("班级人数超过托育机构设置标准")
    CAPACITY_INVALID = "capacity_invalid", _("核定人数应为正整数")
    CLASS_NAME_TAKEN = "class_name_taken", _("本机构已有同名班级")
    CLASS_FILED = "class_filed", _("已备案班级须通过备案变更撤销")
    # affordable designations (P-MODE-2)
    AFFORDABLE_BEFORE_FILING = "affordable_before_filing", _("起始日期不能早于机构备案日期")
    AFFORDABLE_OVERLAP = "affordable_overlap", _("与已有普惠性认定期间重叠")
    AFFORDABLE_ALREADY_WITHDRAWN = "affordable_already_withdrawn", _("该普惠性认定已撤销")
    AFFORDABLE_ALREADY_ENDED = "affordable_already_ended", _("该普惠性认定已到期，无需撤销")
    # chain agreements (P-MODE-3)
    AGREEMENT_NUMBER_TAKEN = "agreement_number_taken", _("协议编号已被使用")
    CHAIN_HEAD_NOT_REGISTERED = "chain_head_not_registered", _("总部机构须为已登记且未注销的机构")
    CHAIN_MAX_BELOW_BRANCHES = (
        "chain_max_below_branches",
        _("分支机构上限不能低于已挂靠的分支机构数"),
    )
    CHAIN_AGREEMENT_ENDED = "chain_agreement_ended", _("该协议已提前终止")
    CHAIN_AGREEMENT_NOT_IN_FORCE = "chain_agreement_not_in_force", _("该协议已过有效期")
    CHAIN_BRANCH_IS_HEAD = "chain_branch_is_head", _("总部机构不能作为本协议的分支机构")
    CHAIN_BRANCH_ELSEWHERE = "chain_branch_elsewhere", _("该机构已挂靠其他连锁经营协议")
    CHAIN_BRANCHES_EXCEEDED = "chain_branches_exceeded", _("分支机构已达协议上限")
    CHAIN_BRANCH_NOT_ATTACHED = "chain_branch_not_attached", _("该机构不是本协议的分支机构")
    # the public directory
    PAGE_OUT_OF_RANGE = "page_out_of_range", _("页码超出范围")


class InstitutionsAction(AuditAction):
    REGISTRATION_REGISTERED = "institutions.registration.registered", _("接收登记信息：登记")
    REGISTRATION_CHANGED = "institutions.registration.changed", _("接收登记信息：变更")
    REGISTRATION_DEREGISTERED = "institutions.registration.deregistered", _("接收登记信息：注销")
    REGISTRATION_IMPORTED = "institutions.registration.imported", _("Excel 批量导入登记信息")
    REGISTRATION_SEEDED = "institutions.registration.seeded", _("生成演示登记信息")
    INSTITUTION_SEEDED = "institutions.institution.seeded", _("生成演示托育机构")
    INSTITUTION_FILED_FACTS_APPLIED = (
        "institutions.institution.filed_facts_applied",
        _("备案事项写入机构信息"),
    )
    FILING_STATE_CANCELLED = "institutions.filing_state.cancelled", _("机构备案状态变为已注销")
    DIRECTORY_EXPORTED = "institutions.directory.exported", _("导出托育机构名录")
    # [hardening] point 16: every export and document download leaves an audit event
    REGISTRATIONS_EXPORTED = "institutions.registrations.exported", _("导出登记信息")
    CHAIN_DOCUMENT_DOWNLOADED = (
        "institutions.chain_agreement.document_downloaded",
        _("查看连锁经营协议文件"),
    )
    AFFORDABLE_DOCUMENT_DOWNLOADED = (
        "institutions.affordable.document_downloaded",
        _("查看普惠性认定文件"),
    )
    CARE_CLASS_CREATED = "institutions.care_class.created", _("新增班级")
    CARE_CLASS_WITHDRAWN = "institutions.care_class.withdrawn", _("撤销未备案班级")
    CHAIN_AGREEMENT_CREATED = "institutions.chain_agreement.created", _("新建连锁经营协议")
    CHAIN_AGREEMENT_UPDATED = "institutions.chain_agreement.updated", _("修改连锁经营协议")
    CHAIN_AGREEMENT_ENDED = "institutions.chain_agreement.ended", _("提前终止连锁经营协议")
    CHAIN_AGREEMENT_BRANCH_ATTACHED = (
        "institutions.chain_agreement.branch_attached",
        _("分支机构挂靠连锁经营协议"),
    )
    CHAIN_AGREEMENT_BRANCH_DETACHED = (
        "institutions.chain_agreement.branch_detached",
        _("分支机构解除挂靠"),
    )
    AFFORDABLE_DESIGNATED = "institutions.affordable.designated", _("认定普惠性托育机构")
    AFFORDABLE_WITHDRAWN = "institutions.affordable.withdrawn", _("撤销普惠性认定")
    AFFORDABLE_CLOSED_ON_CANCELLATION = (
        "institutions.affordable.closed_on_cancellation",
        _("备案注销终止普惠性认定"),
    )


A = InstitutionsAction
legacy_audit_actions(
    {
        "institutions.registration_registered": A.REGISTRATION_REGISTERED,
        "institutions.registration_changed": A.REGISTRATION_CHANGED,
        "institutions.registration_deregistered": A.REGISTRATION_DEREGISTERED,
        "institutions.registrations_imported": A.REGISTRATION_IMPORTED,
        "seed.registration_events_generated": A.REGISTRATION_SEEDED,
        "seed.institutions_generated": A.INSTITUTION_SEEDED,
        "institution.filed_facts_applied": A.INSTITUTION_FILED_FACTS_APPLIED,
        "institutions.directory_exported": A.DIRECTORY_EXPORTED,
        "care_class.created": A.CARE_CLASS_CREATED,
        "care_class.withdrawn": A.CARE_CLASS_WITHDRAWN,
        "chain_agreement.created": A.CHAIN_AGREEMENT_CREATED,
        "chain_agreement.updated": A.CHAIN_AGREEMENT_UPDATED,
        "chain_agreement.ended": A.CHAIN_AGREEMENT_ENDED,
        "chain_agreement.branch_attached": A.CHAIN_AGREEMENT_BRANCH_ATTACHED,
        "chain_agreement.branch_detached": A.CHAIN_AGREEMENT_BRANCH_DETACHED,
        "affordable.designated": A.AFFORDABLE_DESIGNATED,
        "affordable.withdrawn": A.AFFORDABLE_WITHDRAWN,
        "affordable.closed_on_cancellation": A.AFFORDABLE_CLOSED_ON_CANCELLATION,
    }
)
del A
