"""What the audit page calls the keys children's events record beside model fields
([accounts-ux] #9 point 5: sentences with labelled fields, never raw keys)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# One vocabulary for every model of the app (a child, a batch of checks, an alert, an
# examination); keys that are model fields are labelled by the models themselves.
FIELDS = {
    "action_taken": _("处置措施"),
    "alerts": _("预警"),
    "batch_id": _("批次"),
    "care_class_id": _("班级"),
    "cases": _("病例数"),
    "catch_up": _("补录"),
    "checked_on": _("查验日期"),
    "child_id": _("儿童"),
    "children": _("儿童数"),
    "class_id": _("班级"),
    "dates": _("日期"),
    "duplicates": _("重复记录"),
    "enrolled_on": _("入托日期"),
    "entry_examination": _("入托体检"),
    "examinations": _("体检记录"),
    "examined_on": _("体检日期"),
    "flags": _("提示"),
    "health_checks": _("晨午检记录"),
    "institution_id": _("机构"),
    "kind": _("类型"),
    "left_on": _("离园日期"),
    "on": _("日期"),
    "rejected": _("被拒记录"),
    "seed": _("随机种子"),
    "symptom": _("症状"),
    "transfer": _("转园"),
    "window_end": _("统计截止日"),
    "accepted": _("接收记录"),
    "digest": _("摘要"),
    "count": _("数量"),
    "issued_on": _("开具日期"),
    "sent_home_on": _("离园日期"),
    "scan": _("扫描件"),
    "form_scan": _("体检表扫描件"),
    "size": _("大小（字节）"),
    "year": _("年度"),
    "institutions": _("机构数"),
    "month": _("月份"),
    "income_yuan": _("伙食费收入（元）"),
    "food_spending_yuan": _("食品支出（元）"),
    "published": _("已公示"),
}


def register_audit_labels() -> None:
    from django.apps import apps

    from tuoyu.audit.presentation import register_audit_labels as register

    for model in apps.get_app_config("children").get_models():
        register(model._meta.label_lower, fields=FIELDS)
