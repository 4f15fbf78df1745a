"""Errors of the generation service (provider errors are in ``media.providers.errors``)."""

from __future__ import annotations

from collections.abc import Mapping


class GenerationInputError(ValueError):
    """The request was refused before anything was held or sent; ``errors`` maps each bad field
    (``provider``, ``prompt``, ``aspect_ratio``, ``duration_seconds``, ``simulate``, ...) to a
    message, and ``field`` names the first."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        self.field = next(iter(self.errors), "")
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors.items()))


class GenerationBusy(RuntimeError):
    """Every concurrency slot of the provider stayed busy for ``MEDIA_SLOT_WAIT_SECONDS``, or the
    job is being run by another worker right now. Trying again later can help."""

    retryable = True


class GenerationJobFailed(RuntimeError):
    """A job that already failed for good, asked for again (a playbook step re-delivered)."""

    retryable = False


class ContentReviewError(ValueError):
    """A submission or review was refused; ``errors`` maps fields to messages."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        self.field = next(iter(self.errors), "")
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors.items()))
