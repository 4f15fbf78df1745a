"""What every adapter shares: the three interfaces, request validation, the retirement check and
the idempotent wrappers around paid calls."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

import requests

from media.providers.calls import (
    MAX_KEY_LENGTH,
    PriorCall,
    ProviderCallStore,
    StoredResult,
    request_fingerprint,
)
from media.providers.config import ProviderConfig
from media.providers.errors import InvalidRequest, ProviderError, ProviderUnavailable
from media.providers.http import ProviderHttp
from media.providers.registry import ProviderSpec, model_check_available, provider_spec
from media.providers.results import ImageResult, TextResult, VideoResult
from media.providers.retry import RetryPolicy, retry_policy_from_settings

ProgressCallback = Callable[[int | None], None]
T = TypeVar("T")

_HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")
MAX_PALETTE = 8


class ImageProvider(Protocol):
    config: ProviderConfig

    def generate_image(
        self,
        *,
        prompt: str,
        aspect_ratio: str,
        idempotency_key: str,
        image_size: str | None = None,
        palette: Sequence[str] = (),
    ) -> ImageResult: ...


class VideoProvider(Protocol):
    config: ProviderConfig

    def generate_video(
        self,
        *,
        prompt: str,
        duration_seconds: int,
        aspect_ratio: str,
        idempotency_key: str,
        resolution: str | None = None,
        negative_prompt: str | None = None,
        palette: Sequence[str] = (),
        on_progress: ProgressCallback | None = None,
    ) -> VideoResult: ...


class TextProvider(Protocol):
    config: ProviderConfig

    def generate_text(
        self,
        *,
        prompt: str,
        idempotency_key: str,
        system: str | None = None,
        max_output_tokens: int | None = None,
    ) -> TextResult: ...


class Adapter:
    """Holds one provider's configuration and spec; checks requests before anything is sent."""

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config
        self.spec: ProviderSpec = provider_spec(config.key)

    @property
    def provider(self) -> str:
        return self.config.key

    def check_model(self) -> None:
        model_check_available(
            provider=self.provider,
            model=self.config.model,
            allowed_retired=self.config.allowed_retired,
        )

    def check_text_request(self, *, prompt: str, idempotency_key: str) -> str:
        """Checks the model, the key and the prompt; returns the trimmed prompt."""
        self.check_model()
        self._check_key(idempotency_key)
        text = (prompt or "").strip()
        if not text:
            raise InvalidRequest("prompt must not be empty", field="prompt", provider=self.provider)
        return text

    def check_image_request(
        self,
        *,
        prompt: str,
        idempotency_key: str,
        aspect_ratio: str,
        image_size: str | None,
        palette: Sequence[str],
    ) -> str:
        text = self.check_text_request(prompt=prompt, idempotency_key=idempotency_key)
        self._check_choice("aspect_ratio", aspect_ratio, self.spec.aspect_ratios)
        if image_size is not None:
            self._check_choice("image_size", image_size, self.spec.image_sizes)
        check_palette(palette, provider=self.provider)
        return text

    def check_video_request(
        self,
        *,
        prompt: str,
        idempotency_key: str,
        duration_seconds: int,
        aspect_ratio: str,
        resolution: str | None,
        palette: Sequence[str],
    ) -> tuple[str, str]:
        """Returns the trimmed prompt and the resolution (the provider's first when not given)."""
        text = self.check_text_request(prompt=prompt, idempotency_key=idempotency_key)
        self._check_choice("aspect_ratio", aspect_ratio, self.spec.aspect_ratios)
        whole = isinstance(duration_seconds, int) and not isinstance(duration_seconds, bool)
        if not whole or duration_seconds not in self.spec.clip_seconds:
            raise InvalidRequest(
                f"duration_seconds must be one of {_listing(self.spec.clip_seconds)} for "
                f"{self.provider} (longer videos are joined from clips); got {duration_seconds!r}",
                field="duration_seconds",
                provider=self.provider,
            )
        resolution = resolution or self.spec.resolutions[0]
        self._check_choice("resolution", resolution, self.spec.resolutions)
        check_palette(palette, provider=self.provider)
        return text, resolution

    def _check_key(self, key: str) -> None:
        if not isinstance(key, str) or not 1 <= len(key) <= MAX_KEY_LENGTH:
            raise InvalidRequest(
                f"idempotency_key must be 1 to {MAX_KEY_LENGTH} characters",
                field="idempotency_key",
                provider=self.provider,
            )

    def _check_choice(self, field: str, value: Any, allowed: Sequence[Any]) -> None:
        if value not in allowed:
            raise InvalidRequest(
                f"{field} must be one of {_listing(allowed) or '(none)'} for {self.provider}; "
                f"got {value!r}",
                field=field,
                provider=self.provider,
            )


