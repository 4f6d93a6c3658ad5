"""Department codes on supervision pages as the departments' names ([accounts-ux] point 5:
people see words, never codes)."""

from django import template

from tuoyu.accounts.models import Department

register = template.Library()


@register.simple_tag(takes_context=True)
def department_names(context, codes: str) -> str:
    """ "区市场监管局" for "market_regulation"; "区卫健局、区公安分局" for ",health,public_security,".
    One query per rendered page (the names are kept in the render context)."""
    names = context.render_context.get("department_names")
    if names is None:
        names = {d.code: d.name_display for d in Department.objects.all()}
        context.render_context["department_names"] = names
    return "、".join(names.get(c, c) for c in (codes or "").strip(",").split(",") if c)


@register.filter
def suspended_on(case, day) -> bool:
    """Whether a zero-tolerance case suspends its institution on `day` (P-SUP-6)."""
    return bool(day) and case.suspended_at(day)
