"""The institution directory pages (机构名录): list with search, filters, sorting, paging and
Excel export; an institution's page with its tabs. Thin: selectors read (scope applied),
excel_directory writes the file and its audit event."""

from __future__ import annotations

from html import escape

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from tuoyu import policy
from tuoyu.accounts.models import Department
from tuoyu.core.bounds import SEARCH_MAX_LENGTH
from tuoyu.core.errors import NotFound
from tuoyu.institutions.excel_directory import directory_export_xlsx
from tuoyu.institutions.models import Institution
from tuoyu.institutions.models.institution import OperatingMode
from tuoyu.institutions.selectors import affordable as affordable_selectors
from tuoyu.institutions.selectors import chains as chain_selectors
from tuoyu.institutions.selectors import directory as selectors
from tuoyu.institutions.selectors import registration as reg_selectors
from tuoyu.institutions.tabs import InstitutionTab, register_tab, registered_tabs, tab_get
from tuoyu.web.tables import PAGE_SIZES, paginate

VIEW = "institutions.view_directory"
AUTHORITY_LABELS = dict(Department.RegistrationAuthority.choices)

BLANK = [("", _("全部"))]


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(
        label=_("名称或统一社会信用代码"), required=False, max_length=SEARCH_MAX_LENGTH
    )
    # A code checked against the offered townships (a ChoiceField would re-normalise the
    # over a thousand choices of a province on every request).
    township = forms.CharField(label=_("镇乡街道"), required=False, max_length=12)
    registration_status = forms.ChoiceField(
        label=_("登记状态"),
        required=False,
        choices=BLANK + list(Institution.RegistrationStatus.choices),
    )
    filing_status = forms.ChoiceField(
        label=_("备案状态"), required=False, choices=BLANK + list(Institution.FilingStatus.choices)
    )
    operating_mode = forms.ChoiceField(
        label=_("服务模式"), required=False, choices=BLANK + list(OperatingMode.choices)
    )
    affordable = forms.ChoiceField(
        label=_("普惠性（今日）"),
        required=False,
        choices=[*BLANK, ("yes", _("普惠")), ("no", _("非普惠"))],
    )
    chain = forms.ChoiceField(
        label=_("连锁"),
        required=False,
        choices=[
            *BLANK,
            ("branch", _("连锁分支机构")),
            ("head", _("连锁总部")),
            ("none", _("非连锁")),
        ],
    )
    sort = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args, townships=(), **kwargs):
        """`townships`: (code, name) pairs offered by the township filter."""
        super().__init__(*args, **kwargs)
        self.township_choices = BLANK + list(townships)
        self.township_codes = {code for code, _ in townships}

    def clean_township(self):
        code = self.cleaned_data.get("township") or ""
        if code and code not in self.township_codes:
            raise forms.ValidationError(_("镇乡街道不在可选范围内"), code="invalid_choice")
        return code

    SELECTS = (
        "township",
        "registration_status",
        "filing_status",
        "operating_mode",
        "affordable",
        "chain",
    )

    def selects(self) -> list[dict]:
        """The drop-downs with their <option> markup built here: the template only prints
        it (a province has over a thousand townships; a template loop over them costs more than the
        whole query)."""
        out = []
        for name in self.SELECTS:
            field = self[name]
            current = str(field.value() or "")
            out.append(
                {
                    "name": name,
                    "id": field.id_for_label,
                    "label": field.label,
                    # Every value and label is escaped here.
                    "options": mark_safe(
                        "".join(
                            f'<option value="{escape(v)}"{" selected" if v == current else ""}>'
                            f"{escape(str(label))}</option>"
                            for v, label in (
                                self.township_choices if name == "township" else field.field.choices
                            )
                        )
                    ),
                }
            )
        return out

    def filters(self) -> selectors.DirectoryFilters:
        data = {}
        if self.is_bound:
            self.is_valid()  # cleaned_data keeps the valid fields: a bad value drops only itself
            data = self.cleaned_data
        affordable = {"yes": True, "no": False}.get(data.get("affordable") or "")
        return selectors.DirectoryFilters(
            q=data.get("q", ""),
            township=data.get("township", ""),
            registration_status=data.get("registration_status", ""),
            filing_status=data.get("filing_status", ""),
            operating_mode=data.get("operating_mode", ""),
            affordable=affordable,
            chain=data.get("chain", ""),
            sort=data.get("sort") or selectors.DEFAULT_SORT,
        )


COLUMNS = (
    ("name", _("机构名称")),
    ("township", _("镇乡街道")),
    ("registration_status", _("登记状态")),
    ("registered", _("登记至今")),
    ("filing_status", _("备案状态")),
    ("filed_on", _("备案日期")),
    ("mode", _("服务模式")),
    ("slots", _("托位")),
    ("affordable", _("普惠")),
)


def _label_rows(rows) -> None:
    """Display labels of the page's rows from one map per field (the model's get_*_display
    rebuilds its choices map on every call)."""
    maps = {
        "registration_status": dict(Institution.RegistrationStatus.choices),
        "filing_status": dict(Institution.FilingStatus.choices),
        "operating_mode": dict(OperatingMode.choices),
    }
    for row in rows:
        for name, labels in maps.items():
            value = getattr(row, name)
            setattr(row, f"{name}_label", labels.get(value, value))


