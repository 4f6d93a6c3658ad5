"""Punctuation fitted to the page's language ([accounts-ux] point 9).

A template that joins translated words with punctuation of its own (a label and its value, a
list, a date in brackets) writes `{% mark "colon" %}` instead of a hard-coded "：": full-width
marks in Chinese, ASCII ones with their spacing in any other language. Whole sentences keep
their punctuation inside the translated string.
"""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

register = template.Library()

# name: (Chinese, any other language)
MARKS = {
    "colon": ("：", ": "),
    "comma": ("，", ", "),
    "enumeration": ("、", ", "),
    "semicolon": ("；", "; "),
    "open": ("（", " ("),
    "close": ("）", ")"),
}


def is_chinese(language: str | None = None) -> bool:
    return (language or get_language() or "").lower().startswith("zh")


@register.simple_tag
def mark(name: str) -> str:
    """`{% mark "colon" %}`: the mark named, as the current language writes it."""
    chinese, other = MARKS[name]
    return chinese if is_chinese() else other
