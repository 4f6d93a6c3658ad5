"""What the audit page calls the keys workforce's events record beside model fields
([accounts-ux] #9 point 5: sentences with labelled fields, never raw keys)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# One vocabulary for every model of the app; model fields are labelled by the models.
FIELDS = {
    "authority": _("决定机关"),
    "ban_id": _("终身禁入记录"),
    "bans": _("终身禁入"),
    "blacklist_entry_id": _("黑名单记录"),
    "certificates": _("证书"),
    "channel": _("录入方式"),
    "decision_ref": _("决定文号"),
    "file": _("文件"),
    "flagged_employments": _("被标记的在岗记录"),
    "institution_id": _("机构"),
    "left_on": _("离职日期"),
    "rows": _("行数"),
    "seed": _("随机种子"),
    "staff": _("从业人员"),
    "status": _("状态"),
    "year": _("年度"),
    "trainings": _("培训"),
    "persons": _("人员"),
    "attempts": _("录用尝试"),
    "staff_id": _("从业人员"),
    "content_type": _("文件类型"),
    "size": _("大小（字节）"),
    "replaced": _("替换原扫描件"),
}


def register_audit_labels() -> None:
    from django.apps import apps

    from tuoyu.audit.presentation import register_audit_labels as register

    for model in apps.get_app_config("workforce").get_models():
        register(model._meta.label_lower, fields=FIELDS)
