"""Where the HTML views turn a service's ``InvalidInput`` into what a person sees: the errors of
the form's fields (a field the form does not have becomes a form-wide error)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from bakedbot.errors import InvalidInput


def add_field_errors(form: forms.Form, exc: InvalidInput) -> forms.Form:
    """Put every ``{field: message}`` of ``exc`` on ``form``; returns the form for rendering."""
    for field, message in exc.errors.items():
        form.add_error(field if field in form.fields else None, message)
    return form


class EmailAuthenticationForm(AuthenticationForm):
    """The login form: people log in with their e-mail address (it is their username), so the
    error names the field they see, "Email", not Django's "username"."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password do not match an account. Check both and try "
        "again (the password is case-sensitive).",
    }
