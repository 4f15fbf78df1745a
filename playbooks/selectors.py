"""Reads for the playbook pages: the library, an organisation's playbooks, runs and their steps,
the cost estimate of one run, upcoming slots."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet

from bakedbot.models import Organisation
from costs.pricing import estimate_media_cost
from playbooks.cron import upcoming
from playbooks.executor import STEP_TYPES, StepError, image_provider_for_tier, validate_step
from playbooks.models import Notification, Playbook, PlaybookRun, PlaybookTemplate
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


def estimate_playbook_run_cost(steps: list[dict]) -> RunEstimate:
    """What one run will cost before it spends anything: the sum of its paid steps from the price
    book. Captions, reviews, approvals and notifications are not priced there."""
    estimate = RunEstimate()
    for position, step in enumerate(steps):
        try:
            checked = validate_step(step, position)
        except StepError as exc:
            estimate.errors.append(exc.message)
            continue
        params = checked["params"]
        step_type = STEP_TYPES.get(checked["type"])
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
                detail = f"{params['provider']}, {seconds} s video ({plan} clips)"
            else:
                provider = image_provider_for_tier(params["tier"])
                cost = estimate_media_cost("image", provider, {})
                detail = f"{provider} image ({params['tier']} tier)"
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


def playbook_list(organisation: Organisation) -> QuerySet[Playbook]:
    return Playbook.objects.filter(organisation=organisation).select_related("template")


def run_list(organisation: Organisation, *, playbook: Playbook | None = None, limit: int = 20):
    runs = PlaybookRun.objects.filter(organisation=organisation).select_related("playbook")
    if playbook is not None:
        runs = runs.filter(playbook=playbook)
    return runs.order_by("-created_at")[:limit]


def upcoming_runs(playbook: Playbook, now: datetime, n: int = 3) -> list[datetime]:
    """The next slots in the tenant's time zone (aware, local)."""
    if not (playbook.enabled and playbook.schedule):
        return []
    zone = playbook.organisation.tz
    return [slot.astimezone(zone) for slot in upcoming(playbook.schedule, zone, now, n)]


def unread_notifications(organisation: Organisation, user, limit: int = 5):
    return Notification.objects.filter(
        organisation=organisation, user=user, read_at__isnull=True
    ).order_by("-created_at")[:limit]


def effective_steps(playbook: Playbook) -> list[dict]:
    return playbook_steps(playbook)
