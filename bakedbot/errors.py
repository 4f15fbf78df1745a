"""The one way a service says no: ``InvalidInput`` carrying ``{field: message}``; and the one
way it says "not now": ``Unavailable`` (a store did not answer in time).

Every service refuses bad input by raising it before anything is written. The HTML views show
``errors`` next to the fields, and the JSON API answers it in one handler (``bakedbot.api``) as a
400 naming the fields.
It is a ``ValueError``, so code that guards a conversion with ``except ValueError`` keeps working.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

T = TypeVar("T")


class InvalidInput(ValueError):
    """Bad input: ``errors`` maps each field at fault to a message for a person; ``field`` is the
    first of them. ``InvalidInput(field="message")`` or ``InvalidInput({"field": "message"})``."""

    def __init__(self, errors: Mapping[str, str] | None = None, /, **fields: str) -> None:
        self.errors: dict[str, str] = {**(errors or {}), **fields}
        if not self.errors:
            raise TypeError("InvalidInput needs at least one {field: message}")
        self.field = next(iter(self.errors))
        super().__init__("; ".join(f"{name}: {message}" for name, message in self.errors.items()))

    @property
    def message(self) -> str:
        """The first field's message, for a place that shows one line."""
        return self.errors[self.field]


class FieldErrors:
    """Collects ``{field: message}`` while validating, then raises them together.

    >>> errors = FieldErrors()
    >>> if not name: errors.add("name", "Give the preset a name.")
    >>> errors.raise_if_any()
    """

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        """Keep the first message per field: it is the one a person fixes first."""
        self.errors.setdefault(field, message)

    def clean(self, field: str, cleaner: Callable[..., T], value: Any, **options: Any) -> T | None:
        """``cleaner(value, **options)``; its ``ValueError`` is kept under ``field`` (None back)."""
        try:
            return cleaner(value, **options)
        except InvalidInput as exc:
            self.add(field, exc.message)
        except ValueError as exc:
            self.add(field, str(exc))
        return None

    def __contains__(self, field: str) -> bool:
        return field in self.errors

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors)


class Unavailable(Exception):
    """A store the request needs did not answer within its deadline (an outage, a lock held
    too long): nothing was written by the call that failed, and the same request may succeed
    ``retry_after`` seconds later. The JSON API answers it in one handler (``bakedbot.api``) as
    503 with ``Retry-After``; pages show ``message`` in the part that needed the store."""

    def __init__(self, message: str, *, retry_after: int = 30) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after
