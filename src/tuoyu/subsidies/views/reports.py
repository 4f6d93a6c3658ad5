"""Pages of subsidies (reports part): the subsidy report of 区财政局 and 区卫健局 with its
Excel export and the payment list PDF for signature (P-SUB-4); the relief lists (P-TAX-1,
P-TAX-2) for 区税务局, 区财政局, 区卫健局 and 区发改局 with their two Excel exports. Thin:
selectors read, excel_reports / excel_relief / payment_list write the files and their audit
events."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from tuoyu import policy
from tuoyu.subsidies import excel_relief, excel_reports
from tuoyu.subsidies import payment_list as payment_list_pdf_module
from tuoyu.subsidies.selectors import relief as relief_selectors
from tuoyu.subsidies.selectors import reports as selectors
from tuoyu.web.tables import PAGE_SIZES, paginate

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIRST_YEAR = 2020  # V2020-36 took effect on 2020-10-31

# The figures' headers on the page, in the order of selectors.reports.COLUMNS (the Excel
# export writes the same, `excel_reports.FIGURE_HEADERS`).
FIGURE_COLUMNS = (
    _("应享金额（元）"),
    _("申请金额（元）"),
    _("批准金额（元）"),
    _("已支付（元）"),
    _("已追回（元）"),
    _("净支付（元）"),
)


def _years() -> list[int]:
    return list(range(policy.today().year, FIRST_YEAR - 1, -1))


def _year(request) -> int:
    years = _years()
    try:
        year = int(request.GET.get("year") or years[0])
    except ValueError:
        return years[0]
    return year if year in years else years[0]


def _report(request):
    fund = selectors.report_fund(acting_user=request.user, code=request.GET.get("fund", ""))
    report = selectors.subsidy_report(
        acting_user=request.user,
        year=_year(request),
        fund=fund,
        township=request.GET.get("township", "")[:12],
    )
    return report


@login_required
@require_GET
@permission_required(selectors.PERMISSION, raise_exception=True)
def reports(request):
    report = _report(request)
    drill = {"year": report.year}
    if report.fund:
        drill["fund"] = report.fund.code
    return render(
        request,
        "subsidies/reports/report.html",
        {
            "report": report,
            "years": _years(),
            "funds": selectors.report_funds(acting_user=request.user),
            "figure_columns": FIGURE_COLUMNS,
            "query": request.GET.urlencode(),
            "drill_query": urlencode(drill),
        },
    )


@login_required
@require_GET
@permission_required(selectors.PERMISSION, raise_exception=True)
def reports_export(request):
    report = _report(request)
    data = excel_reports.report_workbook(acting_user=request.user, report=report)
    fund = f"-{report.fund.code}" if report.fund else ""
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="subsidy-report-{report.year}{fund}.xlsx"'
    )
    return response


@login_required
@require_GET
@permission_required(selectors.PERMISSION, raise_exception=True)
def payment_list_pdf(request):
    fund = selectors.report_fund(acting_user=request.user, code=request.GET.get("fund", ""))
    year = _year(request)
    pdf = payment_list_pdf_module.payment_list_pdf(acting_user=request.user, year=year, fund=fund)
    suffix = f"-{fund.code}" if fund else ""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="payment-list-{year}{suffix}.pdf"'
    return response


# --- relief lists (P-TAX-1, P-TAX-2) -----------------------------------------------------


def _relief_filters(request) -> tuple[dt.date, str, list[tuple[str, str]], bool]:
    """The day (default today; a bad date falls back to today and says so), the township
    code (one of the district's, else none) and the townships offered."""
    townships = relief_selectors.relief_townships(acting_user=request.user)
    day, bad = policy.today(), False
    raw = request.GET.get("date", "")
    if raw:
        try:
            day = dt.date.fromisoformat(raw[:10])
        except ValueError:
            bad = True
    township = request.GET.get("township", "")
    if township not in {code for code, _name in townships}:
        township = ""
    return day, township, townships, bad


@login_required
@require_GET
@permission_required(relief_selectors.PERMISSION, raise_exception=True)
def relief_lists(request):
    day, township, townships, bad_date = _relief_filters(request)
    qs = relief_selectors.qualifying_institutions(
        acting_user=request.user, day=day, township=township
    )
    page = paginate(request, qs)
    terms = relief_selectors.relief_terms(day)
    for inst in page:
        inst.premises = relief_selectors.premises_words(inst)
    export_query = request.GET.copy()
    for key in ("page", "per_page"):
        export_query.pop(key, None)
    export_query["date"] = day.isoformat()
    return render(
        request,
        "subsidies/relief/list.html",
        {
            "page": page,
            "day": day,
            "bad_date": bad_date,
            "township": township,
            "townships": townships,
            "terms": terms,
            "tax_reliefs": terms.tax_relief_words(),
            "modes": "、".join(str(m.label) for m in relief_selectors.community_care_modes(day)),
            "utility_reliefs": terms.utility_relief_words(),
            "export_query": export_query.urlencode(),
            "page_sizes": PAGE_SIZES,
            "per_page": page.paginator.per_page,
        },
    )


def _relief_workbook(request, kind: str) -> tuple[bytes, dt.date]:
    day, township, _townships, _bad = _relief_filters(request)
    qs = relief_selectors.qualifying_institutions(
        acting_user=request.user, day=day, township=township
    )
    data = excel_relief.relief_workbook(
        acting_user=request.user, kind=kind, institutions=qs, day=day, township=township
    )
    return data, day


@login_required
@require_GET
@permission_required(relief_selectors.PERMISSION, raise_exception=True)
def relief_export_tax(request):
    """The list for 区税务局 (P-TAX-1)."""
    data, day = _relief_workbook(request, "tax")
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="relief-tax-{day:%Y%m%d}.xlsx"'
    return response


@login_required
@require_GET
@permission_required(relief_selectors.PERMISSION, raise_exception=True)
def relief_export_utility(request):
    """The list for the electricity, water and gas companies (P-TAX-2)."""
    data, day = _relief_workbook(request, "utility")
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="relief-utility-{day:%Y%m%d}.xlsx"'
    return response


urlpatterns: list = [
    path("reports/", reports, name="reports"),
    path("reports/export.xlsx", reports_export, name="reports_export"),
    path("reports/payment-list.pdf", payment_list_pdf, name="payment_list_pdf"),
    path("relief/", relief_lists, name="relief_lists"),
    path("relief/tax.xlsx", relief_export_tax, name="relief_export_tax"),
    path("relief/utility.xlsx", relief_export_utility, name="relief_export_utility"),
]
