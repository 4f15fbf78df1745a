"""Gemini ``generateContent``: images (``gemini-flash``, ``gemini-pro``) and caption text."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from typing import Any

from media.providers.base import HttpAdapter
from media.providers.calls import StoredResult
from media.providers.errors import BadResponse, SafetyBlocked
from media.providers.results import ImageResult, TextResult

# finishReason values that mean the model refused or its output was filtered.
BLOCKING_FINISH_REASONS = frozenset(
    {
        "SAFETY",
        "RECITATION",
        "PROHIBITED_CONTENT",
        "BLOCKLIST",
        "SPII",
        "IMAGE_SAFETY",
        "IMAGE_PROHIBITED_CONTENT",
        "IMAGE_RECITATION",
        "IMAGE_OTHER",
        "NO_IMAGE",
        "OTHER",
    }
)
_IMAGE_SUFFIXES = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}


class GoogleAdapter(HttpAdapter):
    def auth_headers(self) -> dict[str, str]:
        return {"x-goog-api-key": self.config.api_key}

    def model_url(self, method: str) -> str:
        model = self.config.model
        path = model if model.startswith("models/") else f"models/{model}"
        return self.http.url(f"{path}:{method}")


class GeminiImageProvider(GoogleAdapter):
    def generate_image(
        self,
        *,
        prompt: str,
        aspect_ratio: str,
        idempotency_key: str,
        image_size: str | None = None,
        palette: Sequence[str] = (),
    ) -> ImageResult:
        """One image from ``generateContent``; the palette is drawn only in simulate mode (the
        service puts a preset's style into the prompt)."""
        text = self.check_image_request(
            prompt=prompt,
            idempotency_key=idempotency_key,
            aspect_ratio=aspect_ratio,
            image_size=image_size,
            palette=palette,
        )
        image_config = {"aspectRatio": aspect_ratio}
        if image_size:
            image_config["imageSize"] = image_size
        body = {
            "contents": [{"role": "user", "parts": [{"text": text}]}],
            "generationConfig": {
                "responseModalities": ["TEXT", "IMAGE"],
                "imageConfig": image_config,
            },
        }

        def call() -> StoredResult:
            reply = self.http.json("POST", self.model_url("generateContent"), body=body)
            return self._read_image(reply.data)

        stored, reused = self.paid_call(key=idempotency_key, request=body, call=call)
        return self.image_result(stored, reused=reused, aspect_ratio=aspect_ratio)

    def _read_image(self, data: Mapping[str, Any]) -> StoredResult:
        parts = candidate_parts(data, provider=self.provider)
        images = [inline for part in parts if (inline := _inline_image(part)) is not None]
        if not images:
            said = " ".join(str(part.get("text", "")) for part in parts).strip()
            raise BadResponse(
                "the response holds no image" + (f"; the model said: {said[:300]}" if said else ""),
                provider=self.provider,
            )
        # Thinking models send drafts first; the last image is the answer.
        mime_type, encoded = images[-1]
        return StoredResult(
            data=decode_base64(encoded, provider=self.provider),
            suffix=_IMAGE_SUFFIXES.get(mime_type, ""),
            meta={"mime_type": mime_type, **usage_meta(data)},
        )


class GeminiTextProvider(GoogleAdapter):
    def generate_text(
        self,
        *,
        prompt: str,
        idempotency_key: str,
        system: str | None = None,
        max_output_tokens: int | None = None,
    ) -> TextResult:
        text = self.check_text_request(prompt=prompt, idempotency_key=idempotency_key)
        body: dict[str, Any] = {"contents": [{"role": "user", "parts": [{"text": text}]}]}
        if system:
            body["systemInstruction"] = {"parts": [{"text": system}]}
        if max_output_tokens:
            body["generationConfig"] = {"maxOutputTokens": max_output_tokens}

        def call() -> StoredResult:
            reply = self.http.json("POST", self.model_url("generateContent"), body=body)
            parts = candidate_parts(reply.data, provider=self.provider)
            text = "".join(
                str(part["text"]) for part in parts if "text" in part and not part.get("thought")
            ).strip()
            if not text:
                raise BadResponse("the response holds no text", provider=self.provider)
            return StoredResult(meta={"text": text, **usage_meta(reply.data)})

        stored, reused = self.paid_call(key=idempotency_key, request=body, call=call)
        return self.text_result(stored, reused=reused)


def candidate_parts(data: Mapping[str, Any], *, provider: str) -> list[Mapping[str, Any]]:
    """The parts of the first candidate, after checking the body for a safety block."""
    feedback = data.get("promptFeedback")
    if isinstance(feedback, Mapping) and feedback.get("blockReason"):
        reason = str(feedback["blockReason"])
        raise SafetyBlocked(
            f"the prompt was blocked by the provider's safety filters ({reason})",
            provider=provider,
            reason=reason,
        )
    candidates = data.get("candidates")
    if not isinstance(candidates, list) or not candidates:
        raise BadResponse("the response holds no candidates", provider=provider)
    candidate = candidates[0] if isinstance(candidates[0], Mapping) else {}
    reason = str(candidate.get("finishReason") or "")
    if reason in BLOCKING_FINISH_REASONS:
        detail = candidate.get("finishMessage")
        raise SafetyBlocked(
            f"the output was blocked (finishReason {reason})" + (f": {detail}" if detail else ""),
            provider=provider,
            reason=reason,
        )
    content = candidate.get("content")
    parts = content.get("parts") if isinstance(content, Mapping) else None
    if not isinstance(parts, list):
        raise BadResponse(
            f"the candidate holds no content (finishReason {reason or 'missing'})",
            provider=provider,
        )
    return [part for part in parts if isinstance(part, Mapping)]


def usage_meta(data: Mapping[str, Any]) -> dict[str, Any]:
    usage = data.get("usageMetadata")
    usage = usage if isinstance(usage, Mapping) else {}
    return {
        "provider_request_id": data.get("responseId"),
        "input_tokens": _int_or_none(usage.get("promptTokenCount")),
        "output_tokens": _int_or_none(usage.get("candidatesTokenCount")),
    }


def decode_base64(encoded: Any, *, provider: str) -> bytes:
    try:
        data = base64.b64decode(str(encoded), validate=True)
    except (binascii.Error, ValueError):
        raise BadResponse("the image data is not valid base64", provider=provider) from None
    if not data:
        raise BadResponse("the image data is empty", provider=provider)
    return data


def _inline_image(part: Mapping[str, Any]) -> tuple[str, Any] | None:
    inline = part.get("inlineData") or part.get("inline_data")
    if not isinstance(inline, Mapping) or "data" not in inline:
        return None
    mime_type = str(inline.get("mimeType") or inline.get("mime_type") or "image/png")
    if not mime_type.startswith("image/"):
        return None
    return mime_type, inline["data"]


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
