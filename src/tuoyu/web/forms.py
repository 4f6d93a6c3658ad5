"""What every form of the UI shares."""

from __future__ import annotations

from django import forms


class StyledForm(forms.Form):
    """A form whose widgets carry Bootstrap's classes (the UI shell's look)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


def add_service_errors(form: forms.Form, exc, aliases: dict | None = None) -> None:
    """Each error of a service's DomainError beside the field it concerns (its name, an
    alias of it, or a list field's name without the index: "items[2]" → "items"), else
    above the form: the message, never the code."""
    aliases = aliases or {}
    for e in exc.errors:
        name = aliases.get(e.field or "", (e.field or "").split("[")[0])
        form.add_error(name if name in form.fields else None, str(e.message))
