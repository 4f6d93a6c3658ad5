"""The payment list for signature (P-SUB-4): the payments of a subsidy year from a fund —
institution, item, amount, voucher, date — with the total in figures and in Chinese capital
numerals (`numerals.rmb_capital`) and the lines 经办人 / 复核人 / 负责人 sign.

Rendered by WeasyPrint from `subsidies/reports/payment_list.html` with the "Noto Sans CJK SC"
font, as the filing receipt: the Chinese text is real text (`pdftotext` reads it back). The
printing is an audited event (year, fund, rows, total) in one transaction."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.template.loader import render_to_string

from tuoyu import policy
from tuoyu.audit.services import audit_record
from tuoyu.regions.branding import branding
from tuoyu.subsidies.catalogue import SubsidyAction
from tuoyu.subsidies.numerals import rmb_capital, yuan_figures
from tuoyu.subsidies.selectors.reports import payment_list


def payment_list_context(*, acting_user, year: int, fund) -> dict:
    lines = payment_list(acting_user=acting_user, year=year, fund=fund)
    total = sum((line.amount_yuan for line in lines), Decimal("0.00"))
    return {
        "year": year,
        "fund": fund,
        "lines": [{"line": line, "amount": yuan_figures(line.amount_yuan)} for line in lines],
        "count": len(lines),
        "total": total,
        "total_figures": yuan_figures(total),
        "total_capital": rmb_capital(total),
        "printed_on": policy.today(),
        **branding(),
    }


@transaction.atomic
def payment_list_pdf(*, acting_user, year: int, fund) -> bytes:
    """The payment list as PDF bytes; records PAYMENT_LIST_PRINTED."""
    from weasyprint import HTML

    context = payment_list_context(acting_user=acting_user, year=year, fund=fund)
    html = render_to_string("subsidies/reports/payment_list.html", context)
    pdf = HTML(string=html).write_pdf()
    audit_record(
        action=SubsidyAction.PAYMENT_LIST_PRINTED,
        actor=acting_user,
        object_type="subsidies.fund",
        object_id=fund.pk if fund else "",
        object_label=fund.name if fund else "",
        detail={
            "year": year,
            "fund": fund.code if fund else "",
            "rows": context["count"],
            "total_yuan": str(context["total"]),
        },
    )
    return pdf
