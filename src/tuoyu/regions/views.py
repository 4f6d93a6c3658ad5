"""Pages for the division tree and the yearly statistics (thin: selectors and services do
the work; scope is applied in the selectors)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from tuoyu import policy
from tuoyu.core.errors import DomainError, NotFound
from tuoyu.regions import selectors, services, workdays
from tuoyu.regions.excel import statistics_template as build_template
from tuoyu.regions.models import Region
from tuoyu.web.tables import paginate

VIEW = "regions.view_statistics"
IMPORT = "regions.import_statistics"


def _year_param(request) -> int | None:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return None
    return year if services.STAT_YEAR_MIN <= year <= services.statistic_year_max() else None


@login_required
@permission_required(VIEW, raise_exception=True)
def region_list(request):
    overview = selectors.region_overview(acting_user=request.user, year=_year_param(request))
    year_choices = sorted(
        {*overview.years, overview.year, services.statistic_year_max()}, reverse=True
    )
    return render(
        request,
        "regions/list.html",
        {
            "overview": overview,
            "year_choices": year_choices,
            "can_import": request.user.has_perm(IMPORT),
        },
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def region_detail(request, code: str):
    try:
        region = selectors.region_get(acting_user=request.user, code=code)
        history = selectors.region_statistics_history(acting_user=request.user, code=code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    villages_page = None
    children = None
    if region.level == Region.Level.TOWNSHIP:
        villages_page = paginate(
            request, selectors.region_villages(acting_user=request.user, code=code)
        )
    elif region.level != Region.Level.VILLAGE:
        children = selectors.region_children(acting_user=request.user, region=region)
    return render(
        request,
        "regions/detail.html",
        {
            "region": region,
            "history": history,
            "page": villages_page,
            "children": children,
            "can_import": request.user.has_perm(IMPORT),
        },
    )


@login_required
@permission_required(IMPORT, raise_exception=True)
def statistics_template(request):
    year = _year_param(request)
    content = build_template(acting_user=request.user, year=year)
    year = year or services.statistic_year_max()
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"regions-statistics-{year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class StatisticsImportForm(forms.Form):
    file = forms.FileField(
        label=_("统计数据文件（.xlsx）"),
        help_text=_("请使用下载的模板填写；全部行校验通过才会导入。"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )


@login_required
@permission_required(IMPORT, raise_exception=True)
@require_http_methods(["GET", "POST"])
def statistics_import(request):
    errors = None
    if request.method == "POST":
        form = StatisticsImportForm(request.POST, request.FILES)
    else:
        form = StatisticsImportForm()
    if form.is_bound and form.is_valid():
        try:
            result = services.region_statistics_import(
                acting_user=request.user, file=form.cleaned_data["file"]
            )
        except DomainError as exc:
            errors = exc
        else:
            messages.success(
                request,
                gettext(
                    "导入成功：共 %(rows)s 行，新增 %(created)s 条，更新 %(updated)s 条，未变化 %(unchanged)s 条。"
                )
                % {
                    "rows": result.rows,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
            if not request.user.has_perm(VIEW):  # platform operators import, not view
                return redirect("regions:statistics_import")
            url = reverse("regions:list")
            if result.years:
                url += f"?year={max(result.years)}"
            return redirect(url)
    return render(
        request,
        "regions/import.html",
        {
            "form": form,
            "errors": errors,
            "max_rows": services.MAX_IMPORT_ROWS,
            "max_mb": services.MAX_IMPORT_BYTES // 1024 // 1024,
            "year": services.statistic_year_max(),
        },
    )


# --- the working-day calendar: the State Council's yearly holiday notice (P-FIL-2) -----------

MANAGE_HOLIDAYS = "regions.manage_holiday_notices"


@login_required
@permission_required(MANAGE_HOLIDAYS, raise_exception=True)
@require_http_methods(["GET"])
def holiday_list(request):
    """The years the working-day calendar covers (package years and entered notices), with
    the loud warning when next year's notice is missing in December."""
    today = policy.today()
    return render(
        request,
        "regions/holidays.html",
        {
            "years": selectors.holiday_calendar_years(today=today),
            "missing_year": workdays.missing_next_year_notice(today),
            "next_year": today.year + 1,
        },
    )


def _dates_text(values) -> str:
    return "\n".join(values or [])


@login_required
@permission_required(MANAGE_HOLIDAYS, raise_exception=True)
@require_http_methods(["GET", "POST"])
def holiday_edit(request, year: int):
    """Enter or replace one year's notice (validated and audited by
    `services.holiday_notice_save`)."""
    if not 2000 <= year <= 2100:
        raise Http404()
    notice = selectors.holiday_notice_get(year=year)
    errors = None
    if request.method == "POST":
        values = {
            k: request.POST.get(k, "")[:limit]
            for k, limit in (
                ("title", services.HOLIDAY_TITLE_MAX + 1),
                ("document_number", services.HOLIDAY_DOCUMENT_NUMBER_MAX + 1),
                ("published_on", 10),
                ("holidays", 20_000),
                ("makeup_workdays", 20_000),
            )
        }
        try:
            result = services.holiday_notice_save(acting_user=request.user, year=year, **values)
        except DomainError as exc:
            errors = exc
        else:
            messages.success(
                request,
                (
                    gettext("已录入 %(year)s 年节假日安排通知。")
                    if result.created
                    else gettext("已更新 %(year)s 年节假日安排通知。")
                )
                % {"year": year},
            )
            return redirect("regions:holidays")
    elif notice is not None:
        values = {
            "title": notice.title,
            "document_number": notice.document_number,
            "published_on": notice.published_on.isoformat(),
            "holidays": _dates_text(notice.holidays),
            "makeup_workdays": _dates_text(notice.makeup_workdays),
        }
    else:
        values = {
            "title": gettext("国务院办公厅关于%(year)s年部分节假日安排的通知") % {"year": year},
            "document_number": "",
            "published_on": "",
            "holidays": "",
            "makeup_workdays": "",
        }
    return render(
        request,
        "regions/holiday_edit.html",
        {
            "year": year,
            "notice": notice,
            "package": workdays.package_year(year),
            "values": values,
            "errors": errors,
            "field_errors": {
                e.field: [i.message for i in errors.errors if i.field == e.field]
                for e in (errors.errors if errors else [])
            },
            "limits": {
                "title": services.HOLIDAY_TITLE_MAX,
                "document_number": services.HOLIDAY_DOCUMENT_NUMBER_MAX,
            },
        },
        status=422 if errors else 200,
    )
