"""Error codes and audit actions of supervision ([house] point 5, `tuoyu.core.catalogue`)."""

from django.utils.translation import gettext_lazy as _

from tuoyu.core.catalogue import AuditAction, ErrorCode


class SupervisionError(ErrorCode):
    # complaints (P-SUP-4)
    COMPLAINT_TEXT_EMPTY = "complaint_text_empty", _("请填写投诉内容")
    COMPLAINT_TEXT_TOO_LONG = "complaint_text_too_long", _("投诉内容过长")
    COMPLAINT_UNKNOWN_INSTITUTION = (
        "complaint_unknown_institution",
        _("平台上没有该统一社会信用代码对应的托育机构"),
    )
    COMPLAINT_UNKNOWN_CATEGORY = "complaint_unknown_category", _("投诉类别不存在")
    COMPLAINT_RATE_LIMITED = "complaint_rate_limited", _("提交过于频繁，请稍后再试")
    COMPLAINT_ALREADY_ANSWERED = "complaint_already_answered", _("该投诉已答复")
    REPLY_EMPTY = "reply_empty", _("请填写答复内容")
    # inspections (P-SUP-3)
    NO_SUPERVISORY_DUTY = "no_supervisory_duty", _("本部门没有托育机构监督检查职责")
    DRAW_LARGER_THAN_POPULATION = (
        "draw_larger_than_population",
        _("抽取数量超过本部门可检查的机构数"),
    )
    DRAW_NO_INSPECTORS = "draw_no_inspectors", _("本部门没有可抽取的检查人员")
    PLAN_ALREADY_DRAWN = "plan_already_drawn", _("该计划已抽取，不能重复抽取")
    INSPECTION_ALREADY_DONE = "inspection_already_done", _("该检查已完成")
    CHECKLIST_INCOMPLETE = "checklist_incomplete", _("检查表尚有未填写的检查项")
    SEVERITY_REQUIRED = "severity_required", _("不合格项须选择问题严重程度")
    PHOTO_NOT_IMAGE = "photo_not_image", _("照片须为 JPEG 或 PNG 图片")
    # rectification (P-SUP-3)
    ORDER_OTHER_DEPARTMENT = "order_other_department", _("该整改通知由其他部门下达，本部门不能处理")
    ORDER_NOT_REPLIED = "order_not_replied", _("机构尚未提交整改情况")
    # credit events entered by a department (P-SUP-5)
    CREDIT_KIND_NOT_ENTERED = (
        "credit_kind_not_entered",
        _("该类信用事件由系统自动记录，不能手工录入"),
    )
    CREDIT_EVENT_DUPLICATE = (
        "credit_event_duplicate",
        _("该决定文号的同类信用事件已记录"),
    )
    CREDIT_DATE_IN_FUTURE = "credit_date_in_future", _("事件日期不能晚于今天")
    # blacklist (P-SUP-5/6)
    BLACKLIST_SELF_APPROVAL = "blacklist_self_approval", _("提议人不能审核自己提议的黑名单")
    BLACKLIST_SUBJECT_REQUIRED = "blacklist_subject_required", _("请指定列入黑名单的机构或个人")
    SUSPENSION_ALREADY_LIFTED = "suspension_already_lifted", _("该停业决定已解除")
    CASE_PERSONS_REQUIRED = "case_persons_required", _("请填写涉事人员和直接负责的管理人员")


class SupervisionAction(AuditAction):
    COMPLAINT_FILED = "supervision.complaint.filed", _("受理投诉")
    COMPLAINT_ANSWERED = "supervision.complaint.answered", _("答复投诉")
    PLAN_CREATED = "supervision.plan.created", _("制定检查计划")
    PLAN_DRAWN = "supervision.plan.drawn", _("双随机抽取检查对象和检查人员")
    INSPECTION_CREATED = "supervision.inspection.created", _("安排检查")
    INSPECTION_RECORDED = "supervision.inspection.recorded", _("录入检查结果")
    ORDER_REPLIED = "supervision.order.replied", _("提交整改情况")
    ORDER_ACCEPTED = "supervision.order.accepted", _("整改验收通过")
    ORDER_REOPENED = "supervision.order.reopened", _("整改退回重新整改")
    ORDER_ESCALATED = "supervision.order.escalated", _("整改逾期上报")
    CREDIT_EVENT_RECORDED = "supervision.credit_event.recorded", _("记录信用事件")
    CREDIT_EVENT_ENTERED = "supervision.credit_event.entered", _("录入信用事件")
    CASE_SUSPENSION_LIFTED = "supervision.zero_tolerance_case.lifted", _("解除责令停业")
    BLACKLIST_PROPOSED = "supervision.blacklist.proposed", _("提议列入黑名单")
    BLACKLIST_APPROVED = "supervision.blacklist.approved", _("审核同意列入黑名单")
    CASE_OPENED = "supervision.zero_tolerance_case.opened", _("立案处理虐童事件")
    DEMO_SEEDED = "supervision.demo.seeded", _("生成演示监管数据")
    RISK_RECOMPUTED = "supervision.risk.recomputed", _("重算风险评分")
