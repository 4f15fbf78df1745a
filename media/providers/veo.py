"""Veo ``:predictLongRunning`` (provider key ``veo``): start, poll the operation, download."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from media.providers.base import OperationEnded, ProgressCallback
from media.providers.calls import StoredResult
from media.providers.errors import BadResponse, DownloadFailed, GenerationFailed, SafetyBlocked
from media.providers.gemini import GoogleAdapter
from media.providers.results import VideoResult
from media.providers.video_tools import MediaToolError, extract_thumbnail, is_mp4

# google.rpc.Code values worth a new operation: DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED,
# INTERNAL, UNAVAILABLE.
RETRYABLE_OPERATION_CODES = frozenset({4, 8, 10, 13, 14})


class VeoProvider(GoogleAdapter):
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
        text, resolution = self.check_video_request(
            prompt=prompt,
            idempotency_key=idempotency_key,
            duration_seconds=duration_seconds,
            aspect_ratio=aspect_ratio,
            resolution=resolution,
            palette=palette,
        )
        parameters: dict[str, Any] = {
            "aspectRatio": aspect_ratio,
            "durationSeconds": duration_seconds,
            "resolution": resolution,
        }
        if negative_prompt:
            parameters["negativePrompt"] = negative_prompt
        body = {"instances": [{"prompt": text}], "parameters": parameters}

        def create() -> str:
            reply = self.http.json("POST", self.model_url("predictLongRunning"), body=body)
            name = reply.data.get("name")
            if not isinstance(name, str) or not name:
                raise BadResponse(
                    "the start response holds no operation name", provider=self.provider
                )
            return name

        def finish(name: str) -> StoredResult:
            uri = self.wait_for(lambda: self._poll(name, on_progress), what=f"operation {name}")
            video = self.http.download(uri).data
            if on_progress is not None:
                on_progress(100)
            if not is_mp4(video):
                raise DownloadFailed("the downloaded video is not an MP4", provider=self.provider)
            try:
                thumbnail = extract_thumbnail(video)
            except MediaToolError as exc:
                raise DownloadFailed(
                    f"the downloaded video cannot be read ({exc})",
                    provider=self.provider,
                    retryable=True,
                ) from exc
            return StoredResult(
                data=video,
                suffix=".mp4",
                thumbnail=thumbnail,
                thumbnail_suffix=".png",
                meta={"duration_seconds": duration_seconds, "thumbnail_mime_type": "image/png"},
            )

        stored, reused, name = self.operation_call(
            key=idempotency_key, request=body, create=create, finish=finish
        )
        return self.video_result(
            stored, reused=reused, aspect_ratio=aspect_ratio, resolution=resolution, handle=name
        )

    def _poll(self, name: str, on_progress: ProgressCallback | None) -> tuple[str | None, None]:
        data = self.http.json("GET", self.http.url(name), retry_malformed=True).data
        if not data.get("done"):
            if on_progress is not None:
                on_progress(None)
            return None, None
        error = data.get("error")
        if isinstance(error, Mapping):
            code = error.get("code")
            raise OperationEnded(
                GenerationFailed(
                    f"the operation failed: {error.get('message') or 'no message'}",
                    provider=self.provider,
                    code=str(error.get("status") or code or ""),
                    retryable=code in RETRYABLE_OPERATION_CODES,
                )
            )
        response = _mapping(_mapping(data.get("response")).get("generateVideoResponse"))
        filtered = response.get("raiMediaFilteredCount") or 0
        if isinstance(filtered, int) and filtered > 0:
            reasons = "; ".join(str(r) for r in response.get("raiMediaFilteredReasons") or ())
            raise OperationEnded(
                SafetyBlocked(
                    f"the video was filtered by the safety filters ({reasons or filtered})",
                    provider=self.provider,
                    reason="RAI_MEDIA_FILTERED",
                )
            )
        for sample in response.get("generatedSamples") or ():
            uri = _mapping(_mapping(sample).get("video")).get("uri")
            if isinstance(uri, str) and uri:
                return uri, None
        raise OperationEnded(
            BadResponse("the finished operation holds no video", provider=self.provider)
        )


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
