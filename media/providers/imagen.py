"""Imagen ``:predict`` (provider key ``imagen``). Google retired Imagen 4; the adapter stays for
gateways that still serve it and for the history of calls made with it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from media.providers.calls import StoredResult
from media.providers.errors import BadResponse, SafetyBlocked
from media.providers.gemini import GoogleAdapter, decode_base64
from media.providers.results import ImageResult

_SUFFIXES = {"image/png": ".png", "image/jpeg": ".jpg"}


class ImagenProvider(GoogleAdapter):
    def generate_image(
        self,
        *,
        prompt: str,
        aspect_ratio: str,
        idempotency_key: str,
        image_size: str | None = None,
        palette: Sequence[str] = (),
    ) -> ImageResult:
        text = self.check_image_request(
            prompt=prompt,
            idempotency_key=idempotency_key,
            aspect_ratio=aspect_ratio,
            image_size=image_size,
            palette=palette,
        )
        body = {
            "instances": [{"prompt": text}],
            "parameters": {
                "sampleCount": 1,
                "aspectRatio": aspect_ratio,
                "personGeneration": "allow_adult",
            },
        }

        def call() -> StoredResult:
            reply = self.http.json("POST", self.model_url("predict"), body=body)
            return self._read_prediction(reply.data)

        stored, reused = self.paid_call(key=idempotency_key, request=body, call=call)
        return self.image_result(stored, reused=reused, aspect_ratio=aspect_ratio)

    def _read_prediction(self, data: Mapping[str, Any]) -> StoredResult:
        predictions = data.get("predictions")
        images = [
            p for p in predictions or () if isinstance(p, Mapping) and p.get("bytesBase64Encoded")
        ]
        if not images:
            filtered = [
                str(p["raiFilteredReason"])
                for p in predictions or ()
                if isinstance(p, Mapping) and p.get("raiFilteredReason")
            ]
            if filtered or not predictions:
                # Imagen drops filtered images from the answer instead of returning an error.
                reason = "; ".join(filtered) or "no image returned"
                raise SafetyBlocked(
                    f"the image was filtered by the provider's safety filters ({reason})",
                    provider=self.provider,
                    reason="RAI_FILTERED",
                )
            raise BadResponse("the response holds no image", provider=self.provider)
        image = images[-1]
        mime_type = str(image.get("mimeType") or "image/png")
        return StoredResult(
            data=decode_base64(image["bytesBase64Encoded"], provider=self.provider),
            suffix=_SUFFIXES.get(mime_type, ""),
            meta={"mime_type": mime_type},
        )
