"""Errors raised by provider adapters.

Every adapter error is a ``ProviderError``. ``retryable`` tells the caller (the generation service
or the job queue) whether trying the same call again later can succeed; the adapters have already
spent their own retries by the time an error reaches the caller.
"""

from __future__ import annotations


class ProviderError(Exception):
    """A provider call failed. ``retryable`` is False unless the class or the caller says so."""

    default_retryable = False

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        retryable: bool | None = None,
        status_code: int | None = None,
        code: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.retryable = self.default_retryable if retryable is None else retryable
        self.status_code = status_code
        # The provider's own error code or status ("RESOURCE_EXHAUSTED", "insufficient_quota").
        self.code = code
        # Seconds the provider asked us to wait, when it said so.
        self.retry_after = retry_after

    def __str__(self) -> str:
        prefix = f"{self.provider}: " if self.provider else ""
        return f"{prefix}{self.message}"


class InvalidRequest(ProviderError):
    """The request was refused before any call: a parameter the provider does not accept."""

    def __init__(self, message: str, *, field: str, provider: str = "") -> None:
        super().__init__(message, provider=provider)
        self.field = field


class ModelRetired(ProviderError):
    """The configured model is past its retirement date; nothing was sent."""

    def __init__(self, message: str, *, provider: str, model: str, replacement: str = "") -> None:
        super().__init__(message, provider=provider)
        self.model = model
        self.replacement = replacement


class RequestRejected(ProviderError):
    """The provider refused the request (400, 401, 403, 404 ...): sending it again cannot help."""


class RateLimited(ProviderError):
    """HTTP 429 that a later attempt may pass."""

    default_retryable = True


class QuotaExhausted(ProviderError):
    """A quota that will not come back soon: a per-day limit or an account without credit."""


class ProviderUnavailable(ProviderError):
    """Server errors, timeouts and broken connections."""

    default_retryable = True


class BadResponse(ProviderError):
    """A response we cannot read: malformed JSON, or a body without the expected fields."""


class SafetyBlocked(ProviderError):
    """The provider's safety filters refused the prompt or its output (often inside an HTTP 200)."""

    def __init__(self, message: str, *, provider: str, reason: str) -> None:
        super().__init__(message, provider=provider, code=reason)
        self.reason = reason


class GenerationFailed(ProviderError):
    """A long-running operation (Veo, Sora) finished with an error."""


class DownloadFailed(ProviderError):
    """The finished video (or its thumbnail) could not be downloaded."""


class CallInProgress(ProviderError):
    """Another worker holds this idempotency key right now; try again later."""

    default_retryable = True


class IdempotencyConflict(ProviderError):
    """The idempotency key was used before for a different request."""
