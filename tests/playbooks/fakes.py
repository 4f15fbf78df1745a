"""Small stand-ins for the playbooks' collaborators that are not built yet or not ours:

- ``FakeMediaService`` plays ``media.services`` (generate_image / generate_video /
  submit_content_for_approval, with the signatures the playbooks call) over the REAL cost core:
  it estimates from the price book, places a budget hold, records the event through
  ``with_*_tracking`` and settles — only the provider call and file storage are faked;
- ``FakeText`` plays the text provider.
"""

from dataclasses import dataclass, field
from typing import Any

from costs.budgets import place_budget_hold, release_budget_hold, settle_budget_hold
from costs.pricing import estimate_media_cost
from costs.services import with_image_tracking, with_video_tracking


@dataclass
class FakeMedia:
    id: str
    media_url: str
    thumbnail_url: str | None
    duration_seconds: int | None
    tracking_event: Any


@dataclass
class FakeMediaService:
    calls: list[dict] = field(default_factory=list)
    submissions: list[dict] = field(default_factory=list)
    fail_with: Exception | None = None

    def _generate(self, kind, tenant_id, user_id, *, provider, prompt, seconds=None, **kwargs):
        self.calls.append(
            {
                "kind": kind,
                "tenant_id": tenant_id,
                "user_id": user_id,
                "provider": provider,
                "prompt": prompt,
                "duration_seconds": seconds,
                **kwargs,
            }
        )
        number = len(self.calls)
        options = {"duration_seconds": seconds} if kind == "video" else {}
        estimate = estimate_media_cost(kind, provider, options)
        hold = place_budget_hold(tenant_id, estimate.cost, reason=f"fake {kind}")

        def generate():
            if self.fail_with is not None:
                raise self.fail_with
            return f"/media-files/fake/{kind}-{number}.{'mp4' if kind == 'video' else 'png'}"

        try:
            if kind == "video":
                tracked = with_video_tracking(
                    tenant_id,
                    user_id or "system",
                    provider,
                    prompt,
                    seconds,
                    generate,
                    playbook_run_id=kwargs.get("playbook_run_id"),
                    simulated=True,
                )
            else:
                tracked = with_image_tracking(
                    tenant_id,
                    user_id or "system",
                    provider,
                    prompt,
                    generate,
                    playbook_run_id=kwargs.get("playbook_run_id"),
                    simulated=True,
                )
        except Exception:
            release_budget_hold(hold)
            raise
        settle_budget_hold(hold, estimate.cost)
        return FakeMedia(
            id=f"media_{number}",
            media_url=tracked.result,
            thumbnail_url=tracked.result + ".jpg" if kind == "video" else None,
            duration_seconds=seconds,
            tracking_event=tracked.tracking_event,
        )

    def generate_video(
        self,
        tenant_id,
        user_id,
        *,
        provider,
        prompt,
        duration_seconds,
        aspect_ratio,
        playbook_run_id=None,
        simulate=None,
    ):
        return self._generate(
            "video",
            tenant_id,
            user_id,
            provider=provider,
            prompt=prompt,
            seconds=duration_seconds,
            aspect_ratio=aspect_ratio,
            playbook_run_id=playbook_run_id,
            simulate=simulate,
        )

    def generate_image(
        self,
        tenant_id,
        user_id,
        *,
        provider,
        prompt,
        aspect_ratio,
        preset_id=None,
        playbook_run_id=None,
        simulate=None,
    ):
        return self._generate(
            "image",
            tenant_id,
            user_id,
            provider=provider,
            prompt=prompt,
            aspect_ratio=aspect_ratio,
            preset_id=preset_id,
            playbook_run_id=playbook_run_id,
            simulate=simulate,
        )

    def submit_content_for_approval(
        self, tenant_id, *, title, caption, platform, media_ids, playbook_run_id, submitted_by
    ):
        self.submissions.append(
            {
                "tenant_id": tenant_id,
                "title": title,
                "caption": caption,
                "platform": platform,
                "media_ids": media_ids,
                "playbook_run_id": playbook_run_id,
                "submitted_by": submitted_by,
            }
        )
        return f"content_{len(self.submissions)}", "pending"


@dataclass
class FakeText:
    """Answers every prompt with ``reply`` (None: behave as if no text provider is configured)."""

    reply: str | None = None
    prompts: list[str] = field(default_factory=list)

    def write(self, *, prompt: str, system: str, idempotency_key: str) -> str | None:
        self.prompts.append(prompt)
        return self.reply
