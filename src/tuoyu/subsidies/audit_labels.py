"""What the audit page calls the keys subsidies' events record beside model fields
([accounts-ux] #9 point 5: sentences with labelled fields, never raw keys)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# One vocabulary for every model of the app; model fields are labelled by the models.
FIELDS = {
    "number": _("申请编号"),
    "year": _("年度"),
    "item_keys": _("补助项目"),
    "claimed_yuan": _("申请金额（元）"),
    "materials": _("申请材料"),
    "reductions": _("核减"),
    "checks": _("资格核查"),
    "reviewed_yuan": _("审核金额（元）"),
    "approved_yuan": _("批准金额（元）"),
    "fund": _("资金"),
    "fund_id": _("资金"),
    "budget_year": _("预算年度"),
    "voucher_number": _("凭证号"),
    "paid_on": _("支付日期"),
    "amount_yuan": _("金额（元）"),
    "status": _("状态"),
    "material_id": _("申请材料"),
    "code": _("资金编码"),
    "source": _("资金来源"),
    "pays_refs": _("可支付的补助项目"),
    "document_ref": _("文号"),
    "reverses_id": _("被追回的支付记录"),
    "claim_id": _("补助申请"),
    "institution_id": _("机构"),
    "today": _("演示数据日期"),
    "township": _("镇乡街道"),
    "rows": _("行数"),
    "total_yuan": _("合计金额（元）"),
    "list": _("名单"),
    "on_date": _("名单日期"),
    "level": _("级别"),
    "conferred_on": _("授予日期"),
}

LISTS = {"tax": _("税费优惠名单"), "utility": _("水电气按居民价格执行名单")}


def _display(key, value):
    if key == "list" and value in LISTS:
        return str(LISTS[value])
    return None


def register_audit_labels() -> None:
    from django.apps import apps

    from tuoyu.audit.presentation import register_audit_labels as register

    for model in apps.get_app_config("subsidies").get_models():
        register(model._meta.label_lower, fields=FIELDS, display=_display)
    # the relief lists are exported about institutions
    register(
        "institutions.institution",
        fields={k: FIELDS[k] for k in ("list", "on_date", "township", "rows")},
        display=_display,
    )
