"""Explicit seams for tests: named points where a job can be stopped or made to fail, and a way to
keep the jobs handed to django-q2 instead of sending them.

The money rules are about what survives a worker that dies at the worst moment, so tests need to
stop one exactly there. They do it through these points rather than by patching the job's
functions; production never installs a handler (a point without one is a dict lookup).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

# Right before a video clip's provider call: ``handler(job, index=k)``.
BEFORE_CLIP = "before_clip"
# Right after a job's success or failure event was recorded, before the job, its hold and its
# asset follow: ``handler(job, event=event)``.
RECORDED = "recorded"

_handlers: dict[str, Callable[..., None]] = {}
_kept: list[list[tuple[str, float]]] = []


def reach(point: str, job, **details) -> None:
    """Called by the job at ``point``: runs the handler a test installed there, if any."""
    handler = _handlers.get(point)
    if handler is not None:
        handler(job, **details)


@contextmanager
def at(point: str, handler: Callable[..., None]) -> Iterator[None]:
    """Run ``handler`` whenever a job reaches ``point`` (raise from it to stop or fail the job)."""
    previous = _handlers.get(point)
    _handlers[point] = handler
    try:
        yield
    finally:
        if previous is None:
            _handlers.pop(point, None)
        else:
            _handlers[point] = previous


@contextmanager
def keep_deliveries() -> Iterator[list[tuple[str, float]]]:
    """Keep the jobs handed to django-q2, as ``(job_id, delay_seconds)``, instead of sending them
    (tests without a broker, which then run the jobs themselves)."""
    kept: list[tuple[str, float]] = []
    _kept.append(kept)
    try:
        yield kept
    finally:
        _kept.remove(kept)


def kept_delivery(job_id: str, delay_seconds: float) -> bool:
    """True when a test keeps deliveries: this one is kept and must not be sent."""
    if not _kept:
        return False
    _kept[-1].append((job_id, delay_seconds))
    return True
