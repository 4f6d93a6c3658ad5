"""Chinese labels and units of every parameter, for the policy page.

A test checks that every key of the schema has a label here, so a new parameter cannot
reach the page unlabelled. Units: "%" shows a 0–1 share as a percentage, "ratio" shows
children per caregiver as "1 : n"; any other unit is printed after the number.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Label:
    label: str | Promise
    unit: str | Promise = ""


SECTIONS: dict[str, str | Promise] = {
    "targets": _("工作目标"),
    "classes": _("班级类型与师生比"),
    "standards": _("托育机构设置标准"),
    "filing": _("登记备案"),
    "subsidy": _("财政补助与奖励"),
    "fees": _("收费"),
    "health": _("卫生保健"),
    "indicators": _("指标口径"),
    "tax": _("税费优惠"),
    "workforce": _("从业人员"),
    "supervision": _("综合监管"),
    "retention": _("个人信息保存期限"),
}

CLASS_FIELDS: dict[str, Label] = {
    "name_zh": Label(_("班级名称")),
    "min_age_months": Label(_("最小月龄（含）"), _("个月")),
    "max_age_months": Label(_("最大月龄（不含）"), _("个月")),
    "max_children": Label(_("最大班额"), _("人")),
    "children_per_caregiver": Label(_("保育人员与婴幼儿最低配比"), "ratio"),
}

PARAMS: dict[str, Label] = {
    # targets (the unit is that of the target value)
    "targets.new_institutions_2020": Label(_("新增婴幼儿照护服务机构"), _("家")),
    "targets.new_slots_2020": Label(_("新增托位"), _("个")),
    "targets.health_management_rate_2020": Label(_("婴幼儿健康管理率"), "%"),
    "targets.parenting_knowledge_rate_2020": Label(_("家长科学育儿知识普及率"), "%"),
    "targets.provincial_demonstration_units_2020": Label(_("培育省级示范单位"), _("家")),
    "targets.health_management_rate_2025": Label(_("婴幼儿健康管理率"), "%"),
    "targets.parenting_knowledge_rate_2025": Label(_("家长科学育儿知识普及率"), "%"),
    "targets.practitioner_certification_rate_2025": Label(_("从业人员持证率"), "%"),
    "targets.township_affordable_coverage_2025": Label(
        _("设有普惠性托育机构的镇乡（街道）比例"), "%"
    ),
    "targets.community_coverage_2025": Label(_("城乡社区婴幼儿照护服务机构覆盖率")),
    "targets.nursery_class_rate_2025": Label(_("幼儿园托班设置率")),
    "targets.enrolment_rate_2025": Label(_("婴幼儿入托率")),
    "targets.service_system_coverage_2025": Label(_("服务体系、标准规范体系城乡覆盖"), "%"),
    "targets.slots_per_1000_2025": Label(_("每千人口托位数"), _("个")),
    "targets.affordable_slot_share_2025": Label(_("普惠性托位占比"), "%"),
    # standards
    "standards.min_age_months": Label(_("收托最小月龄"), _("个月")),
    "standards.nursery_class_min_age_months": Label(_("幼儿园托班最小月龄（含）"), _("个月")),
    "standards.nursery_class_max_age_months": Label(_("幼儿园托班最大月龄（不含）"), _("个月")),
    "standards.head_min_experience_years": Label(_("负责人相关工作经历不少于"), _("年")),
    "standards.min_health_workers": Label(_("保健人员不少于"), _("名")),
    "standards.full_time_health_worker_threshold_children": Label(
        _("须配专职保健人员的收托人数"), _("人")
    ),
    "standards.premises_min_lease_years": Label(_("场地租期不少于"), _("年")),
    "standards.max_living_floor": Label(_("生活用房所在楼层不高于"), _("层")),
    "standards.min_window_floor_ratio": Label(_("生活用房窗地面积比不低于"), "%"),
    "standards.health_observation_room_min_m2": Label(_("保健观察室面积不少于"), _("平方米")),
    "standards.area_per_child_m2": Label(_("每名婴幼儿使用面积不少于"), _("平方米")),
    "standards.cctv_retention_days": Label(_("监控录像保存不少于"), _("天")),
    "standards.outdoor_hours_per_day": Label(_("每日户外活动不少于（全日托）"), _("小时")),
    "standards.home_care_point_max_children": Label(_("家庭托育点收托人数不超过"), _("人")),
    "standards.home_care_point_children_per_caregiver": Label(
        _("家庭托育点每名照护人员照护不超过"), _("人")
    ),
    # filing
    "filing.receipt_working_days": Label(_("材料齐全后出具备案回执"), _("个工作日内")),
    "filing.rejection_notice_working_days": Label(_("不符合要求的告知时限"), _("个工作日内")),
    "filing.registration_to_filing_deadline_days": Label(
        _("登记后应完成备案的期限（逾期标记）"), _("天")
    ),
    # subsidy
    "subsidy.new_class_eligible_from": Label(_("新增班级补助适用于此日起新增的班级")),
    "subsidy.new_class_affordable_yuan": Label(_("普惠性托育机构每增设 1 个班补助"), _("元")),
    "subsidy.new_class_other_yuan": Label(_("非普惠性托育机构每增设 1 个班补助"), _("元")),
    "subsidy.operating_per_slot_year_yuan": Label(_("普惠性托育机构运营补助"), _("元/托位·年")),
    "subsidy.operating_basis": Label(_("运营补助托位口径")),
    "subsidy.operating_prorated_by_days": Label(_("运营补助按天折算")),
    "subsidy.demonstration_national_yuan": Label(_("国家级示范单位奖励"), _("元")),
    "subsidy.demonstration_provincial_yuan": Label(_("省级示范单位奖励"), _("元")),
    "subsidy.demonstration_municipal_yuan": Label(_("市级示范单位奖励"), _("元")),
    "subsidy.demonstration_award_rule": Label(_("示范奖励发放规则")),
    "subsidy.comprehensive_centre_yuan": Label(_("综合托育服务中心奖补"), _("元")),
    "subsidy.claim_eligibility_rules": Label(_("补助申请资格审核条件")),
    # fees
    "fees.affordable_max_prepay_months": Label(_("普惠性托育机构预收费不超过"), _("个月")),
    # health
    "health.reexam_after_absence_months": Label(_("离园超过此时长须重新入托体检"), _("个月")),
    "health.exams_per_year_under_1": Label(_("1 岁以内健康检查"), _("次/年")),
    "health.exams_per_year_1_to_3": Label(_("1—3 岁健康检查"), _("次/年")),
    "health.exam_interval_months_1_to_3": Label(_("1—3 岁健康检查间隔"), _("个月")),
    "health.haemoglobin_tests_per_year": Label(_("血红蛋白检测"), _("次/年")),
    "health.hearing_screens_per_year_1_to_3": Label(_("1—3 岁听力筛查"), _("次/年")),
    "health.vaccination_check_within_days": Label(_("入托后查验预防接种证时限"), _("天内")),
    "health.staff_exam_interval_months": Label(_("工作人员健康检查间隔"), _("个月")),
    "health.outbreak.class_similar_cases_same_day": Label(
        _("同一班级同日症状相似病例达到"), _("例")
    ),
    "health.outbreak.class_similar_cases_in_window": Label(
        _("同一班级连续数日内症状相似病例达到"), _("例")
    ),
    "health.outbreak.class_similar_window_days": Label(_("症状相似病例统计天数"), _("天")),
    "health.outbreak.report_within_hours": Label(_("疫情报告时限"), _("小时内")),
    "health.outbreak.hfmd_class_cases": Label(_("手足口病：同一班级病例达到"), _("例")),
    "health.outbreak.hfmd_class_window_days": Label(_("手足口病：班级统计天数"), _("天")),
    "health.outbreak.hfmd_institution_cases": Label(_("手足口病：同一机构病例达到"), _("例")),
    "health.outbreak.hfmd_institution_window_days": Label(_("手足口病：机构统计天数"), _("天")),
    "health.outbreak.symptoms": Label(_("需关注的相似症状")),
    # indicators
    "indicators.parenting_pass_mark": Label(_("科学育儿知识问卷及格线（答对比例）"), "%"),
    "indicators.health_management_definition": Label(_("婴幼儿健康管理率口径")),
    # tax
    "tax.care_income_counted_share": Label(_("托育服务收入计入应纳税所得额的比例"), "%"),
    "tax.community_care_modes": Label(_("享受社区托育税费优惠的服务模式")),
    # workforce
    "workforce.min_staff_age_years": Label(_("从业人员年满"), _("周岁")),
    "workforce.head_min_education": Label(_("负责人最低学历")),
    "workforce.health_worker_certificate_kinds": Label(_("保健人员须持有的证书（其一）")),
    "workforce.certification_rate_kinds": Label(_("计入持证率的证书")),
    "workforce.certification_rate_roles": Label(_("持证率统计的岗位")),
    "workforce.expiry_warning_days": Label(_("证书到期提前提醒"), _("天")),
    # supervision (P-SUP-3..5)
    "supervision.complaint_routing": Label(_("投诉类别与承办部门")),
    "supervision.complaint_urgent_categories": Label(_("紧急投诉类别与立即通报部门")),
    "supervision.complaint_answer_days": Label(_("投诉答复期限"), _("天")),
    "supervision.complaint_urgent_answer_days": Label(_("紧急投诉答复期限"), _("天")),
    "supervision.rectification_days_minor": Label(_("一般问题整改期限"), _("天")),
    "supervision.rectification_days_serious": Label(_("严重问题整改期限"), _("天")),
    "supervision.rectification_days_critical": Label(_("重大问题整改期限"), _("天")),
    "supervision.credit_base_score": Label(_("信用基础分"), _("分")),
    "supervision.credit_points_serious_finding": Label(_("检查发现严重问题"), _("分")),
    "supervision.credit_points_overdue_order": Label(_("逾期未整改"), _("分")),
    "supervision.credit_points_substantiated_complaint": Label(_("投诉查实"), _("分")),
    "supervision.credit_points_penalty": Label(_("受到行政处罚"), _("分")),
    "supervision.credit_points_commendation": Label(_("受到表彰"), _("分")),
    "supervision.credit_points_demonstration": Label(_("评为示范机构"), _("分")),
    "supervision.credit_rating_a_min": Label(_("A 级信用最低分"), _("分")),
    "supervision.credit_rating_b_min": Label(_("B 级信用最低分"), _("分")),
    "supervision.credit_rating_c_min": Label(_("C 级信用最低分"), _("分")),
    "supervision.risk_weight_failed_item": Label(_("风险权重：每个不合格检查项")),
    "supervision.risk_weight_open_order": Label(_("风险权重：每份未办结整改通知")),
    "supervision.risk_weight_overdue_order": Label(_("风险权重：每份逾期整改通知")),
    "supervision.risk_weight_complaint": Label(_("风险权重：每件投诉")),
    "supervision.risk_weight_outbreak_alert": Label(_("风险权重：每次传染病预警")),
    "supervision.risk_weight_credit_step": Label(_("风险权重：信用等级每低一级")),
    "supervision.risk_weight_month_uninspected": Label(_("风险权重：每月未受检查")),
    "supervision.risk_weight_staffing_gap": Label(_("风险权重：人员配备不足")),
    "supervision.risk_lookback_days": Label(_("风险评分统计期"), _("天")),
    "supervision.risk_max_months_uninspected": Label(_("未受检查月数计分上限"), _("个月")),
    # retention ([operations] point 3): years after the relationship ends
    "retention.child_after_withdrawal_years": Label(_("婴幼儿离园后个人信息保存"), _("年")),
    "retention.staff_after_leaving_years": Label(_("从业人员离职后个人信息保存"), _("年")),
    "retention.complaint_after_closing_years": Label(_("投诉办结后投诉人信息保存"), _("年")),
    "retention.account_after_disabling_years": Label(_("账号停用后姓名与邮箱保存"), _("年")),
    "retention.login_attempts_years": Label(_("登录尝试记录保存"), _("年")),
    "retention.practitioner_credit_years": Label(_("从业人员信用事件中的个人信息保存"), _("年")),
    "health.meal_account_publish_by_day": Label(_("伙食费月度账目须于次月此日前公示"), _("日")),
}

CHOICES: dict[str, str | Promise] = {
    "filed_slots": _("备案托位数"),
    "enrolled_children": _("在托婴幼儿数"),
    "each_level_once": _("每个级别各奖励一次"),
    "highest_level_difference": _("按达到的最高级别奖励一次，晋级补差额"),
    "any_followup": _("年内至少 1 次健康随访"),
    "systematic_4_2_2": _("按 4-2-2 频次的系统管理"),
    "junior_middle": _("初中及以下"),
    "senior_middle": _("高中（中专）"),
    "junior_college": _("大专"),
    "bachelor": _("本科"),
    "postgraduate": _("研究生"),
}

# [accounts-ux] 5: the words of the codes that policy mappings hold (complaint categories
# and the departments they go to, P-SUP-4): the page shows these, never the codes.
MAPPING_WORDS: dict[str, str | Promise] = {
    "food": _("食品安全"),
    "fire": _("消防安全"),
    "security": _("安全防范"),
    "health_care": _("卫生保健"),
    "fees": _("收费"),
    "abuse": _("虐童等侵害"),
    "other": _("其他"),
    "health": _("区卫健局"),
    "market_regulation": _("区市场监管局"),
    "fire_rescue": _("区消防救援大队"),
    "public_security": _("区公安分局"),
    "development_reform": _("区发改局"),
    "education": _("区教体局"),
    "civil_affairs": _("区民政局"),
    # the subsidy review's eligibility rules (P-SUB-1..3)
    "filed_on_dates": _("补助所涉日期已备案且未注销"),
    "not_blacklisted": _("未列入黑名单"),
    "no_open_critical_order": _("无未关闭的严重问题整改通知"),
    "not_suspended": _("未被责令停业整顿"),
    # service modes (P-MODE-1), as institutions names them
    "family_care": _("家庭照护（家庭托育点）"),
    "community": _("社区统筹"),
    "social": _("社会兴办"),
    "employer": _("单位自建"),
    "kindergarten_class": _("幼儿园办托班"),
    "public_private": _("公办民营"),
    "private_public_support": _("民办公助"),
}

TARGET_KINDS: dict[str, str | Promise] = {
    "count": _("数量"),
    "rate": _("比率"),
    "per_thousand": _("每千人口"),
    "trend": _("趋势"),
}

CONFIDENCE: dict[str, str | Promise] = {
    "A": _("官方原文"),
    "B": _("多方转载一致"),
    "U": _("待核实"),
}


def label_for(key: str) -> Label:
    """The label of a dotted key; class standards share one label per field."""
    parts = key.split(".")
    if parts[0] == "classes" and len(parts) == 3:
        return CLASS_FIELDS[parts[2]]
    return PARAMS[key]
