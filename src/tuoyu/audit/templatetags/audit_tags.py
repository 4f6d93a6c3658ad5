"""`{{ event.action|action_label }}`: the Chinese label of an audit action from the
catalogues ([house] point 5), also for events recorded under a pre-catalogue name;
`{{ value|enum_words }}`: stored enum words in Chinese."""

from django import template

from tuoyu.audit.presentation import enum_words as _enum_words
from tuoyu.core.catalogue import audit_action_label

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    return audit_action_label(action)


@register.filter
def enum_words(value) -> str:
    """`{{ department.review_subjects|enum_words }}`: stored enum words in Chinese
    ([accounts-ux] point 5)."""
    return _enum_words(value)
