"""Reads for the Creative Center: form choices, the live estimate, job progress, the gallery and
the approval queue. Tenant-scoped reads take ``tenant_id``; ``None`` means every tenant (super
admins only — the views decide who may pass it)."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch
from django.utils import timezone

from bakedbot.errors import InvalidInput
from bakedbot.selectors import organisation_names
from costs.budget_selectors import MediaBudgetStatus, get_media_budget_status
from costs.money import micros_to_decimal
from costs.pricing import VIDEO, MediaCostEstimate
from costs.repository import CostStoreUnavailable
from media.content_links import content_source_link
from media.jobs import asset_urls
from media.models import CreativeContent, GenerationJob, MediaAsset
from media.providers import PROVIDERS, ProviderInfo, list_providers
from media.validation import prepare_generation, service_aspect_ratios

GALLERY_PAGE_SIZE = 12
RECENT_JOBS_WINDOW = timedelta(minutes=15)
RECENT_JOBS_LIMIT = 8
REVIEWED_SHOWN = 10
# Placeholder for estimating before a prompt is typed: the price does not depend on it.
ESTIMATE_PROMPT = "estimate"


def provider_label(key: str) -> str:
    spec = PROVIDERS.get(key)
    return spec.label if spec else key


def generation_providers(kind: str) -> list[ProviderInfo]:
    """Every provider of ``kind`` for the form: retired ones too, shown as unavailable (the
    reason without the adapter's "provider: " prefix, as the form names the provider), with the
    aspect ratios the service makes with it (1:1 videos are cropped)."""
    return [
        dataclasses.replace(
            info,
            unavailable_reason=info.unavailable_reason.removeprefix(f"{info.key}: "),
            aspect_ratios=service_aspect_ratios(info),
        )
        for info in list_providers(kind)
    ]


@dataclass(frozen=True)
class GenerationEstimate:
    kind: str
    provider: str
    estimate: MediaCostEstimate | None
    errors: dict[str, str]
    allowed: bool
    blocked_reason: str | None
    simulated: bool
    budget: MediaBudgetStatus | None  # None: the cost store did not answer (``costs_unavailable``)
    costs_unavailable: str = ""

    @property
    def limited_periods(self) -> list:
        if self.budget is None:
            return []
        return [period for period in self.budget.periods if period.limit_micros is not None]


def estimate_generation(
    tenant_id: str,
    *,
    kind: str,
    provider: str,
    aspect_ratio: str,
    duration_seconds: int | None = None,
    preset_id: str | None = None,
    use_cache: bool = True,
    image_size: str | None = None,
    resolution: str | None = None,
) -> GenerationEstimate:
    """What the form's request would cost (at ``image_size`` or ``resolution``; None is the
    provider's default), whether the budget allows it now (a pre-flight check; only the hold
    placed when it is queued reserves the money), and the budget status.
    ``PresetNotFound`` (404) for a foreign preset. With the cost store down the estimate still
    shows, the budget says costs are unavailable, and the generation is not allowed now (its
    hold could not be placed)."""
    try:
        budget = get_media_budget_status(tenant_id)
    except CostStoreUnavailable as exc:
        budget, unavailable = None, exc.message
    else:
        unavailable = ""
    try:
        request = prepare_generation(
            kind=kind,
            tenant_id=tenant_id,
            user_id=None,
            provider=provider,
            prompt=ESTIMATE_PROMPT,
            aspect_ratio=aspect_ratio,
            duration_seconds=duration_seconds,
            preset_id=preset_id or None,
            use_cache=use_cache,
            image_size=image_size,
            resolution=resolution,
        )
    except InvalidInput as exc:
        return GenerationEstimate(
            kind, provider, None, exc.errors, False, None, False, budget, unavailable
        )
    if budget is None:
        allowed, reason = False, unavailable
    else:
        check = budget.check(request.estimate.cost)
        allowed, reason = check.allowed, check.reason
    return GenerationEstimate(
        kind,
        provider,
        request.estimate,
        {},
        allowed,
        reason,
        request.simulated,
        budget,
        unavailable,
    )


# --- jobs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobView:
    job: GenerationJob

    @property
    def active(self) -> bool:
        return self.job.status in GenerationJob.ACTIVE

    @property
    def percent(self) -> int:
        job = self.job
        if job.status == GenerationJob.Status.DONE:
            return 100
        current = (job.clip_percent or 0) / 100 if job.status == GenerationJob.Status.RUNNING else 0
        return min(int((job.clips_done + current) * 100 / max(job.clips_total, 1)), 99)

    @property
    def label(self) -> str:
        job = self.job
        if job.status == GenerationJob.Status.RUNNING and job.kind == VIDEO:
            clip = min(job.clips_done + 1, job.clips_total)
            return f"Running — clip {clip} of {job.clips_total}"
        if job.status == GenerationJob.Status.DONE and job.cache_hit:
            return "Done — from the cache"
        return job.get_status_display()

    @property
    def provider_label(self) -> str:
        return provider_label(self.job.provider)

    @property
    def cost(self) -> Decimal:
        return micros_to_decimal(self.job.cost_micros)

    @property
    def estimate(self) -> Decimal:
        return micros_to_decimal(self.job.estimate_micros)

    @property
    def retryable(self) -> bool:
        job = self.job
        stalled = (
            job.status == GenerationJob.Status.RUNNING
            and job.lease_expires_at is not None
            and job.lease_expires_at < timezone.now()
        )
        return (job.status == GenerationJob.Status.FAILED and job.retryable) or stalled

    @property
    def media_url(self) -> str:
        """The finished media (its tenant-checked view); "" while queued or running, or failed."""
        done = self.job.status == GenerationJob.Status.DONE and self.job.asset_id
        return asset_urls(self.job.asset)[0] if done else ""


def get_generation_job(tenant_id: str, job_id: str) -> JobView | None:
    """One of the tenant's jobs, for a page following a job it queued (another tenant's id or an
    unknown one: None)."""
    if not job_id:
        return None
    job = GenerationJob.objects.select_related("asset").filter(tenant_id=tenant_id, pk=job_id)
    return next((JobView(found) for found in job), None)


def get_generation_jobs(tenant_id: str) -> list[JobView]:
    """The tenant's queued and running jobs, then those finished in the last 15 minutes."""
    since = timezone.now() - RECENT_JOBS_WINDOW
    jobs = GenerationJob.objects.filter(tenant_id=tenant_id).order_by("-created_at")
    active = list(jobs.filter(status__in=GenerationJob.ACTIVE))
    recent = list(
        jobs.exclude(status__in=GenerationJob.ACTIVE).filter(finished_at__gte=since)[
            :RECENT_JOBS_LIMIT
        ]
    )
    return [JobView(job) for job in active + recent]


