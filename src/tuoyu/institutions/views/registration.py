"""Registration pages (P-REG-11, P-REG-12): the list for 区卫健局 and the registration
authorities (events pushed; "registered, not yet filed" with overdue flags), an event's
detail, and the authorities' entry form and Excel upload. Thin: the form and the upload end
in the same service as the API (`registration_event_receive`)."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from tuoyu import policy
from tuoyu.accounts.rules import is_health_bureau
from tuoyu.core.errors import DomainError, NotFound
from tuoyu.institutions import excel_registration
from tuoyu.institutions.models import Institution, RegistrationEvent
from tuoyu.institutions.registration_rules import AUTHORITY_LABELS
from tuoyu.institutions.selectors import registration as selectors
from tuoyu.institutions.services import registration as services
from tuoyu.institutions.services.downloads import Counted, registrations_export_record
from tuoyu.institutions.services.registration_import import registration_events_import
from tuoyu.web.tables import paginate

VIEW = "institutions.view_registrations"
ENTER = "institutions.enter_registrations"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TABS = ("events", "unfiled")


def _tab(request) -> str:
    tab = request.GET.get("tab", "")
    return tab if tab in TABS else "events"


@login_required
@permission_required(VIEW, raise_exception=True)
def registration_list(request):
    tab = _tab(request)
    filters = selectors.RegistrationFilters.from_query(request.GET)
    today = policy.today()
    if tab == "unfiled":
        qs = selectors.registrations_unfiled(acting_user=request.user, filters=filters, today=today)
        page = paginate(request, qs)
        page.object_list = selectors.registrations_with_age(page.object_list, today=today)
    else:
        qs = selectors.registration_events_list(
            acting_user=request.user, filters=filters, today=today
        )
        page = paginate(request, qs)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "institutions/registration/list.html",
        {
            "tab": tab,
            "page": page,
            "filters": filters,
            "choices": selectors.registration_filter_choices(acting_user=request.user),
            "summary": selectors.registrations_unfiled_summary(
                acting_user=request.user, today=today
            ),
            "today": today,
            "export_query": query.urlencode(),
            "can_enter": request.user.has_perm(ENTER),
            "authority_labels": AUTHORITY_LABELS,
        },
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def registrations_export(request):
    tab = _tab(request)
    filters = selectors.RegistrationFilters.from_query(request.GET)
    today = policy.today()
    if tab == "unfiled":
        deadline = selectors.registration_filing_deadline(today=today)
        rows = Counted(
            selectors.registrations_with_age(
                selectors.registrations_unfiled(
                    acting_user=request.user, filters=filters, today=today
                ).iterator(chunk_size=1000),
                today=today,
            )
        )
        content = excel_registration.registrations_unfiled_workbook(
            rows, deadline_days=deadline.days
        )
        filename = f"registrations-unfiled-{today:%Y%m%d}.xlsx"
    else:
        rows = Counted(
            selectors.registration_events_list(
                acting_user=request.user, filters=filters, today=today
            ).iterator(chunk_size=1000)
        )
        content = excel_registration.registration_events_workbook(rows)
        filename = f"registrations-{today:%Y%m%d}.xlsx"
    registrations_export_record(
        acting_user=request.user, tab=tab, filters=filters, rows=rows.count, filename=filename
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@permission_required(VIEW, raise_exception=True)
def registration_detail(request, pk: int):
    try:
        event = selectors.registration_event_get(acting_user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(
        request,
        "institutions/registration/detail.html",
        {
            "event": event,
            "changes": selectors.registration_event_changes(event),
            "history": selectors.registration_institution_events(
                acting_user=request.user, institution_id=event.institution_id
            ),
            "payload_json": json.dumps(event.payload, ensure_ascii=False, indent=2),
            "response_json": json.dumps(event.response, ensure_ascii=False, indent=2),
            "authority_labels": AUTHORITY_LABELS,
            # [accounts-ux] 5: the raw push is for 区卫健局 only, behind 技术详情.
            "show_technical": is_health_bureau(request.user),
        },
    )


# --- entry form --------------------------------------------------------------------------


class RegistrationEventForm(forms.Form):
    """One registration, change or deregistration entered by an authority's staff. The
    event id is issued when the form is shown (FORM-<authority>-<uuid>), so submitting the
    same form twice is answered idempotently."""

    event_id = forms.CharField(widget=forms.HiddenInput, max_length=100)
    action = forms.ChoiceField(
        label=_("事项"),
        choices=RegistrationEvent.Action.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        initial=RegistrationEvent.Action.REGISTERED,
    )
    uscc = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=40,
        help_text=_("18 位，GB 32100-2015"),
    )
    name = forms.CharField(label=_("机构名称"), max_length=200, required=False)
    legal_form = forms.ChoiceField(
        label=_("法人类型"),
        choices=[("", "—"), *Institution.LegalForm.choices],
        required=False,
    )
    for_profit = forms.TypedChoiceField(
        label=_("营利性"),
        choices=[("", "—"), ("true", _("营利性")), ("false", _("非营利性"))],
        coerce=lambda value: value == "true",
        empty_value=None,
        required=False,
    )
    legal_representative = forms.CharField(label=_("法定代表人"), max_length=60, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    township_code = forms.ChoiceField(label=_("所在镇乡街道"), required=False)
    # [accounts-ux] 5: the label is the word the service's messages use ("发生时间").
    occurred_at = forms.DateTimeField(
        label=_("发生时间"),
        help_text=_("登记机关办结该事项的时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )

    def __init__(self, *args, townships: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township_code"].choices = [
            ("", "—"),
            *((code, f"{name}（{code}）") for code, name in townships),
        ]
        for name, field in self.fields.items():
            if name != "action":
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs.setdefault("class", css)

    def body(self, authority: str) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        data["authority"] = authority
        return data


def _attach_errors(form: forms.Form, exc: DomainError) -> None:
    for item in exc.errors:
        field = form.fields.get(item.field or "")
        visible = field is not None and not field.widget.is_hidden
        form.add_error(item.field if visible else None, item.message)


@login_required
@permission_required(ENTER, raise_exception=True)
@require_http_methods(["GET", "POST"])
def registration_new(request):
    authority = services.registration_authority_of(request.user)
    townships = [
        (t.code, t.name) for t in selectors.registration_townships(acting_user=request.user)
    ]
    if request.method == "POST":
        form = RegistrationEventForm(request.POST, townships=townships)
        if form.is_valid():
            try:
                receipt = services.registration_event_receive(
                    acting_user=request.user,
                    data=form.body(authority),
                    channel=RegistrationEvent.Channel.FORM,
                )
            except DomainError as exc:
                _attach_errors(form, exc)
            else:
                if receipt.created:
                    messages.success(
                        request,
                        gettext("已接收：%(action)s %(uscc)s")
                        % {
                            "action": receipt.event.get_action_display(),
                            "uscc": receipt.event.uscc,
                        },
                    )
                else:
                    messages.info(request, gettext("该信息此前已提交，未重复接收。"))
                return redirect("institutions:registration_detail", pk=receipt.event.pk)
    else:
        form = RegistrationEventForm(
            townships=townships,
            initial={
                "event_id": services.registration_form_event_id(authority),
                "occurred_at": timezone.localtime().replace(second=0, microsecond=0),
            },
        )
    return render(
        request,
        "institutions/registration/form.html",
        {"form": form, "authority_label": AUTHORITY_LABELS[authority]},
    )


# --- Excel upload ------------------------------------------------------------------------


class RegistrationImportForm(forms.Form):
    file = forms.FileField(
        label=_("登记信息文件（.xlsx）"),
        help_text=_("请使用下载的模板填写；全部行校验通过才会导入。"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX}"}),
    )


@login_required
@permission_required(ENTER, raise_exception=True)
def registration_template(request):
    authority = services.registration_authority_of(request.user)
    content = excel_registration.registration_template(
        townships=selectors.registration_townships(acting_user=request.user),
        authority_label=AUTHORITY_LABELS[authority],
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="registrations-template.xlsx"'
    return response


@login_required
@permission_required(ENTER, raise_exception=True)
@require_http_methods(["GET", "POST"])
def registration_import(request):
    errors = None
    form = (
        RegistrationImportForm(request.POST, request.FILES)
        if request.method == "POST"
        else RegistrationImportForm()
    )
    if form.is_bound and form.is_valid():
        try:
            result = registration_events_import(
                acting_user=request.user, file=form.cleaned_data["file"]
            )
        except DomainError as exc:
            errors = exc
        else:
            messages.success(
                request,
                gettext(
                    "导入成功：共 %(rows)s 行，新接收 %(created)s 条，此前已接收 %(replayed)s 条。"
                )
                % {"rows": result.rows, "created": result.created, "replayed": result.replayed},
            )
            return redirect(reverse("institutions:registrations"))
    return render(
        request,
        "institutions/registration/import.html",
        {
            "form": form,
            "errors": errors,
            "max_rows": excel_registration.MAX_IMPORT_ROWS,
            "max_mb": excel_registration.MAX_IMPORT_BYTES // 1024 // 1024,
        },
    )


urlpatterns = [
    path("registrations/", registration_list, name="registrations"),
    path("registrations/export.xlsx", registrations_export, name="registrations_export"),
    path("registrations/new/", registration_new, name="registration_new"),
    path("registrations/import/", registration_import, name="registration_import"),
    path("registrations/template.xlsx", registration_template, name="registration_template"),
    path("registrations/<int:pk>/", registration_detail, name="registration_detail"),
]
