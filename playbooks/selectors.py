"""Reads for the playbook pages: the library, an organisation's playbooks, runs and their steps,
the cost estimate of one run, upcoming slots."""

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import reverse

from costs.pricing import TEXT, MediaCostEstimate, estimate_media_cost
from media.selectors import get_playbook_run_content
from playbooks.captions import expected_caption_tokens
from playbooks.cron import upcoming
from playbooks.executor import STEP_TYPES, StepError, image_provider_for_tier, validate_step
from playbooks.models import (
    Playbook,
    PlaybookRun,
    PlaybookStepResult,
    PlaybookTemplate,
)
from playbooks.services import playbook_steps


@dataclass(frozen=True)
class EstimateLine:
    step_id: str
    step_type: str
    label: str
    detail: str
    cost_micros: int


@dataclass
class RunEstimate:
    lines: list[EstimateLine] = field(default_factory=list)
    free_steps: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    price_version: str = ""

    @property
    def total_micros(self) -> int:
        return sum(line.cost_micros for line in self.lines)


def caption_estimate(platform: str) -> MediaCostEstimate:
    """A caption's text call at the tokens it is expected to use (``expected_caption_tokens``)."""
    tokens_in, tokens_out = expected_caption_tokens(platform)
    return estimate_media_cost(
        TEXT,
        settings.MEDIA_CAPTION_PROVIDER,
        {"input_tokens": tokens_in, "output_tokens": tokens_out},
    )


def estimate_playbook_run_cost(steps: list[dict]) -> RunEstimate:
    """What one run will cost before it spends anything, from the price book: its media (clips x
    resolution x audio; image size) and its captions (the tokens a caption is expected to use,
    which is what a simulated caption is charged). Reviews, approvals and notifications are free."""
    estimate = RunEstimate()
    for position, step in enumerate(steps):
        try:
            checked = validate_step(step, position)
        except StepError as exc:
            estimate.errors.append(exc.message)
            continue
        params = checked["params"]
        step_type = STEP_TYPES.get(checked["type"])
        if checked["type"] == "generate_caption":
            cost = caption_estimate(params["platform"])
            estimate.lines.append(
                EstimateLine(
                    checked["id"],
                    checked["type"],
                    step_type.label,
                    f"{cost.model} text, {cost.input_tokens:,} input + "
                    f"{cost.output_tokens:,} output tokens expected",
                    cost.cost_micros,
                )
            )
            continue
        if not step_type.paid:
            estimate.free_steps.append(checked["id"])
            continue
        try:
            if checked["type"] == "generate_video":
                seconds = int(params["duration"])
                cost = estimate_media_cost(
                    "video", params["provider"], {"duration_seconds": seconds}
                )
                plan = " + ".join(f"{clip} s" for clip in cost.clip_plan or ())
                where = f" at {cost.resolution} with{'' if cost.audio else 'out'} audio"
                detail = (
                    f"{params['provider']}, {seconds} s video ({plan} clips"
                    f"{where if cost.resolution else ''}; {cost.billed_seconds} s billed)"
                )
            else:
                choice = image_provider_for_tier(params["tier"])
                cost = estimate_media_cost(
                    "image", choice.provider, {"image_size": choice.image_size}
                )
                size = f", {cost.image_size}" if cost.image_size else ""
                detail = f"{choice.label} image ({params['tier']} tier{size})"
        except ValueError as exc:
            estimate.errors.append(f"{checked['id']}: {exc}")
            continue
        estimate.price_version = cost.price_version
        estimate.lines.append(
            EstimateLine(checked["id"], checked["type"], step_type.label, detail, cost.cost_micros)
        )
    return estimate


def template_list() -> QuerySet[PlaybookTemplate]:
    return PlaybookTemplate.objects.all()


def playbook_list(tenant_id: str) -> QuerySet[Playbook]:
    return Playbook.objects.filter(organisation_id=tenant_id).select_related("template")


MEDIA_STEP_TYPES = ("generate_video", "generate_image")


def step_label(step_type: str) -> str:
    """A step type as people read it ("Generate video"); an unknown type as it is stored."""
    known = STEP_TYPES.types.get(step_type)
    return known.label if known is not None else step_type


@dataclass(frozen=True)
class RunProgress:
    """A run's steps as its page shows them, each with its ``label``."""

    steps: list[PlaybookStepResult]
    fingerprint: str  # changes whenever the run's or a step's status does (the page's polling)
    rerun_from: str  # the step "Run again from a step" offers first: the caption, if any


def run_progress(run: PlaybookRun) -> RunProgress:
    steps = list(run.step_results.all())
    for step in steps:
        step.label = step_label(step.step_type)
    return RunProgress(
        steps=steps,
        fingerprint=f"{run.status}:" + ",".join(step.status for step in steps),
        rerun_from=next(
            (step.step_id for step in steps if step.step_type == "generate_caption"), ""
        ),
    )


def run_list(tenant_id: str, *, playbook: Playbook | None = None, limit: int = 20):
    """The latest runs, each with ``media_steps``: its finished media steps (whose results name
    the provider and model used), for the run history."""
    media_steps = PlaybookStepResult.objects.filter(
        step_type__in=MEDIA_STEP_TYPES,
        status__in=[PlaybookStepResult.Status.SUCCEEDED, PlaybookStepResult.Status.REUSED],
    )
    runs = (
        PlaybookRun.objects.filter(organisation_id=tenant_id)
        .select_related("playbook")
        .prefetch_related(Prefetch("step_results", queryset=media_steps, to_attr="media_steps"))
    )
    if playbook is not None:
        runs = runs.filter(playbook=playbook)
    return runs.order_by("-created_at")[:limit]


def upcoming_runs(playbook: Playbook, now: datetime, n: int = 3) -> list[datetime]:
    """The next slots in the tenant's time zone (aware, local)."""
    if not (playbook.enabled and playbook.schedule):
        return []
    zone = playbook.organisation.tz
    return [slot.astimezone(zone) for slot in upcoming(playbook.schedule, zone, now, n)]


def effective_steps(playbook: Playbook) -> list[dict]:
    return playbook_steps(playbook)


def run_page_url(run_id: str, tenant_id: str) -> str:
    """A run page's URL where there is no request to follow (``bakedbot.tenancy.tenant_url``
    needs one): it always names the tenant, which a tenant user's own page ignores and a super
    admin needs to land in the right organisation."""
    return f"{reverse('playbooks:run_detail', args=[run_id])}?{urlencode({'tenant': tenant_id})}"


def run_page_for_content(content) -> str | None:
    """The run page (and its re-run form) of the run that submitted ``content`` (a
    ``media.CreativeContent``), for the Creative Center; None if that run is gone."""
    run_id = content.playbook_run_id
    if (
        not run_id
        or not PlaybookRun.objects.filter(pk=run_id, organisation_id=content.tenant_id).exists()
    ):
        return None
    return run_page_url(run_id, content.tenant_id)


def run_submissions(run: PlaybookRun) -> list:
    """What the run submitted to the Creative Center (``media.selectors.ContentView``s, newest
    first), with each review's status and comment."""
    return get_playbook_run_content(run.organisation_id, run.pk)


def latest_rejection(submissions: list):
    """The newest rejected submission (its comment is the guidance for a re-run), or None."""
    return next((view for view in submissions if view.content.status == "rejected"), None)