class HttpAdapter(Adapter):
    """An adapter that calls the provider for real, remembering paid calls in the store."""

    def __init__(
        self,
        config: ProviderConfig,
        *,
        retry: RetryPolicy | None = None,
        store: ProviderCallStore | None = None,
        session: requests.Session | None = None,
    ) -> None:
        super().__init__(config)
        self.retry = retry or retry_policy_from_settings()
        self.store = store or ProviderCallStore()
        self.http = ProviderHttp(
            provider=config.key,
            base_url=config.base_url,
            auth_headers=self.auth_headers(),
            timeout=config.timeout,
            retry=self.retry,
            session=session,
        )

    def auth_headers(self) -> dict[str, str]:
        raise NotImplementedError

    def paid_call(
        self, *, key: str, request: dict[str, Any], call: Callable[[], StoredResult]
    ) -> tuple[StoredResult, bool]:
        """Make a synchronous paid call once per idempotency key. Returns (result, reused)."""
        prior = self._begin(key, request)
        if prior.result is not None:
            return prior.result, True
        try:
            result = call()
        except ProviderError as error:
            self.store.failed(key=key, error=error)
            raise
        except BaseException:
            self.store.release(key=key)
            raise
        self.store.succeeded(key=key, result=result)
        return result, False

    def operation_call(
        self,
        *,
        key: str,
        request: dict[str, Any],
        create: Callable[[], str],
        finish: Callable[[str], StoredResult],
    ) -> tuple[StoredResult, bool, str]:
        """Start a long-running operation once per idempotency key, or resume the one an earlier
        delivery started; ``finish(handle)`` polls and downloads. Returns (result, reused, handle).
        """
        prior = self._begin(key, request)
        if prior.result is not None:
            return prior.result, True, prior.handle
        handle = prior.handle
        try:
            if not handle:
                handle = create()
                self.store.submitted(key=key, handle=handle)
            result = finish(handle)
        except OperationEnded as ended:
            self.store.failed(key=key, error=ended.error, operation_ended=True)
            raise ended.error from None
        except ProviderError as error:
            self.store.failed(key=key, error=error)
            raise
        except BaseException:
            self.store.release(key=key)
            raise
        self.store.succeeded(key=key, result=result)
        return result, False, handle

    def image_result(self, stored: StoredResult, *, reused: bool, aspect_ratio: str) -> ImageResult:
        return ImageResult(
            data=stored.data,
            mime_type=stored.meta["mime_type"],
            provider=self.provider,
            model=self.config.model,
            aspect_ratio=aspect_ratio,
            simulated=False,
            provider_request_id=stored.meta.get("provider_request_id"),
            input_tokens=stored.meta.get("input_tokens"),
            output_tokens=stored.meta.get("output_tokens"),
            reused=reused,
        )

    def video_result(
        self,
        stored: StoredResult,
        *,
        reused: bool,
        aspect_ratio: str,
        resolution: str,
        handle: str,
    ) -> VideoResult:
        return VideoResult(
            data=stored.data,
            mime_type="video/mp4",
            thumbnail=stored.thumbnail,
            thumbnail_mime_type=stored.meta["thumbnail_mime_type"],
            duration_seconds=stored.meta["duration_seconds"],
            provider=self.provider,
            model=self.config.model,
            aspect_ratio=aspect_ratio,
            resolution=resolution,
            simulated=False,
            provider_request_id=handle,
            reused=reused,
        )

    def text_result(self, stored: StoredResult, *, reused: bool) -> TextResult:
        return TextResult(
            text=stored.meta["text"],
            provider=self.provider,
            model=self.config.model,
            simulated=False,
            provider_request_id=stored.meta.get("provider_request_id"),
            input_tokens=stored.meta.get("input_tokens"),
            output_tokens=stored.meta.get("output_tokens"),
            reused=reused,
        )

    def wait_for(self, check: Callable[[], tuple[T | None, float | None]], *, what: str) -> T:
        """Poll with ``check`` until it returns an outcome. ``check`` returns (outcome or None,
        seconds the provider asked us to wait or None). Gives up after ``poll_timeout`` seconds of
        waiting with a retryable error; the operation's handle stays in the store, so the next
        attempt resumes polling instead of starting (and paying for) a new operation."""
        waited = 0.0
        while True:
            outcome, hint = check()
            if outcome is not None:
                return outcome
            interval = hint if hint is not None else self.config.poll_interval
            if waited + interval > self.config.poll_timeout:
                raise ProviderUnavailable(
                    f"{what} still running after {waited:.0f} s of polling", provider=self.provider
                )
            self.retry.sleep(interval)
            waited += interval

    def _begin(self, key: str, request: dict[str, Any]) -> PriorCall:
        fingerprint = request_fingerprint(
            provider=self.provider, model=self.config.model, request=request
        )
        prior = self.store.begin(
            key=key, provider=self.provider, model=self.config.model, fingerprint=fingerprint
        )
        if prior.error is not None:
            raise prior.error
        return prior


class OperationEnded(Exception):
    """Raised inside ``finish`` when the remote operation itself failed, so that a retry starts a
    new operation instead of polling the failed one again."""

    def __init__(self, error: ProviderError) -> None:
        super().__init__(str(error))
        self.error = error


def check_palette(palette: Sequence[str], *, provider: str = "") -> None:
    if isinstance(palette, str) or len(palette) > MAX_PALETTE:
        raise InvalidRequest(
            f"palette must be a list of at most {MAX_PALETTE} hex colours",
            field="palette",
            provider=provider,
        )
    for colour in palette:
        if not isinstance(colour, str) or not _HEX_COLOUR.match(colour):
            raise InvalidRequest(
                f"palette colours must look like #1a2b3c; got {colour!r}",
                field="palette",
                provider=provider,
            )


def _listing(values: Sequence[Any]) -> str:
    return ", ".join(str(value) for value in values)
