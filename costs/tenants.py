"""Tenant time zones for the cost core: daily aggregates are keyed by the tenant's local date.

Looking a zone up is one query; recording thousands of events a second must not repeat it, so zones
are cached in-process for a short time (a changed zone applies within ``CACHE_SECONDS``).
"""

import threading
import time
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bakedbot.errors import InvalidInput
from bakedbot.selectors import organisation_time_zone

CACHE_SECONDS = 60.0

_lock = threading.Lock()
_zones: dict[str, tuple[float, ZoneInfo]] = {}


def tenant_time_zone(tenant_id: str) -> ZoneInfo:
    """The IANA zone of organisation ``tenant_id``; ``InvalidInput`` for an unknown tenant."""
    now = time.monotonic()
    with _lock:
        cached = _zones.get(tenant_id)
    if cached and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    name = organisation_time_zone(tenant_id)
    if name is None:
        raise InvalidInput(tenant_id=f"tenant_id {tenant_id!r} is not an organisation")
    zone = ZoneInfo(name)
    with _lock:
        _zones[tenant_id] = (now, zone)
    return zone


def tenant_local_date(tenant_id: str, moment: datetime) -> date:
    """The date it was in the tenant's zone at the aware instant ``moment``."""
    return moment.astimezone(tenant_time_zone(tenant_id)).date()


def tenant_today(tenant_id: str, *, now: datetime | None = None) -> date:
    return tenant_local_date(tenant_id, now or datetime.now(UTC))


def forget_tenant_time_zones() -> None:
    """Drop the cache (tests, or after changing an organisation's zone)."""
    with _lock:
        _zones.clear()
