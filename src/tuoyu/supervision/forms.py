"""Forms of the supervision pages (types and sizes; the rules are in the services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tuoyu.supervision.models import ComplaintCategory, Severity
from tuoyu.supervision.services.complaints import DESCRIPTION_MAX_LENGTH
from tuoyu.web.forms import StyledForm


class ComplaintForm(StyledForm):
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


class AnswerForm(StyledForm):
    reply = forms.CharField(label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 5}))
    substantiated = forms.ChoiceField(
        label=_("核查结论"), choices=[("yes", _("投诉属实")), ("no", _("投诉不属实"))]
    )


class PlanForm(StyledForm):
    title = forms.CharField(label=_("计划名称"), max_length=120, required=False)
    period_start = forms.DateField(
        label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    draw_size = forms.IntegerField(label=_("抽取机构数"), min_value=1, max_value=100000)


class TargetedForm(StyledForm):
    uscc = forms.CharField(label=_("机构统一社会信用代码"), max_length=18)
    scheduled_on = forms.DateField(
        label=_("检查日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("检查原因"), max_length=200)


class OrderReplyForm(StyledForm):
    reply = forms.CharField(label=_("整改情况"), widget=forms.Textarea(attrs={"rows": 4}))
    evidence = forms.FileField(label=_("整改佐证（PDF 或图片）"), required=False)


class OrderDecideForm(StyledForm):
    decision = forms.ChoiceField(
        label=_("验收结论"), choices=[("accept", _("验收通过")), ("reopen", _("退回重新整改"))]
    )
    note = forms.CharField(
        label=_("意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class BlacklistForm(StyledForm):
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


class CaseForm(StyledForm):
    uscc = forms.CharField(label=_("机构统一社会信用代码"), max_length=18)
    description = forms.CharField(label=_("案情"), widget=forms.Textarea(attrs={"rows": 4}))
    decision_ref = forms.CharField(label=_("决定文号"), max_length=60)
    suspended_on = forms.DateField(
        label=_("责令停业日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    suspended_until = forms.DateField(
        label=_("停业期限（可选，不填为直至解除）"),
        widget=forms.DateInput(attrs={"type": "date"}),
        required=False,
    )
    offender_name = forms.CharField(label=_("涉事人员姓名"), max_length=60)
    offender_id_number = forms.CharField(label=_("涉事人员身份证号码"), max_length=18)
    manager_name = forms.CharField(label=_("直接负责的管理人员姓名"), max_length=60)
    manager_id_number = forms.CharField(label=_("直接负责的管理人员身份证号码"), max_length=18)


class CreditEventForm(StyledForm):
    """A penalty, commendation or demonstration status (P-SUP-5); each choice names its
    points and rule from policy data (`points_table`)."""

    subject = forms.ChoiceField(
        label=_("对象"),
        choices=[("institution", _("本机构")), ("person", _("本机构的从业人员"))],
        initial="institution",
    )
    person_name = forms.CharField(
        label=_("从业人员姓名（对象为从业人员时填写）"), max_length=60, required=False
    )
    id_number = forms.CharField(
        label=_("从业人员身份证号码（对象为从业人员时填写）"), max_length=18, required=False
    )
    kind = forms.ChoiceField(label=_("事件"))
    occurred_on = forms.DateField(
        label=_("决定日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    decision_ref = forms.CharField(label=_("决定文号"), max_length=30)
    description = forms.CharField(
        label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    public = forms.BooleanField(label=_("向公众公开"), required=False, initial=True)

    def __init__(self, *args, points: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            ("", "—"),
            *(
                (
                    row["kind"].value,
                    gettext("%(label)s（%(points)s 分，%(ref)s）")
                    % {"label": row["label"], "points": f"{row['points']:+d}", "ref": row["ref"]},
                )
                for row in points
            ),
        ]


class LiftSuspensionForm(StyledForm):
    lifted_on = forms.DateField(
        label=_("解除停业日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    lift_decision_ref = forms.CharField(label=_("解除停业决定文号"), max_length=60)


class PractitionerLookupForm(StyledForm):
    id_number = forms.CharField(label=_("从业人员身份证号码"), max_length=18)
