"""The one poll back-off of every page that updates itself (HTMX polling a status fragment):
poll fast while something changes, slow down while nothing does.

The page sends back what it last saw (``since``, a fingerprint of the state) and the delay it
waited (``delay``); the answer carries the next delay.
"""

from __future__ import annotations

from django.http import HttpRequest

from bakedbot.validation import is_ascii_digits

POLL_FASTEST_SECONDS = 1
POLL_SLOWEST_SECONDS = 15


def next_poll_delay(
    request: HttpRequest, fingerprint: str, *, slowest: int = POLL_SLOWEST_SECONDS
) -> int:
    """Seconds until the next poll: the fastest after a change (or on the first poll), else twice
    the last delay, at most ``slowest``. A ``delay`` that is not a plain small number counts as
    the fastest (``²`` and ``1e309`` included)."""
    raw = request.GET.get("delay", "").strip()
    last = int(raw) if is_ascii_digits(raw) and len(raw) <= 4 else 0
    if request.GET.get("since", "") != fingerprint:
        return POLL_FASTEST_SECONDS
    return min(max(last, POLL_FASTEST_SECONDS) * 2, slowest)
