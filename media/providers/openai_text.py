"""OpenAI Chat Completions for caption text (provider key ``openai-text``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from media.providers.base import HttpAdapter
from media.providers.calls import StoredResult
from media.providers.errors import BadResponse, SafetyBlocked
from media.providers.results import TextResult


class OpenAITextProvider(HttpAdapter):
    def auth_headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.config.api_key}"}

    def generate_text(
        self,
        *,
        prompt: str,
        idempotency_key: str,
        system: str | None = None,
        max_output_tokens: int | None = None,
    ) -> TextResult:
        text = self.check_text_request(prompt=prompt, idempotency_key=idempotency_key)
        messages = [{"role": "user", "content": text}]
        if system:
            messages.insert(0, {"role": "system", "content": system})
        body: dict[str, Any] = {"model": self.config.model, "messages": messages}
        if max_output_tokens:
            body["max_completion_tokens"] = max_output_tokens

        def call() -> StoredResult:
            reply = self.http.json("POST", self.http.url("chat/completions"), body=body)
            return StoredResult(meta=self._read_completion(reply.data))

        stored, reused = self.paid_call(key=idempotency_key, request=body, call=call)
        return self.text_result(stored, reused=reused)

    def _read_completion(self, data: Mapping[str, Any]) -> dict[str, Any]:
        choices = data.get("choices")
        choice = choices[0] if isinstance(choices, list) and choices else None
        if not isinstance(choice, Mapping):
            raise BadResponse("the response holds no choices", provider=self.provider)
        message = choice.get("message")
        message = message if isinstance(message, Mapping) else {}
        filtered = choice.get("finish_reason") == "content_filter"
        if filtered or message.get("refusal"):
            raise SafetyBlocked(
                f"the model refused the request ({message.get('refusal') or 'content_filter'})",
                provider=self.provider,
                reason="content_filter" if filtered else "refusal",
            )
        text = message.get("content")
        if not isinstance(text, str) or not text.strip():
            raise BadResponse("the response holds no text", provider=self.provider)
        usage = data.get("usage")
        usage = usage if isinstance(usage, Mapping) else {}
        return {
            "text": text.strip(),
            "provider_request_id": data.get("id"),
            "input_tokens": usage.get("prompt_tokens"),
            "output_tokens": usage.get("completion_tokens"),
        }
