"""HTTP for the adapters: ``requests`` with connect and read timeouts, retries and error
classification.

Google and OpenAI both answer errors as ``{"error": {...}}``; one classifier reads both shapes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import requests

from media.providers.errors import (
    BadResponse,
    DownloadFailed,
    ProviderError,
    ProviderUnavailable,
    QuotaExhausted,
    RateLimited,
    RequestRejected,
    SafetyBlocked,
)
from media.providers.retry import RetryPolicy, is_per_day_quota, retry_hint

logger = logging.getLogger("media.providers")

T = TypeVar("T")

RETRYABLE_STATUS = frozenset({408, 409, 429})
_REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
_OPENAI_SAFETY_CODES = ("moderation", "content_policy", "safety")
_MAX_MESSAGE = 500


@dataclass(frozen=True)
class JsonReply:
    data: dict[str, Any]
    headers: Mapping[str, str]
    status_code: int


@dataclass(frozen=True)
class Download:
    data: bytes
    content_type: str


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return (parts.scheme, (parts.hostname or "").lower(), port)


class ProviderHttp:
    """One provider's HTTP client. ``auth_headers`` go only to the provider's own origin."""

    def __init__(
        self,
        *,
        provider: str,
        base_url: str,
        auth_headers: Mapping[str, str],
        timeout: tuple[float, float],
        retry: RetryPolicy,
        session: requests.Session | None = None,
        max_download_bytes: int = 2 * 1024**3,
    ) -> None:
        self.provider = provider
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retry = retry
        self.session = session or requests.Session()
        self.max_download_bytes = max_download_bytes
        self._auth_headers = dict(auth_headers)
        self._auth_origin = origin(self.base_url)

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def json(
        self,
        method: str,
        url: str,
        *,
        body: Mapping[str, Any] | None = None,
        retry_malformed: bool = False,
    ) -> JsonReply:
        """Send a JSON request and return the decoded object.

        A malformed 200 body is retried only when ``retry_malformed`` (safe reads such as polls); a
        paid call that answered 200 has been done, so sending it again could pay twice.
        """

        def attempt() -> JsonReply:
            response = self._send(method, url, json=body, headers=self._headers_for(url))
            if not 200 <= response.status_code < 300:
                raise self.error_for(response)
            try:
                data = response.json()
            except ValueError:
                raise BadResponse(
                    f"HTTP {response.status_code} with a body that is not JSON: "
                    f"{_snippet(response.text)}",
                    provider=self.provider,
                    status_code=response.status_code,
                    retryable=retry_malformed,
                ) from None
            if not isinstance(data, dict):
                raise BadResponse(
                    "expected a JSON object in the response",
                    provider=self.provider,
                    status_code=response.status_code,
                    retryable=retry_malformed,
                )
            return JsonReply(data=data, headers=response.headers, status_code=response.status_code)

        return self.with_retries(attempt, what=f"{method} {urlsplit(url).path}")

    def download(self, url: str, *, max_redirects: int = 5) -> Download:
        """GET ``url`` following redirects; the API key is sent only to the provider's origin."""

        def attempt() -> Download:
            current = url
            for _ in range(max_redirects + 1):
                response = self._send(
                    "GET",
                    current,
                    headers=self._headers_for(current),
                    allow_redirects=False,
                    stream=True,
                )
                with response:
                    if response.status_code in _REDIRECT_STATUS and "location" in response.headers:
                        current = urljoin(current, response.headers["location"])
                        continue
                    if not 200 <= response.status_code < 300:
                        error = self.error_for(response)
                        if error.retryable:
                            raise error
                        raise DownloadFailed(
                            f"download failed: {error.message}",
                            provider=self.provider,
                            status_code=response.status_code,
                            code=error.code,
                        )
                    return Download(
                        data=self._read_body(response),
                        content_type=response.headers.get("content-type", "").split(";")[0].strip(),
                    )
            raise DownloadFailed(
                f"download failed: more than {max_redirects} redirects", provider=self.provider
            )

        return self.with_retries(attempt, what=f"download {urlsplit(url).path}")

    def with_retries(self, attempt: Callable[[], T], *, what: str) -> T:
        """Run ``attempt`` until it succeeds, fails for good, or the attempts run out."""
        number = 1
        while True:
            try:
                return attempt()
            except ProviderError as error:
                if not error.retryable or number >= self.retry.max_attempts:
                    raise
                delay = self.retry.delay_after(number, error.retry_after)
                if delay is None:
                    raise
                logger.warning(
                    "%s: %s failed (attempt %d of %d): %s; retrying in %.2f s",
                    self.provider,
                    what,
                    number,
                    self.retry.max_attempts,
                    error.message,
                    delay,
                )
                self.retry.sleep(delay)
                number += 1

    def error_for(self, response: requests.Response) -> ProviderError:
        """Classify an HTTP error response into the adapter error hierarchy."""
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            error = {}
        code = _error_code(error)
        message = f"HTTP {status}: {_snippet(str(error.get('message') or response.reason or ''))}"
        hint = retry_hint(response.headers, error, now=self.retry.clock())
        common = {"provider": self.provider, "status_code": status, "code": code}
        if "insufficient_quota" in (code, error.get("type")):
            return QuotaExhausted(f"{message} (the account has no quota left)", **common)
        if status == 429 and is_per_day_quota(error):
            return QuotaExhausted(
                f"{message} (a per-day quota: retry tomorrow)", retry_after=hint, **common
            )
        if status == 429:
            return RateLimited(message, retry_after=hint, **common)
        if status in RETRYABLE_STATUS or status >= 500:
            return ProviderUnavailable(message, retry_after=hint, **common)
        if any(marker in code.lower() for marker in _OPENAI_SAFETY_CODES):
            return SafetyBlocked(
                f"the provider's safety system refused the request ({message})",
                provider=self.provider,
                reason=code,
            )
        return RequestRejected(message, **common)

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            return self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.Timeout as exc:
            raise ProviderUnavailable(
                f"timed out ({type(exc).__name__})", provider=self.provider
            ) from exc
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            raise ProviderUnavailable(
                f"connection failed ({type(exc).__name__})", provider=self.provider
            ) from exc
        except requests.RequestException as exc:
            raise ProviderError(
                f"request failed ({type(exc).__name__}: {exc})", provider=self.provider
            ) from exc

    def _read_body(self, response: requests.Response) -> bytes:
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(chunk_size=1 << 16):
                size += len(chunk)
                if size > self.max_download_bytes:
                    raise DownloadFailed(
                        f"download larger than {self.max_download_bytes} bytes",
                        provider=self.provider,
                    )
                chunks.append(chunk)
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            raise ProviderUnavailable(
                f"download interrupted ({type(exc).__name__})", provider=self.provider
            ) from exc
        return b"".join(chunks)

    def _headers_for(self, url: str) -> dict[str, str]:
        headers = {"user-agent": "bakedbot-media"}
        if origin(url) == self._auth_origin:
            headers.update(self._auth_headers)
        return headers


def _error_code(error: Mapping[str, Any]) -> str:
    # Google puts the canonical status in "status" and the HTTP code in "code"; OpenAI puts a
    # string code in "code" and a category in "type".
    for name in ("status", "code", "type"):
        value = error.get(name)
        if isinstance(value, str) and value:
            return value
    return ""


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_MESSAGE else text[:_MAX_MESSAGE] + "..."
