"""Forms of the supervision pages (types and sizes; the rules are in the services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tuoyu.supervision.models import ComplaintCategory, Severity
from tuoyu.supervision.services.complaints import DESCRIPTION_MAX_LENGTH


class _Styled(forms.Form):
    """Bootstrap classes on every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class ComplaintForm(_Styled):
    uscc = forms.CharField(label=_("机构统一社会信用代码"), max_length=18)
    category = forms.ChoiceField(label=_("投诉类别"), choices=ComplaintCategory.choices)
    # No max_length here: the service answers an oversized text with its own code.
    description = forms.CharField(
        label=_("投诉内容"),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": DESCRIPTION_MAX_LENGTH}),
        required=False,
    )
    anonymous = forms.BooleanField(label=_("匿名投诉（不留联系方式）"), required=False)
    contact_phone = forms.CharField(label=_("联系电话（可选）"), max_length=20, required=False)


class AnswerForm(_Styled):
    reply = forms.CharField(label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 5}))
    substantiated = forms.ChoiceField(
        label=_("核查结论"), choices=[("yes", _("投诉属实")), ("no", _("投诉不属实"))]
    )


class PlanForm(_Styled):
    title = forms.CharField(label=_("计划名称"), max_length=120, required=False)
    period_start = forms.DateField(
        label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    draw_size = forms.IntegerField(label=_("抽取机构数"), min_value=1, max_value=100000)


class TargetedForm(_Styled):
    uscc = forms.CharField(label=_("机构统一社会信用代码"), max_length=18)
    scheduled_on = forms.DateField(
        label=_("检查日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("检查原因"), max_length=200)


class OrderReplyForm(_Styled):
    reply = forms.CharField(label=_("整改情况"), widget=forms.Textarea(attrs={"rows": 4}))
    evidence = forms.FileField(label=_("整改佐证（PDF 或图片）"), required=False)


class OrderDecideForm(_Styled):
    decision = forms.ChoiceField(
        label=_("验收结论"), choices=[("accept", _("验收通过")), ("reopen", _("退回重新整改"))]
    )
    note = forms.CharField(
        label=_("意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class BlacklistForm(_Styled):
    subject = forms.ChoiceField(
        label=_("对象"), choices=[("institution", _("机构")), ("person", _("个人"))]
    )
    uscc = forms.CharField(label=_("机构统一社会信用代码"), max_length=18, required=False)
    person_name = forms.CharField(label=_("姓名"), max_length=60, required=False)
    id_number = forms.CharField(label=_("身份证号码"), max_length=18, required=False)
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}))
    decision_ref = forms.CharField(label=_("决定文号"), max_length=60)
    decided_on = forms.DateField(
        label=_("决定日期"), widget=forms.DateInput(attrs={"type": "date"})
    )


SEVERITY_CHOICES = [("", _("—")), *Severity.choices]


class CaseForm(_Styled):
    uscc = forms.CharField(label=_("机构统一社会信用代码"), max_length=18)
    description = forms.CharField(label=_("案情"), widget=forms.Textarea(attrs={"rows": 4}))
    decision_ref = forms.CharField(label=_("决定文号"), max_length=60)
    suspended_on = forms.DateField(
        label=_("责令停业日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    offender_name = forms.CharField(label=_("涉事人员姓名"), max_length=60)
    offender_id_number = forms.CharField(label=_("涉事人员身份证号码"), max_length=18)
    manager_name = forms.CharField(label=_("直接负责的管理人员姓名"), max_length=60)
    manager_id_number = forms.CharField(label=_("直接负责的管理人员身份证号码"), max_length=18)
