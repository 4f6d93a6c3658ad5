"""Pages of subsidies (entitlements part): 区卫健局's demonstration titles (list and the
record form, P-SUB-3, P-V2023-1) and an institution's entitlement for a year, item by item
(P-SUB-1..3). Thin: selectors read with scope, services write."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from tuoyu import policy
from tuoyu.core.errors import DomainError
from tuoyu.subsidies.entitlements import entitlement_for
from tuoyu.subsidies.models import DemonstrationTitle
from tuoyu.subsidies.selectors import entitlements as selectors
from tuoyu.subsidies.services.titles import demonstration_title_record
from tuoyu.web.forms import add_service_errors
from tuoyu.web.tables import paginate

RECORD = "subsidies.record_titles"
VIEW = "subsidies.view_entitlement"

# The rules of the items, in words (the id is shown beside them in small print).
RULE_WORDS = {
    "P-SUB-1": gettext_lazy("新增托育班级一次性建设补助"),
    "P-SUB-2": gettext_lazy("普惠性托育机构运营补助"),
    "P-SUB-3": gettext_lazy("示范托育机构一次性奖励"),
    "P-V2023-1": gettext_lazy("示范托育机构与综合托育服务中心奖补（2023 年 8 月起）"),
}


class TitleForm(forms.Form):
    institution = forms.CharField(
        label=gettext_lazy("机构（名称或统一社会信用代码）"),
        max_length=200,
        widget=forms.TextInput(attrs={"list": "filed-institutions", "autocomplete": "off"}),
    )
    level = forms.ChoiceField(
        label=gettext_lazy("称号级别"),
        choices=[("", "—"), *DemonstrationTitle.Level.choices],
    )
    conferred_on = forms.DateField(
        label=gettext_lazy("授予日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    document_ref = forms.CharField(label=gettext_lazy("文号"), max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@permission_required(RECORD, raise_exception=True)
@require_http_methods(["GET", "POST"])
def titles(request):
    form = TitleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        found = selectors.filed_institution_find(acting_user=request.user, text=data["institution"])
        if len(found) != 1:
            form.add_error(
                "institution",
                _("未找到该已备案机构")
                if not found
                else _("有多家机构符合，请填写统一社会信用代码"),
            )
        else:
            try:
                title = demonstration_title_record(
                    acting_user=request.user,
                    institution=found[0],
                    level=data["level"],
                    conferred_on=data["conferred_on"],
                    document_ref=data["document_ref"],
                )
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("已记录：%(name)s，%(level)s")
                    % {"name": found[0].name, "level": title.get_level_display()},
                )
                return redirect("subsidies:titles")
    level = request.GET.get("level", "")
    if level not in DemonstrationTitle.Level.values:
        level = ""
    year = _int(request.GET.get("year"))
    page = paginate(
        request, selectors.titles(acting_user=request.user, level=level, year=year), per_page=20
    )
    return render(
        request,
        "subsidies/titles/list.html",
        {
            "form": form,
            "page": page,
            "levels": DemonstrationTitle.Level.choices,
            "level": level,
            "years": selectors.title_years(acting_user=request.user),
            "year": year,
            "suggestions": selectors.filed_institution_choices(acting_user=request.user),
        },
        status=422 if request.method == "POST" else 200,
    )


def _basis_lines(item) -> list[str]:
    """The dates and figures behind an item, in words."""
    b = item.basis
    if "class_filed_on" in b:
        return [
            _("班级备案日期 %(day)s，核定 %(n)s 人")
            % {"day": b["class_filed_on"], "n": b["capacity"]},
            _("备案当日为普惠性机构") if b["affordable_on_filing"] else _("备案当日不是普惠性机构"),
        ]
    if "periods" in b:
        lines = [
            _("%(start)s 至 %(end)s：%(slots)s 个备案托位")
            % {"start": p["start"], "end": p["end"], "slots": p["slots"]}
            for p in b["periods"]
        ]
        lines.append(
            _("合计 %(slot_days)s 托位·天 ÷ 全年 %(days)s 天")
            % {"slot_days": b["slot_days"], "days": b["days_in_year"]}
        )
        return lines
    if "conferred_on" in b:
        lines = [_("授予日期 %(day)s") % {"day": b["conferred_on"]}]
        if b.get("already_reached_yuan"):
            lines.append(
                _("此前已达到级别的奖励 %(amount)s 元，补足差额")
                % {"amount": b["already_reached_yuan"]}
            )
        return lines
    return []


def _yuan(amount) -> str:
    """Yuan with thousands separators and two decimals, as finance documents show them."""
    return f"{amount:,.2f}"


def _version_titles() -> dict[str, str]:
    return {v.id: v.title for v in policy.versions()}


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def entitlement(request, uscc: str):
    institution = selectors.institution_for_entitlement(acting_user=request.user, uscc=uscc)
    this_year = policy.today().year
    first_year = policy.get_book().first_day.year
    year = _int(request.GET.get("year")) or this_year
    error = None
    rows, total = [], None
    try:
        ent = entitlement_for(institution=institution, year=year)
    except DomainError as exc:
        error = exc
    else:
        versions = _version_titles()
        rows = [
            {
                "item": i,
                "rule": RULE_WORDS.get(i.policy_ref, ""),
                "version_title": versions.get(i.policy_version, ""),
                "basis": _basis_lines(i),
                "unit": _yuan(i.unit_amount_yuan),
                "amount": _yuan(i.amount_yuan),
            }
            for i in ent.items
        ]
        total = _yuan(ent.total_yuan)
    return render(
        request,
        "subsidies/entitlement.html",
        {
            "institution": institution,
            "year": year,
            "years": list(range(this_year, first_year - 1, -1)),
            "rows": rows,
            "total": total,
            "error": error,
        },
        status=422 if error else 200,
    )


urlpatterns = [
    path("titles/", titles, name="titles"),
    path("institutions/<str:uscc>/entitlement/", entitlement, name="entitlement"),
]
