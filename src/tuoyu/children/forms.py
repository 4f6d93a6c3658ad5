"""Forms of the children pages (types and sizes only; the rules — age range, room, enrolled
elsewhere, ID number and phone formats — are the services'). A form re-rendered after an
error keeps every value typed ([house]: the app's forms never lose input)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tuoyu.children.models import Child
from tuoyu.core import bounds
from tuoyu.web.forms import StyledForm, add_service_errors

DATE = {"type": "date"}


class EnrolForm(StyledForm):
    """Enrolment (API-CONTRACT §2 through `services.enrolment.child_enrol`; P-HC-1 the entry
    examination, P-STD-1 age range, P-STD-4 room)."""

    name = forms.CharField(label=_("儿童姓名"), max_length=50)
    gender = forms.ChoiceField(label=_("性别"), choices=Child.Gender.choices)
    birth_date = forms.DateField(label=_("出生日期"), widget=forms.DateInput(attrs=DATE))
    id_number = forms.CharField(
        label=_("身份证号码（可选，婴儿可暂无）"), max_length=18, required=False
    )
    guardian_name = forms.CharField(label=_("监护人姓名"), max_length=50)
    guardian_phone = forms.CharField(label=_("监护人手机号码"), max_length=20)
    class_id = forms.TypedChoiceField(label=_("班级"), coerce=int)
    enrolled_on = forms.DateField(label=_("入托日期"), widget=forms.DateInput(attrs=DATE))
    examined_on = forms.DateField(
        label=_("入托体检日期（P-HC-1）"), required=False, widget=forms.DateInput(attrs=DATE)
    )
    examined_by = forms.CharField(label=_("体检机构"), max_length=100, required=False)
    exam_result = forms.CharField(label=_("体检结论"), max_length=200, required=False)
    weight_kg = forms.DecimalField(
        label=_("体重（千克）"), required=False, max_digits=5, decimal_places=2
    )
    height_cm = forms.DecimalField(
        label=_("身长/身高（厘米）"), required=False, max_digits=4, decimal_places=1
    )
    # P-HC-1: the examination form itself, instead of (or besides) the fields above; its
    # type and size are the service's (`examination_record`).
    form_scan = forms.FileField(
        label=_("入托体检表扫描件（可选，PDF 或图片）"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    EXAM_FIELDS = ("examined_by", "exam_result", "weight_kg", "height_cm", "form_scan")
    # Where the service names a field differently from the form.
    SERVICE_FIELDS = {
        "guardian.name": "guardian_name",
        "guardian.phone": "guardian_phone",
        "result": "exam_result",
    }

    def __init__(self, *args, classes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["class_id"].choices = [("", "—")] + [
            (c.pk, f"{c.name}（{c.get_class_type_display()}）") for c in classes
        ]

    def clean(self):
        data = super().clean()
        for field in ("birth_date", "enrolled_on", "examined_on"):
            day = data.get(field)
            if day is not None and not bounds.date_in_range(day):
                item = bounds.date_out_of_range_item(field=field, label=self.fields[field].label)
                self.add_error(field, item.message)
        has_exam_detail = any(data.get(f) not in (None, "") for f in self.EXAM_FIELDS)
        if has_exam_detail and not data.get("examined_on") and "examined_on" not in self.errors:
            self.add_error("examined_on", _("填写了体检内容时须填写体检日期"))
        return data

    def entry_examination(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("examined_on"):
            return None
        return {
            "examined_on": data["examined_on"],
            "examined_by": data.get("examined_by") or "",
            "result": data.get("exam_result") or "",
            "weight_kg": data.get("weight_kg"),
            "height_cm": data.get("height_cm"),
            "form_scan": data.get("form_scan") or None,
        }

    def add_service_errors(self, exc) -> None:
        add_service_errors(self, exc, self.SERVICE_FIELDS)


class _ServiceErrors:
    SERVICE_FIELDS: dict = {}

    def add_service_errors(self, exc) -> None:
        add_service_errors(self, exc, self.SERVICE_FIELDS)


class CertificateForm(_ServiceErrors, StyledForm):
    """P-HC-3: the medical certificate of a child sent home."""

    issued_on = forms.DateField(label=_("开具日期"), widget=forms.DateInput(attrs=DATE))
    hospital = forms.CharField(label=_("开具医院"), max_length=100)
    scan = forms.FileField(label=_("证明扫描件（可选，PDF 或图片）"), required=False)


class MealAccountForm(_ServiceErrors, StyledForm):
    """P-HC-7: one month's meal-fee account (whole yuan)."""

    month = forms.CharField(
        label=_("月份"), max_length=7, widget=forms.TextInput(attrs={"type": "month"})
    )
    income_yuan = forms.IntegerField(label=_("伙食费收入（元）"), min_value=0)
    food_spending_yuan = forms.IntegerField(label=_("食品支出（元）"), min_value=0)
    note = forms.CharField(label=_("说明（可选）"), max_length=200, required=False)

    def clean_month(self):
        import datetime as dt

        value = self.cleaned_data["month"].strip()
        try:
            return dt.date.fromisoformat(f"{value}-01")
        except ValueError:
            raise forms.ValidationError(_("请按“年-月”填写月份，例如 2026-11")) from None