def jobs_fingerprint(views: list[JobView]) -> str:
    """Changes whenever anything shown about the jobs changes (for polling that slows down)."""
    material = "|".join(
        f"{v.job.pk}:{v.job.status}:{v.job.clips_done}:{v.job.clip_percent}:{v.job.status_note}"
        for v in views
    )
    return hashlib.sha256(material.encode()).hexdigest()[:16]


# --- the gallery -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssetView:
    asset: MediaAsset
    last_job: GenerationJob | None = None

    @property
    def urls(self) -> tuple[str, str, str | None]:
        return asset_urls(self.asset)

    @property
    def media_url(self) -> str:
        return self.urls[0]

    @property
    def download_url(self) -> str:
        return self.urls[1]

    @property
    def thumbnail_url(self) -> str | None:
        return self.urls[2]

    @property
    def ready(self) -> bool:
        return self.asset.status == MediaAsset.Status.READY and bool(self.asset.file)

    @property
    def provider_label(self) -> str:
        return provider_label(self.asset.provider)

    @property
    def cost(self) -> Decimal:
        return micros_to_decimal(self.asset.cost_micros)

    @property
    def retry_job(self) -> GenerationJob | None:
        job = self.last_job
        if job is not None and job.status == GenerationJob.Status.FAILED and job.retryable:
            return job
        return None


@dataclass(frozen=True)
class GalleryPage:
    items: list[AssetView]
    page: Page


