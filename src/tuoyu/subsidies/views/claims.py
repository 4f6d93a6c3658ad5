"""Pages of subsidies (claims part): the claims list and queues, the new-claim form, the claim
page with the actions of each department (P-ORG-2: 区卫健局 reviews, 区财政局 approves and
pays), a claim's supporting files (audited download), the funds and their ledgers (P-SUB-4).
Thin: selectors read (scope applied), services write; errors beside their fields, in words."""

from __future__ import annotations

import os
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from tuoyu import policy
from tuoyu.audit.services import personal_value_reveal
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError, NotFound
from tuoyu.core.scope import scope_of
from tuoyu.institutions.models import Institution
from tuoyu.subsidies import entitlements
from tuoyu.subsidies.models import Claim, Fund, LedgerEntry
from tuoyu.subsidies.scopes import CLAIM_DEPARTMENTS, may_see_materials
from tuoyu.subsidies.selectors import claims as claim_selectors
from tuoyu.subsidies.selectors import ledger as ledger_selectors
from tuoyu.subsidies.selectors.ledger import yuan
from tuoyu.subsidies.services import claims as claim_services
from tuoyu.subsidies.services import ledger as ledger_services
from tuoyu.web.forms import add_service_errors
from tuoyu.web.tables import paginate

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _sees_claims(user) -> bool:
    scope = scope_of(user)
    return (
        scope.is_institution
        or scope.is_township
        or (scope.is_district and scope.department_code in CLAIM_DEPARTMENTS)
    )


def _year(request, default: int) -> int:
    try:
        year = int(request.GET.get("year") or default)
    except ValueError:
        return default
    return year if 2000 <= year <= 2100 else default


# --- the list and the queues ------------------------------------------------------------------


@login_required
@require_GET
def claim_list(request):
    """An institution its own claims (with 申请补助); 区卫健局 the review queue; 区财政局 the
    approval and payment queue; a township its area's claims. Filters: status, year."""
    if not _sees_claims(request.user):
        raise Http404
    status = request.GET.get("status")
    year = _year(request, 0) if request.GET.get("year") else None
    qs = claim_selectors.claims_list(acting_user=request.user, status=status or "", year=year)
    queue = claim_selectors.queue_statuses(request.user)
    if status is None and queue:
        qs = qs.filter(status__in=queue)
    page = paginate(request, qs)
    for c in page:
        c.claimed_display = yuan(c.claimed_total)
    return render(
        request,
        "subsidies/claims/list.html",
        {
            "page": page,
            "statuses": Claim.Status.choices,
            "status": status if status is not None else ("queue" if queue else ""),
            "queue": queue,
            "year": year or "",
            "may_claim": request.user.has_perm("subsidies.claim"),
        },
    )


# --- the new claim -------------------------------------------------------------------------


