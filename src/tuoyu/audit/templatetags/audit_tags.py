"""`{{ event.action|action_label }}`: the Chinese label of an audit action from the
catalogues ([house] point 5), also for events recorded under a pre-catalogue name."""

from django import template

from tuoyu.core.catalogue import audit_action_label

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    return audit_action_label(action)