def get_media_gallery(
    tenant_id: str, *, page: int | str = 1, per_page: int = GALLERY_PAGE_SIZE
) -> GalleryPage:
    """The tenant's media, newest first: ready and failed generations alike."""
    assets = MediaAsset.objects.filter(tenant_id=tenant_id).prefetch_related(
        Prefetch("jobs", queryset=GenerationJob.objects.order_by("-created_at"))
    )
    current = Paginator(assets, per_page).get_page(page)
    items = []
    for asset in current.object_list:
        own = [job for job in asset.jobs.all() if not job.cache_hit]
        items.append(AssetView(asset, own[0] if own else None))
    return GalleryPage(items=items, page=current)


def get_media_asset(tenant_id: str | None, asset_id: str) -> MediaAsset:
    """One asset, of ``tenant_id`` (or any tenant's for None). ``MediaAsset.DoesNotExist``."""
    assets = MediaAsset.objects.all()
    if tenant_id is not None:
        assets = assets.filter(tenant_id=tenant_id)
    return assets.get(pk=asset_id)


# --- the approval queue ------------------------------------------------------------------------


@dataclass(frozen=True)
class ContentView:
    content: CreativeContent
    tenant_name: str
    media: list[AssetView] = field(default_factory=list)

    @property
    def submitted_by(self) -> str:
        content = self.content
        if content.submitted_by is not None:
            user = content.submitted_by
            return user.get_full_name() or user.get_username()
        if content.source == CreativeContent.Source.PLAYBOOK:
            return "a scheduled playbook"
        return "a former user"

    @property
    def reviewed_by(self) -> str:
        user = self.content.reviewed_by
        return (user.get_full_name() or user.get_username()) if user else ""

    @cached_property
    def source_url(self) -> str | None:
        """The page of whatever submitted it (a playbook run), if its app links to one."""
        return content_source_link(self.content)


@dataclass(frozen=True)
class ApprovalFilters:
    """What the queue is narrowed to; empty strings: everything."""

    organisation: str = ""
    platform: str = ""
    source: str = ""

    @property
    def active(self) -> bool:
        return bool(self.organisation or self.platform or self.source)


@dataclass(frozen=True)
class ApprovalQueue:
    pending: list[ContentView]
    reviewed: list[ContentView]
    all_tenants: bool
    filters: ApprovalFilters = ApprovalFilters()


def _content_views(items) -> list[ContentView]:
    items = list(items)
    names = organisation_names({item.tenant_id for item in items})
    return [
        ContentView(
            content=item,
            tenant_name=names.get(item.tenant_id, item.tenant_id),
            media=[AssetView(asset) for asset in item.media.all()],
        )
        for item in items
    ]


def get_playbook_run_content(tenant_id: str, playbook_run_id: str) -> list[ContentView]:
    """The content a playbook run submitted, newest first, with its review."""
    items = (
        CreativeContent.objects.filter(tenant_id=tenant_id, playbook_run_id=playbook_run_id)
        .select_related("submitted_by", "reviewed_by")
        .prefetch_related("media")
        .order_by("-created_at")
    )
    return _content_views(items)


def content_awaiting_approval(tenant_id: str, content_id: str) -> bool:
    """Whether this content of the tenant is still in the approval queue (not yet reviewed)."""
    return CreativeContent.objects.filter(
        tenant_id=tenant_id, pk=content_id, status=CreativeContent.Status.PENDING
    ).exists()


def get_approval_queue(
    tenant_id: str | None, filters: ApprovalFilters = ApprovalFilters()
) -> ApprovalQueue:
    """Pending content (oldest first: first come, first reviewed) and the latest decisions,
    narrowed by ``filters`` (the organisation only when looking across tenants)."""
    items = CreativeContent.objects.select_related("submitted_by", "reviewed_by").prefetch_related(
        "media"
    )
    if tenant_id is not None:
        items = items.filter(tenant_id=tenant_id)
    elif filters.organisation:
        items = items.filter(tenant_id=filters.organisation)
    if filters.platform:
        items = items.filter(platform=filters.platform)
    if filters.source:
        items = items.filter(source=filters.source)
    pending = items.filter(status=CreativeContent.Status.PENDING).order_by("created_at")
    reviewed = items.exclude(status=CreativeContent.Status.PENDING).order_by("-reviewed_at")
    return ApprovalQueue(
        pending=_content_views(pending),
        reviewed=_content_views(reviewed[:REVIEWED_SHOWN]),
        all_tenants=tenant_id is None,
        filters=filters,
    )