class ClaimForm(forms.Form):
    bank_account_name = forms.CharField(label=_("开户名称"), max_length=200)
    bank_name = forms.CharField(label=_("开户银行"), max_length=100)
    bank_account = forms.CharField(label=_("银行账号"), max_length=60)
    note = forms.CharField(
        label=_("申请说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


@login_required
@permission_required("subsidies.claim", raise_exception=True)
@require_http_methods(["GET", "POST"])
def claim_new(request):
    """The institution picks items of its entitlement for a year, with its bank account and
    the supporting files (PDF, JPEG, PNG)."""
    scope = scope_of(request.user)
    institution = Institution.objects.filter(pk=scope.institution_id).first()
    if institution is None:
        raise Http404
    today = policy.today()
    year = _year(request, today.year)
    if request.method == "POST":
        posted = request.POST.get("year", "")
        year = _year(request, int(posted) if posted.isdigit() else today.year)
    entitlement = entitlements.entitlement_for(institution=institution, year=year)
    taken = claim_services.items_taken([i.key for i in entitlement.items])
    form = ClaimForm(request.POST or None, initial={"bank_account_name": institution.name})
    chosen = request.POST.getlist("item") if request.method == "POST" else []
    item_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            claim = claim_services.claim_submit(
                acting_user=request.user,
                institution=institution,
                year=year,
                item_keys=chosen,
                claimed_yuan={
                    k: request.POST.get(f"claimed_{n}", "")
                    for n, k in enumerate(i.key for i in entitlement.items)
                    if k in chosen
                },
                bank_account_name=d["bank_account_name"],
                bank_name=d["bank_name"],
                bank_account=d["bank_account"],
                note=d["note"],
                materials=request.FILES.getlist("materials"),
            )
        except DomainError as exc:
            for e in exc.errors:
                field = e.field or ""
                if field.startswith(("item_keys", "claimed_yuan", "year")):
                    item_errors.append(str(e.message))
                elif field == "materials":
                    form.add_error(None, str(e.message))
                else:
                    form.add_error(field if field in form.fields else None, str(e.message))
        else:
            messages.success(
                request, gettext("已提交补助申请 %(number)s") % {"number": claim.number}
            )
            return redirect("subsidies:claim_detail", pk=claim.pk)
    rows = []
    for n, i in enumerate(entitlement.items):
        rows.append(
            {
                "n": n,
                "key": i.key,
                "item": i,
                "amount": yuan(i.amount_yuan),
                "unit": yuan(i.unit_amount_yuan),
                "taken": i.key in taken,
                "checked": i.key in chosen,
                "claimed": request.POST.get(f"claimed_{n}", "") if request.method == "POST" else "",
            }
        )
    return render(
        request,
        "subsidies/claims/new.html",
        {
            "form": form,
            "year": year,
            "years": list(range(today.year, today.year - 6, -1)),
            "rows": rows,
            "total": yuan(entitlement.total_yuan),
            "item_errors": item_errors,
            "institution": institution,
        },
    )


# --- the claim page --------------------------------------------------------------------------


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("结论"), choices=[("approve", _("通过")), ("reject", _("不通过"))]
    )
    note = forms.CharField(
        label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PayForm(forms.Form):
    fund = forms.ModelChoiceField(label=_("支付资金"), queryset=Fund.objects.none())
    voucher_number = forms.CharField(label=_("凭证号"), max_length=40)
    paid_on = forms.DateField(label=_("支付日期"), widget=DATE)
    budget_year = forms.IntegerField(
        label=_("支出预算年度"), required=False, min_value=2000, max_value=2100
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = Fund.objects.filter(active=True)
        year = policy.today().year
        self.fields["fund"].label_from_instance = lambda f: (
            gettext("%(name)s（%(year)s 年余额 %(balance)s）")
            % {
                "name": f.name,
                "year": year,
                "balance": yuan(ledger_selectors.fund_balance(f, year)),
            }
        )


def _amounts(request, claim) -> dict:
    out = {}
    for item in claim.items.all():
        raw = request.POST.get(f"amount_{item.pk}", "").strip()
        if raw:
            out[item.pk] = (raw, request.POST.get(f"reason_{item.pk}", ""))
    return out


def _claim_context(request, claim, **extra) -> dict:
    user = request.user
    items = list(claim.items.all())
    total = {
        k: sum((getattr(i, k) or Decimal(0) for i in items), Decimal(0))
        for k in ("entitled_yuan", "claimed_yuan", "reviewed_yuan", "approved_yuan")
    }
    rows = [
        {
            "item": i,
            "entitled": yuan(i.entitled_yuan),
            "claimed": yuan(i.claimed_yuan),
            "reviewed": yuan(i.reviewed_yuan),
            "approved": yuan(i.approved_yuan),
            "default": (
                i.claimed_yuan if claim.status == Claim.Status.SUBMITTED else i.reviewed_yuan
            ),
            "posted_amount": request.POST.get(f"amount_{i.pk}", ""),
            "posted_reason": request.POST.get(f"reason_{i.pk}", ""),
        }
        for i in items
    ]
    may_review = user.has_perm("subsidies.review") and claim.status == Claim.Status.SUBMITTED
    may_approve = user.has_perm("subsidies.approve") and claim.status == Claim.Status.REVIEWED
    may_pay = user.has_perm("subsidies.pay") and claim.status == Claim.Status.APPROVED
    checks = claim.review_checks
    if may_review:
        checks = claim_services.eligibility_checks(claim)
    payment = getattr(claim, "payment", None) if claim.status == Claim.Status.PAID else None
    ctx = {
        "claim": claim,
        "rows": rows,
        "totals": {k: yuan(v) for k, v in total.items()},
        "checks": checks,
        "history": claim_selectors.claim_history(claim),
        "materials": list(claim.materials.all()) if may_see_materials(scope_of(user)) else [],
        "may_review": may_review,
        "may_approve": may_approve,
        "may_pay": may_pay,
        "may_reveal": user.has_perm("subsidies.pay")
        and claim.status in (Claim.Status.APPROVED, Claim.Status.PAID),
        "decision_form": DecisionForm(
            request.POST if extra.get("action") in ("review", "approve") else None
        ),
        "pay_form": extra.pop("pay_form", None)
        or PayForm(initial={"paid_on": policy.today()} if may_pay else None),
        "payment": payment,
        "payment_amount": yuan(payment.amount_yuan) if payment else "",
        "action_errors": [],
        "revealed": "",
    }
    ctx.update(extra)
    return ctx


def _claim(request, pk):
    try:
        return claim_selectors.claim_get(acting_user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
@require_http_methods(["GET", "POST"])
def claim_detail(request, pk: int):
    """The claim: its items with entitled, claimed, reviewed and approved amounts, the
    eligibility checks, the history from the audit log, and the forms of the actions the
    user may take (review, approve, pay; 区财政局's audited reveal of the bank account)."""
    claim = _claim(request, pk)
    if request.method == "GET":
        return render(request, "subsidies/claims/detail.html", _claim_context(request, claim))
    action = request.POST.get("action", "")
    errors: list[str] = []
    extra: dict = {"action": action}
    try:
        if action in ("review", "approve"):
            form = DecisionForm(request.POST)
            if not form.is_valid():
                raise DomainError(CoreError.INVALID, gettext("请选择结论"), field="decision")
            service = (
                claim_services.claim_review if action == "review" else claim_services.claim_approve
            )
            service(
                acting_user=request.user,
                claim=claim,
                approve=form.cleaned_data["decision"] == "approve",
                amounts=_amounts(request, claim),
                note=form.cleaned_data["note"],
            )
            messages.success(request, gettext("已办理"))
            return redirect("subsidies:claim_detail", pk=claim.pk)
        if action == "pay":
            pay_form = PayForm(request.POST)
            extra["pay_form"] = pay_form
            if pay_form.is_valid():
                d = pay_form.cleaned_data
                try:
                    claim_services.claim_pay(
                        acting_user=request.user,
                        claim=claim,
                        fund=d["fund"],
                        voucher_number=d["voucher_number"],
                        paid_on=d["paid_on"],
                        budget_year=d["budget_year"],
                    )
                except DomainError as exc:
                    add_service_errors(pay_form, exc)
                else:
                    messages.success(request, gettext("已支付"))
                    return redirect("subsidies:claim_detail", pk=claim.pk)
        elif action == "reveal":
            if not request.user.has_perm("subsidies.pay"):
                raise Http404
            extra["revealed"] = personal_value_reveal(
                actor=request.user, obj=claim, field_name="bank_account", purpose="支付补助"
            )
        else:
            raise Http404
    except DomainError as exc:
        errors = [str(e.message) for e in exc.errors]
    claim = _claim(request, pk)
    ctx = _claim_context(request, claim, **extra)
    ctx["action_errors"] = errors
    status = 422 if errors or (extra.get("pay_form") and extra["pay_form"].errors) else 200
    return render(request, "subsidies/claims/detail.html", ctx, status=status)


@login_required
@require_GET
def claim_material(request, pk: int):
    """A claim's supporting file as a download (the institution, 区卫健局, 区财政局; anyone
    else 404), audited as CLAIM_MATERIAL_DOWNLOADED."""
    try:
        material = claim_selectors.claim_material_get(acting_user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    claim_services.claim_material_download_record(acting_user=request.user, material=material)
    response = FileResponse(
        material.file.open("rb"),
        as_attachment=True,
        filename=material.original_name or os.path.basename(material.file.name),
        content_type=material.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- funds and ledgers (P-SUB-4) -----------------------------------------------------------


class FundForm(forms.Form):
    code = forms.SlugField(label=_("资金编码"), max_length=40)
    name = forms.CharField(label=_("资金名称"), max_length=100)
    source = forms.ChoiceField(label=_("资金来源"), choices=Fund.Source.choices)
    pays_refs = forms.CharField(
        label=_("可支付的补助项目"),
        required=False,
        help_text=_("政策条款编号，以逗号分隔，如 P-SUB-1,P-SUB-2；留空为不限"),
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class BudgetForm(forms.Form):
    fund = forms.ModelChoiceField(label=_("补助资金"), queryset=Fund.objects.all())
    year = forms.IntegerField(label=_("预算年度"), min_value=2000, max_value=2100)
    amount_yuan = forms.DecimalField(
        label=_("预算金额（元）"), max_digits=14, decimal_places=2, min_value=0
    )
    document_ref = forms.CharField(label=_("预算文号"), max_length=100, required=False)


@login_required
@permission_required("subsidies.view_ledger", raise_exception=True)
@require_http_methods(["GET", "POST"])
def fund_list(request):
    """Funds with budget, paid, clawed back and balance per year; 区财政局 creates a fund and
    sets a year's budget."""
    may_manage = request.user.has_perm("subsidies.manage_funds")
    action = request.POST.get("action") if request.method == "POST" else None
    fund_form = FundForm(request.POST if action == "create" else None)
    budget_form = BudgetForm(
        request.POST if action == "budget" else None, initial={"year": policy.today().year}
    )
    if action and not may_manage:
        raise Http404
    if action == "create" and fund_form.is_valid():
        d = fund_form.cleaned_data
        try:
            ledger_services.fund_create(
                acting_user=request.user,
                code=d["code"],
                name=d["name"],
                source=d["source"],
                pays_refs=[r for r in d["pays_refs"].replace("，", ",").split(",")],
                note=d["note"],
            )
        except DomainError as exc:
            add_service_errors(fund_form, exc)
        else:
            messages.success(request, gettext("已设立补助资金"))
            return redirect("subsidies:funds")
    if action == "budget" and budget_form.is_valid():
        d = budget_form.cleaned_data
        try:
            ledger_services.fund_budget_set(
                acting_user=request.user,
                fund=d["fund"],
                year=d["year"],
                amount_yuan=d["amount_yuan"],
                document_ref=d["document_ref"],
            )
        except DomainError as exc:
            add_service_errors(budget_form, exc)
        else:
            messages.success(request, gettext("已录入年度预算"))
            return redirect("subsidies:funds")
    funds = []
    for fund in ledger_selectors.funds_visible(acting_user=request.user):
        funds.append(
            {"fund": fund, "years": [_year_display(r) for r in ledger_selectors.fund_years(fund)]}
        )
    status = 422 if (fund_form.errors or budget_form.errors) else 200
    return render(
        request,
        "subsidies/funds/list.html",
        {
            "funds": funds,
            "may_manage": may_manage,
            "fund_form": fund_form,
            "budget_form": budget_form,
        },
        status=status,
    )


def _year_display(r) -> dict:
    return {
        "year": r.year,
        "budget": yuan(r.budget) if r.budget is not None else "—",
        "document_ref": r.document_ref,
        "paid": yuan(r.paid),
        "clawed_back": yuan(r.clawed_back),
        "balance": yuan(r.balance),
    }


class ClawbackForm(forms.Form):
    entry = forms.IntegerField(widget=forms.HiddenInput)
    amount_yuan = forms.DecimalField(
        label=_("追回金额（元）"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    reason = forms.CharField(label=_("追回理由"), max_length=300)
    voucher_number = forms.CharField(label=_("凭证号"), max_length=40)
    booked_on = forms.DateField(label=_("记账日期"), widget=DATE)


@login_required
@permission_required("subsidies.view_ledger", raise_exception=True)
@require_http_methods(["GET", "POST"])
def fund_detail(request, pk: int):
    """A fund's ledger for a budget year: the entries with the running balance, and for
    区财政局 a clawback form under each payment that can still be clawed back."""
    try:
        fund = ledger_selectors.fund_get(acting_user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    years = ledger_selectors.fund_years(fund)
    default_year = years[0].year if years else policy.today().year
    year = _year(request, default_year)
    may_claw = request.user.has_perm("subsidies.manage_funds")
    clawback_form = ClawbackForm(request.POST or None)
    posted_entry = None
    if request.method == "POST":
        if not may_claw:
            raise Http404
        if clawback_form.is_valid():
            d = clawback_form.cleaned_data
            entry = LedgerEntry.objects.filter(pk=d["entry"], fund=fund).first()
            if entry is None:
                raise Http404
            posted_entry = entry.pk
            try:
                ledger_services.clawback_book(
                    acting_user=request.user,
                    entry=entry,
                    amount_yuan=d["amount_yuan"],
                    reason=d["reason"],
                    voucher_number=d["voucher_number"],
                    booked_on=d["booked_on"],
                )
            except DomainError as exc:
                add_service_errors(clawback_form, exc)
            else:
                messages.success(request, gettext("已追回"))
                return redirect(f"{request.path}?year={entry.budget_year}")
        else:
            posted_entry = clawback_form.data.get("entry")
    rows = [
        {
            "entry": r.entry,
            "amount": yuan(r.entry.amount_yuan),
            "running": yuan(r.running_balance),
            "clawable": r.clawable,
            "clawable_display": yuan(r.clawable),
            "form_open": str(posted_entry) == str(r.entry.pk),
        }
        for r in ledger_selectors.ledger_rows(fund, year)
    ]
    summary = next((r for r in years if r.year == year), None)
    return render(
        request,
        "subsidies/funds/detail.html",
        {
            "fund": fund,
            "year": year,
            "years": [r.year for r in years],
            "summary": _year_display(summary) if summary else None,
            "rows": rows,
            "may_claw": may_claw,
            "clawback_form": clawback_form,
            "today": policy.today(),
        },
        status=422 if clawback_form.errors else 200,
    )


urlpatterns = [
    path("claims/", claim_list, name="claims"),
    path("claims/new/", claim_new, name="claim_new"),
    path("claims/<int:pk>/", claim_detail, name="claim_detail"),
    path("claims/materials/<int:pk>/", claim_material, name="claim_material"),
    path("funds/", fund_list, name="funds"),
    path("funds/<int:pk>/", fund_detail, name="fund_detail"),
]