def _filter_form(request) -> DirectoryFilterForm:
    townships = selectors.directory_townships(acting_user=request.user)
    return DirectoryFilterForm(request.GET or None, townships=townships)


def _sort_columns(request, current: str) -> list[dict]:
    """Header links: a click sorts by the column, a second click reverses it."""
    query = request.GET.copy()
    query.pop("page", None)
    out = []
    for key, label in COLUMNS:
        direction = ""
        if current.lstrip("-") == key:
            direction = "desc" if current.startswith("-") else "asc"
        query["sort"] = f"-{key}" if direction == "asc" else key
        out.append({"key": key, "label": label, "direction": direction, "query": query.urlencode()})
    return out


@login_required
@permission_required(VIEW, raise_exception=True)
def institution_list(request):
    form = _filter_form(request)
    filters = form.filters()
    qs = selectors.institutions_directory(acting_user=request.user, filters=filters)
    page = paginate(request, selectors.directory_paged(qs, filters))
    _label_rows(page)
    export_query = request.GET.copy()
    for key in ("page", "per_page"):
        export_query.pop(key, None)
    return render(
        request,
        "institutions/directory/list.html",
        {
            "form": form,
            "selects": form.selects(),
            "page": page,
            "columns": _sort_columns(request, filters.sort),
            "export_query": export_query.urlencode(),
            "page_sizes": PAGE_SIZES,
            "per_page": page.paginator.per_page,
            "deadline_days": policy.at().filing.registration_to_filing_deadline_days,
        },
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def institution_export(request):
    filters = _filter_form(request).filters()
    file, _count = directory_export_xlsx(acting_user=request.user, filters=filters)
    filename = f"托育机构名单-{policy.today():%Y%m%d}.xlsx"
    return FileResponse(
        file,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _classes_tab(request, institution: Institution) -> dict:
    classes = selectors.institution_classes(acting_user=request.user, institution=institution)
    return {
        "classes": classes,
        "standards": policy.at().classes.items(),
        "filed_slots": sum(c.capacity for c in classes if c.status == "filed"),
    }


def _registrations_tab(request, institution: Institution) -> dict:
    events = selectors.institution_registration_events(
        acting_user=request.user, institution=institution
    )
    for event in events:
        event.authority_label = AUTHORITY_LABELS.get(event.authority, event.authority)
        # [accounts-ux] 5: "营利性：非营利性 → 营利性", never "— → True".
        event.change_rows = reg_selectors.registration_event_changes(event)
    return {"events": events}


def _chain_tab(request, institution: Institution) -> dict:
    return {
        "chain": chain_selectors.chain_info_for_institution(
            acting_user=request.user, institution=institution
        ),
        "can_manage_chains": request.user.has_perm("institutions.manage_chains"),
    }


def _affordable_tab(request, institution: Institution) -> dict:
    return {
        "designations": affordable_selectors.affordable_history(
            acting_user=request.user, institution=institution
        ),
        "can_designate": request.user.has_perm("institutions.designate_affordable"),
        "designatable": institution.filing_status == Institution.FilingStatus.FILED
        and not institution.is_deregistered,
        "today": policy.today(),
    }


def _accounts_tab(request, institution: Institution) -> dict:
    return {
        "accounts": selectors.institution_accounts(
            acting_user=request.user, institution=institution
        )
    }


def register_tabs() -> None:
    pane = "institutions/directory/_tab_{}.html".format
    for key, label, context, order in (
        ("basic", _("基本信息"), lambda request, institution: {}, 10),
        ("classes", _("班级与托位"), _classes_tab, 20),
        ("registrations", _("登记记录"), _registrations_tab, 40),
        ("chain", _("连锁"), _chain_tab, 50),
        ("affordable", _("普惠认定"), _affordable_tab, 60),
        ("accounts", _("账号"), _accounts_tab, 90),
    ):
        register_tab(InstitutionTab(key, label, pane(key), context, order))


@login_required
@permission_required(VIEW, raise_exception=True)
def institution_detail(request, pk: int):
    try:
        institution = selectors.institution_directory_get(acting_user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    tab = tab_get(request.GET.get("tab", "basic")) or tab_get("basic")
    context = {
        "institution": institution,
        "tabs": [(t.key, t.label) for t in registered_tabs()],
        "tab": tab.key,
        "pane": tab.template,
        "deadline_days": policy.at().filing.registration_to_filing_deadline_days,
        "detail_url": reverse("institutions:detail", args=[institution.pk]),
        "authority_label": AUTHORITY_LABELS.get(
            institution.registration_authority, institution.registration_authority
        ),
        **tab.context(request, institution),
    }
    if request.htmx and request.htmx.target == "tab-pane":
        return render(request, context["pane"], context)
    return render(request, "institutions/directory/detail.html", context)


urlpatterns = [
    path("", institution_list, name="list"),
    path("export.xlsx", institution_export, name="export"),
    path("<int:pk>/", institution_detail, name="detail"),
]
