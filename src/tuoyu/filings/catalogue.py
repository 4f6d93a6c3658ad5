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
    REJECTION_CATEGORY_REQUIRED = (
        "rejection_category_required",
        _("不予备案时请选择原因类别"),
    )
    # the form's values
    NUMBER_INVALID = "number_invalid", _("应为非负数字")
    COORDINATES_INVALID = "coordinates_invalid", _("经纬度超出范围")
    COMMUNITY_OUTSIDE_TOWNSHIP = "community_outside_township", _("所选村（社区）不属于所选镇乡街道")
    CERTIFIED_EXCEEDS_COUNT = "certified_exceeds_count", _("持证人数不能多于总人数")
    # P-STD-2 / P-WF-1: an institution with a roster files the roster's counts, never typed ones
    STAFF_FROM_ROSTER = (
        "staff_from_roster",
        _("人员配备取自本机构的从业人员名册，不能手工填写，请更新名册"),
    )
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
    HOME_CARE_POINT_CAREGIVERS_BELOW_RATIO = (
        "home_care_point_caregivers_below_ratio",
        _("家庭托育点照护人员数低于每人照护婴幼儿数的上限要求"),
    )
    # the standards section (P-STD-1/2/3): standards that must hold refuse the submission
    FLOOR_RANGE_INVALID = "floor_range_invalid", _("最高楼层不能低于最低楼层")
    FULL_TIME_EXCEEDS_COUNT = "full_time_exceeds_count", _("专职保健人员人数不能多于保健人员人数")
    HEAD_EDUCATION_BELOW_STANDARD = "head_education_below_standard", _("负责人学历低于大专")
    HEAD_EXPERIENCE_BELOW_STANDARD = (
        "head_experience_below_standard",
        _("负责人相关工作年限不足"),
    )
    HEAD_TRAINING_MISSING = "head_training_missing", _("负责人未经岗位培训")
    HEALTH_WORKER_NOT_TRAINED = "health_worker_not_trained", _("保健人员未经妇幼保健机构培训")
    FULL_TIME_HEALTH_WORKER_MISSING = (
        "full_time_health_worker_missing",
        _("未按收托规模配备专职保健人员"),
    )
    SECURITY_GUARD_UNLICENSED = "security_guard_unlicensed", _("未配备持证保安人员")
    LEASE_TOO_SHORT = "lease_too_short", _("房屋租期不足")
    LIVING_FLOOR_TOO_HIGH = "living_floor_too_high", _("婴幼儿生活用房楼层过高")
    LIVING_ROOMS_UNDERGROUND = "living_rooms_underground", _("婴幼儿生活用房设在地下")
    WINDOW_RATIO_BELOW_STANDARD = "window_ratio_below_standard", _("生活用房窗地面积比低于标准")
    OBSERVATION_ROOM_TOO_SMALL = "observation_room_too_small", _("保健观察室面积不足")
    OBSERVATION_BED_MISSING = "observation_bed_missing", _("保健观察室未设观察床")
    # the area per child (P-STD-3, a draft figure): a warning, shown, not blocking; the
    # caregiver ratio (P-STD-1) and health workers (P-STD-2) refuse the submission
    AREA_PER_CHILD_BELOW_STANDARD = "area_per_child_below_standard", _("生均面积低于标准")
    CAREGIVERS_BELOW_RATIO = "caregivers_below_ratio", _("保育人员数低于按班型配比的要求")
    HEALTH_WORKERS_BELOW_STANDARD = "health_workers_below_standard", _("保健人员数低于标准")


class FilingsAction(AuditAction):
    APPLICATION_STARTED = "filings.application.started", _("新建备案申请")
    APPLICATION_FACTS_SAVED = "filings.application.facts_saved", _("保存备案信息")
    APPLICATION_STARTED_BY_PUSH = (
        "filings.application.started_by_push",
        _("登记机关推送地址变更，开启备案变更"),
    )
    APPLICATION_PREMISES_PUSHED = (
        "filings.application.premises_pushed",
        _("登记机关推送地址变更，记入办理中的备案申请"),
    )
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
    # [accounts-ux] #9 point 4: previewed in the browser; taken off before submission
    MATERIAL_VIEWED = "filings.material.viewed", _("在线查看备案材料")
    MATERIAL_REMOVED = "filings.material.removed", _("删除备案材料")
    # [accounts-ux] #9 point 6: the receipt, opened by the institution or by the decider
    RECEIPT_DOWNLOADED = "filings.receipt.downloaded", _("下载备案回执")
    FILING_APPLIED = "filings.filing.applied", _("备案结果生效")
    FILING_CANCELLED = "filings.filing.cancelled", _("注销备案")
    DEADLINES_RECOMPUTED = "filings.application.deadlines_recomputed", _("重算备案办理期限")


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
