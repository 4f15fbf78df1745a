"""The OpenAI Videos API (provider key ``sora``): create, poll, download the MP4 and its thumbnail.

OpenAI shut the API down on 2026-09-24; OpenAI-compatible gateways may still serve it at another
base URL, which is why the adapter stays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from media.providers.base import HttpAdapter, OperationEnded, ProgressCallback
from media.providers.calls import StoredResult
from media.providers.errors import (
    BadResponse,
    DownloadFailed,
    GenerationFailed,
    ProviderError,
    SafetyBlocked,
)
from media.providers.http import Download
from media.providers.results import VideoResult
from media.providers.retry import parse_seconds
from media.providers.video_tools import MediaToolError, extract_thumbnail, is_mp4

SIZES = {
    ("720p", "16:9"): "1280x720",
    ("720p", "9:16"): "720x1280",
    ("1024p", "16:9"): "1792x1024",
    ("1024p", "9:16"): "1024x1792",
}
_RUNNING = frozenset({"queued", "in_progress"})
_SAFETY_MARKERS = ("moderation", "content_policy", "safety")
_RETRYABLE_MARKERS = ("internal", "server_error", "timeout")
_THUMBNAIL_SUFFIXES = {"image/webp": ".webp", "image/png": ".png", "image/jpeg": ".jpg"}


class SoraProvider(HttpAdapter):
    def auth_headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.config.api_key}"}

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
    ) -> VideoResult:
        """``negative_prompt`` has no field in this API; put avoidances into the prompt instead."""
        text, resolution = self.check_video_request(
            prompt=prompt,
            idempotency_key=idempotency_key,
            duration_seconds=duration_seconds,
            aspect_ratio=aspect_ratio,
            resolution=resolution,
            palette=palette,
        )
        body = {
            "model": self.config.model,
            "prompt": text,
            "seconds": str(duration_seconds),
            "size": SIZES[(resolution, aspect_ratio)],
        }

        def create() -> str:
            video = self.http.json("POST", self.http.url("videos"), body=body).data
            video_id = video.get("id")
            if not isinstance(video_id, str) or not video_id:
                raise BadResponse("the create response holds no video id", provider=self.provider)
            return video_id

        def finish(video_id: str) -> StoredResult:
            done = self.wait_for(
                lambda: self._poll(video_id, on_progress), what=f"video {video_id}"
            )
            video = self.http.download(self.http.url(f"videos/{video_id}/content")).data
            if not is_mp4(video):
                raise DownloadFailed("the downloaded video is not an MP4", provider=self.provider)
            thumbnail = self._thumbnail(video_id, video)
            seconds = parse_seconds(done.get("seconds"))
            return StoredResult(
                data=video,
                suffix=".mp4",
                thumbnail=thumbnail.data,
                thumbnail_suffix=_THUMBNAIL_SUFFIXES.get(thumbnail.content_type, ""),
                meta={
                    "duration_seconds": int(seconds) if seconds else duration_seconds,
                    "thumbnail_mime_type": thumbnail.content_type,
                },
            )

        stored, reused, video_id = self.operation_call(
            key=idempotency_key, request=body, create=create, finish=finish
        )
        return self.video_result(
            stored, reused=reused, aspect_ratio=aspect_ratio, resolution=resolution, handle=video_id
        )

    def _poll(
        self, video_id: str, on_progress: ProgressCallback | None
    ) -> tuple[Mapping[str, Any] | None, float | None]:
        reply = self.http.json("GET", self.http.url(f"videos/{video_id}"), retry_malformed=True)
        video = reply.data
        status = video.get("status")
        if status in _RUNNING:
            if on_progress is not None:
                progress = video.get("progress")
                on_progress(progress if isinstance(progress, int) else None)
            wait_ms = parse_seconds(reply.headers.get("openai-poll-after-ms"))
            return None, wait_ms / 1000 if wait_ms is not None else None
        if status == "completed":
            if on_progress is not None:
                on_progress(100)
            return video, None
        raise OperationEnded(self._failure(video))

    def _failure(self, video: Mapping[str, Any]) -> ProviderError:
        error = video.get("error")
        error = error if isinstance(error, Mapping) else {}
        code = str(error.get("code") or "")
        message = str(error.get("message") or f"status {video.get('status')!r}")
        if any(marker in code.lower() for marker in _SAFETY_MARKERS):
            return SafetyBlocked(
                f"the video was refused by the provider's moderation ({message})",
                provider=self.provider,
                reason=code,
            )
        return GenerationFailed(
            f"the video failed: {message}",
            provider=self.provider,
            code=code,
            retryable=any(marker in code.lower() for marker in _RETRYABLE_MARKERS),
        )

    def _thumbnail(self, video_id: str, video: bytes) -> Download:
        """The provider's still; when it cannot be had, a frame of the video instead."""
        try:
            still = self.http.download(
                self.http.url(f"videos/{video_id}/content?variant=thumbnail")
            )
            if still.data and still.content_type.startswith("image/"):
                return still
        except ProviderError:
            pass
        try:
            return Download(data=extract_thumbnail(video), content_type="image/png")
        except MediaToolError as exc:
            raise DownloadFailed(
                f"the downloaded video cannot be read ({exc})",
                provider=self.provider,
                retryable=True,
            ) from exc
