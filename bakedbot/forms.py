"""Where the HTML views turn a service's ``InvalidInput`` into what a person sees: the errors of
the form's fields (a field the form does not have becomes a form-wide error)."""

from __future__ import annotations

from django import forms

from bakedbot.errors import InvalidInput


def add_field_errors(form: forms.Form, exc: InvalidInput) -> forms.Form:
    """Put every ``{field: message}`` of ``exc`` on ``form``; returns the form for rendering."""
    for field, message in exc.errors.items():
        form.add_error(field if field in form.fields else None, message)
    return form
