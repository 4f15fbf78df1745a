"""Retry timing: exponential backoff with full jitter, and the providers' own "wait" hints.

The sleep function, the random source and the clock are injectable so tests never sleep for real.
"""

from __future__ import annotations

import math
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

from django.conf import settings

_DURATION = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*s\s*$")


@dataclass
class RetryPolicy:
    max_attempts: int = 4
    base_delay: float = 1.0
    # Cap on one backoff wait.
    max_delay: float = 30.0
    # The longest wait a provider may ask for that we sit through; a longer one ends the call with a
    # retryable error carrying ``retry_after``, so the job queue can come back later instead.
    max_retry_after: float = 120.0
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    clock: Callable[[], float] = time.time

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform between 0 and min(cap, base * 2^(attempt - 1))."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return self.rng.uniform(0, ceiling)

    def delay_after(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds to wait before attempt ``attempt + 1``, or None when that wait is too long."""
        if retry_after is None:
            return self.backoff(attempt)
        if retry_after > self.max_retry_after:
            return None
        return retry_after


def retry_policy_from_settings(**overrides: Any) -> RetryPolicy:
    options = settings.MEDIA_PROVIDER_OPTIONS
    values: dict[str, Any] = {
        "max_attempts": options["max_attempts"],
        "base_delay": options["backoff_base_ms"] / 1000,
        "max_delay": float(options["backoff_cap_seconds"]),
        "max_retry_after": float(options["max_retry_after_seconds"]),
    }
    values.update(overrides)
    return RetryPolicy(**values)


def parse_seconds(value: Any) -> float | None:
    """A non-negative finite number of seconds, or None."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(seconds):
        return None
    return max(seconds, 0.0)


def parse_retry_after(value: str, *, now: float) -> float | None:
    """The ``Retry-After`` header: delay-seconds or an HTTP date."""
    seconds = parse_seconds(value)
    if seconds is not None:
        return seconds
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(when.timestamp() - now, 0.0)


def parse_google_duration(value: Any) -> float | None:
    """A protobuf Duration in its JSON form ("26s", "45.8s") or as {"seconds", "nanos"}."""
    if isinstance(value, str):
        match = _DURATION.match(value)
        return float(match.group(1)) if match else None
    if isinstance(value, Mapping):
        seconds = parse_seconds(value.get("seconds", 0))
        nanos = parse_seconds(value.get("nanos", 0))
        if seconds is None or nanos is None:
            return None
        return seconds + nanos / 1e9
    return None


def retry_hint(
    headers: Mapping[str, str], error: Mapping[str, Any] | None, *, now: float
) -> float | None:
    """How long the provider asked us to wait: ``retry-after-ms``, then ``Retry-After``, then
    Google's ``RetryInfo.retryDelay`` in the error body. None when it did not say."""
    if (raw := headers.get("retry-after-ms")) is not None:
        seconds = parse_seconds(raw)
        if seconds is not None:
            return seconds / 1000
    if (raw := headers.get("retry-after")) is not None:
        seconds = parse_retry_after(raw, now=now)
        if seconds is not None:
            return seconds
    for detail in _details(error):
        if str(detail.get("@type", "")).endswith("google.rpc.RetryInfo"):
            seconds = parse_google_duration(detail.get("retryDelay"))
            if seconds is not None:
                return seconds
    return None


def is_per_day_quota(error: Mapping[str, Any] | None) -> bool:
    """Google's QuotaFailure naming a per-day quota: it will not pass before tomorrow."""
    for detail in _details(error):
        if not str(detail.get("@type", "")).endswith("google.rpc.QuotaFailure"):
            continue
        for violation in detail.get("violations") or ():
            if isinstance(violation, Mapping) and "PerDay" in str(violation.get("quotaId", "")):
                return True
    return False


def _details(error: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    if not isinstance(error, Mapping):
        return []
    details = error.get("details")
    if not isinstance(details, list):
        return []
    return [detail for detail in details if isinstance(detail, Mapping)]
