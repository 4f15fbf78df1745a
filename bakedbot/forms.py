"""Forms of bakedbot's own pages."""

from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm


class EmailAuthenticationForm(AuthenticationForm):
    """The login form: people log in with their e-mail address (it is their username), so the
    error names the field they see, "Email", not Django's "username"."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password do not match an account. Check both and try "
        "again (the password is case-sensitive).",
    }
