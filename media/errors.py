"""Errors of the generation service that are not bad input (bad input is ``bakedbot.errors.
InvalidInput``; provider errors are in ``media.providers.errors``)."""

from __future__ import annotations


class GenerationBusy(RuntimeError):
    """Every concurrency slot of the provider stayed busy for ``MEDIA_SLOT_WAIT_SECONDS``, or the
    job is being run by another worker right now. Trying again later can help."""

    retryable = True


class GenerationJobFailed(RuntimeError):
    """A job that already failed for good, asked for again (a playbook step re-delivered)."""

    retryable = False
