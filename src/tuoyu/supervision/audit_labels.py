"""What the audit page calls the keys supervision's events record beside model fields
([accounts-ux] #9 point 5: sentences with labelled fields, never raw keys)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# One vocabulary for every model of the app; model fields are labelled by the models.
FIELDS = {
    "category": _("投诉类别"),
    "channel": _("来源渠道"),
    "checklist": _("检查表"),
    "drawn": _("抽中机构数"),
    "failed": _("不合格项"),
    "notified": _("通报部门"),
    "persons": _("涉及人员"),
    "points": _("分值"),
    "population": _("总体机构数"),
    "rating": _("信用等级"),
    "score": _("分数"),
    "seed": _("随机种子"),
    "substantiated": _("是否属实"),
    "today": _("日期"),
    "urgent": _("紧急"),
    "inspections": _("检查"),
    "orders": _("整改通知"),
    "complaints": _("投诉"),
    "credit_events": _("信用事件"),
    "plans": _("检查计划"),
    "decision_ref": _("决定文号"),
    "lifted_on": _("解除停业日期"),
    "lift_decision_ref": _("解除停业决定文号"),
}


def register_audit_labels() -> None:
    from django.apps import apps

    from tuoyu.audit.presentation import register_audit_labels as register

    for model in apps.get_app_config("supervision").get_models():
        register(model._meta.label_lower, fields=FIELDS)
