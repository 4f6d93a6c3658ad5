"""`{{ standard.name_zh|data_text }}`: a text that comes from data (policy YAML, the
departments file) in the language in use ([accounts-ux] point 9).

The mechanism for data: the data stays in Chinese and each text is a gettext msgid, listed
by its app in `<app>/data_texts.py` (`gettext_noop`, so `makemessages` finds it; a test
checks the list against the data files); the English is in the app's catalog like any UI
string. A text without a translation (a district's own addition) shows as stored.
"""

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def data_text(value) -> str:
    return gettext(value) if isinstance(value, str) and value else (value or "")
