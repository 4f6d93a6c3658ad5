"""The plain public pages (no login, no personal data): the list of filed institutions with
its search, and the way to a filing receipt's verification page. Mounted by the root urls as
`path("public/", include(("tuoyu.institutions.views.public", "public")))`; the public portal
of a later issue grows from these (same selectors as GET /api/v1/public/institutions)."""

from __future__ import annotations

import re
from html import escape

from django import forms
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from tuoyu import policy
from tuoyu.core.bounds import SEARCH_MAX_LENGTH
from tuoyu.core.errors import DomainError
from tuoyu.institutions.selectors import public as selectors
from tuoyu.institutions.selectors import public_search

# What can be a filing number (the receipt's `TY<district>-<year>-<seq>`, or a number a
# district issued before, with Chinese brackets): at most 40 characters, never a "/" — the
# filings verification form checks the same before it builds the number's URL.
FILING_NUMBER = re.compile(r"^[0-9A-Za-z\-（）()\u4e00-\u9fff〔〕]{1,40}$")


class PublicSearchForm(forms.Form):
    q = forms.CharField(label=_("机构名称"), required=False, max_length=SEARCH_MAX_LENGTH)
    # A code checked against the district's townships (cheaper than a ChoiceField's
    # normalised choices when a province's thousand townships are loaded).
    township = forms.CharField(label=_("镇乡街道"), required=False, max_length=12)
    affordable = forms.ChoiceField(
        label=_("普惠性"),
        required=False,
        choices=[("", _("全部")), ("true", _("普惠性机构")), ("false", _("非普惠性机构"))],
    )
    age_months = forms.IntegerField(
        label=_("宝宝月龄"), required=False, min_value=0, max_value=1200
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=selectors.MAX_PAGE)

    def __init__(self, *args, townships=(), **kwargs):
        """`townships`: (code, name) pairs of the district."""
        super().__init__(*args, **kwargs)
        self.townships = townships
        self.township_codes = {code for code, _ in townships}

    def clean_township(self):
        code = self.cleaned_data.get("township") or ""
        if code and code not in self.township_codes:
            raise forms.ValidationError(_("镇乡街道代码不存在"), code="unknown_region")
        return code

    def township_options(self):
        """The <option> markup of the township drop-down (values and names escaped)."""
        current = str(self["township"].value() or "")
        return mark_safe(
            "".join(
                f'<option value="{escape(code)}"{" selected" if code == current else ""}>'
                f"{escape(name)}</option>"
                for code, name in [("", str(_("全部"))), *self.townships]
            )
        )


@require_GET
@cache_control(public=True, max_age=60)
def institution_list(request):
    townships = selectors.public_townships()
    form = PublicSearchForm(request.GET, townships=townships)
    page = None
    if form.is_valid():
        data = form.cleaned_data
        affordable = {"true": True, "false": False}.get(data.get("affordable") or "")
        try:
            page = public_search.public_page(
                q=data.get("q"),
                township=data.get("township") or None,
                affordable=affordable,
                age_months=data.get("age_months"),
                page=data.get("page") or 1,
            )
        except DomainError as exc:
            for item in exc.errors:
                form.add_error(item.field if item.field in form.fields else None, item.message)
    query = request.GET.copy()
    query.pop("page", None)
    status = 200 if page is not None else 400
    return render(
        request,
        "institutions/public/list.html",
        {
            "form": form,
            "page": page,
            "querystring": query.urlencode(),
            "standards": policy.at().classes.items(),
        },
        status=status,
    )


@require_GET
def verify(request):
    """The receipt verification form: on to the filing's verification page (the same page
    the receipt's QR code opens)."""
    number = (request.GET.get("number") or "").strip()
    if not FILING_NUMBER.match(number):
        return render(
            request,
            "institutions/public/verify.html",
            {"number": number, "error": bool(number)},
            status=400 if number else 200,
        )
    # FILING_NUMBER admits no "/": the verification URL can always be built (the filings
    # page matches the number case-insensitively).
    return redirect(reverse("filings:verify", args=[number]))


urlpatterns = [
    path("institutions/", institution_list, name="institutions"),
    path("verify/", verify, name="verify"),
]
