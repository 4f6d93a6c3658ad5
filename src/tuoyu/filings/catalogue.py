"""Error codes and audit actions of filings ([house] point 5, see `tuoyu.core.catalogue`).
Filings also raises institutions' codes about the institution's filing state
(`InstitutionsError.INSTITUTION_NOT_FILED`, `FILING_CANCELLED`, `CLASS_FILED` …)."""

from django.utils.translation import gettext_lazy as _

from tuoyu.core.catalogue import AuditAction, ErrorCode, legacy_audit_actions


class FilingsError(ErrorCode):
    # starting and moving an application (P-FIL-1..3)
    ALREADY_FILED = "already_filed", _("机构已备案，请办理备案变更")
    APPLICATION_OPEN = "application_open", _("已有正在办理的备案申请")
    SUBJECTS_PENDING = "subjects_pending", _("尚有审核事项未通过")
    REASON_REQUIRED = "reason_required", _("请填写理由")
    # the form's values
    NUMBER_INVALID = "number_invalid", _("应为非负数字")
    COORDINATES_INVALID = "coordinates_invalid", _("经纬度超出范围")
    COMMUNITY_OUTSIDE_TOWNSHIP = "community_outside_township", _("所选村（社区）不属于所选镇乡街道")
    CERTIFIED_EXCEEDS_COUNT = "certified_exceeds_count", _("持证人数不能多于总人数")
    # completeness at submission
    FACT_MISSING = "fact_missing", _("备案信息未填写完整")
    CLASSES_MISSING = "classes_missing", _("请至少设置一个班级")
    STAFF_MISSING = "staff_missing", _("请填写人员配备情况")
    MATERIAL_MISSING = "material_missing", _("缺少备案材料")
    COMMITMENT_REQUIRED = "commitment_required", _("请阅读并确认承诺书内容")
    NO_CHANGES = "no_changes", _("未修改任何备案事项")
    CLASS_TYPE_OUTSIDE_NURSERY_AGES = (
        "class_type_outside_nursery_ages",
        _("幼儿园托班不能招收该月龄段的幼儿"),
    )
    HOME_CARE_POINT_TOO_LARGE = "home_care_point_too_large", _("家庭托育点收托人数超过上限")
    # warnings against the standards (P-STD-1..5): shown, not blocking
    AREA_PER_CHILD_BELOW_STANDARD = "area_per_child_below_standard", _("生均面积低于标准")
    CAREGIVERS_BELOW_RATIO = "caregivers_below_ratio", _("保育人员数低于按班型配比的要求")
    HEALTH_WORKERS_BELOW_STANDARD = "health_workers_below_standard", _("保健人员数低于标准")


class FilingsAction(AuditAction):
    APPLICATION_STARTED = "filings.application.started", _("新建备案申请")
    APPLICATION_FACTS_SAVED = "filings.application.facts_saved", _("保存备案信息")
    APPLICATION_CLASS_MARKED_FOR_CLOSING = (
        "filings.application.class_marked_for_closing",
        _("备案变更：拟撤销班级"),
    )
    APPLICATION_CLASS_KEPT = "filings.application.class_kept", _("备案变更：保留班级")
    APPLICATION_SUBMITTED = "filings.application.submitted", _("提交备案申请")
    APPLICATION_RESUBMITTED = "filings.application.resubmitted", _("重新提交备案申请")
    APPLICATION_CHAIN_SIMPLIFIED_FILED = (
        "filings.application.chain_simplified_filed",
        _("连锁分支机构简化备案"),
    )
    APPLICATION_CANCELLATION_REQUESTED = (
        "filings.application.cancellation_requested",
        _("申请注销备案"),
    )
    APPLICATION_APPROVED = "filings.application.approved", _("予以备案")
    APPLICATION_REJECTED = "filings.application.rejected", _("不予备案")
    APPLICATION_WITHDRAWN = "filings.application.withdrawn", _("撤回备案申请")
    APPLICATION_SEEDED = "filings.application.seeded", _("生成演示备案数据")
    SUBJECT_REVIEW_APPROVED = "filings.subject_review.approved", _("审核事项通过")
    SUBJECT_REVIEW_RETURNED = "filings.subject_review.returned", _("审核事项退回")
    MATERIAL_UPLOADED = "filings.material.uploaded", _("上传备案材料")
    MATERIAL_DOWNLOADED = "filings.material.downloaded", _("下载备案材料")
    FILING_APPLIED = "filings.filing.applied", _("备案结果生效")
    FILING_CANCELLED = "filings.filing.cancelled", _("注销备案")


A = FilingsAction
legacy_audit_actions(
    {
        "filing.started": A.APPLICATION_STARTED,
        "filing.facts_saved": A.APPLICATION_FACTS_SAVED,
        "filing.class_marked_for_closing": A.APPLICATION_CLASS_MARKED_FOR_CLOSING,
        "filing.class_kept": A.APPLICATION_CLASS_KEPT,
        "filing.submitted": A.APPLICATION_SUBMITTED,
        "filing.resubmitted": A.APPLICATION_RESUBMITTED,
        "filing.chain_simplified_filed": A.APPLICATION_CHAIN_SIMPLIFIED_FILED,
        "filing.cancellation_requested": A.APPLICATION_CANCELLATION_REQUESTED,
        "filing.approved": A.APPLICATION_APPROVED,
        "filing.rejected": A.APPLICATION_REJECTED,
        "filing.withdrawn": A.APPLICATION_WITHDRAWN,
        "filing.application_withdrawn": A.APPLICATION_WITHDRAWN,
        "seed.filings_generated": A.APPLICATION_SEEDED,
        "filing.subject_approved": A.SUBJECT_REVIEW_APPROVED,
        "filing.subject_returned": A.SUBJECT_REVIEW_RETURNED,
        "filing.material_uploaded": A.MATERIAL_UPLOADED,
        "filing.material_downloaded": A.MATERIAL_DOWNLOADED,
        "filing.applied": A.FILING_APPLIED,
        "filing.cancelled": A.FILING_CANCELLED,
    }
)
del A
