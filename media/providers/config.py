"""Per-provider configuration, read from ``settings.MEDIA_PROVIDERS`` and
``settings.MEDIA_PROVIDER_OPTIONS`` (built from the environment in ``bakedbot/settings.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from media.providers.registry import provider_spec


@dataclass(frozen=True)
class ProviderConfig:
    key: str
    model: str
    base_url: str
    api_key: str = ""
    connect_timeout: float = 10.0
    read_timeout: float = 120.0
    poll_interval: float = 5.0
    poll_timeout: float = 1200.0
    allowed_retired: tuple[str, ...] = ()

    @property
    def simulated(self) -> bool:
        """A provider without an API key is simulated; one with a key is always called for real."""
        return not self.api_key

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.connect_timeout, self.read_timeout)

    def __repr__(self) -> str:
        # Never let the key reach a log line or a traceback.
        return (
            f"ProviderConfig(key={self.key!r}, model={self.model!r}, base_url={self.base_url!r}, "
            f"simulated={self.simulated})"
        )


def provider_config(key: str) -> ProviderConfig:
    """The configuration of provider ``key`` from the settings."""
    provider_spec(key)
    entry = settings.MEDIA_PROVIDERS[key]
    options = settings.MEDIA_PROVIDER_OPTIONS
    return ProviderConfig(
        key=key,
        model=entry["model"],
        base_url=entry["base_url"].rstrip("/"),
        api_key=entry["api_key"],
        connect_timeout=float(options["connect_timeout"]),
        read_timeout=float(options["read_timeout"]),
        poll_interval=float(options["poll_interval_seconds"]),
        poll_timeout=float(options["poll_timeout_seconds"]),
        allowed_retired=tuple(options["allow_retired_models"]),
    )
