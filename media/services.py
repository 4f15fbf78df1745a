"""The generation service: tracked image and video generation with budget holds, the
duplicate-prompt cache and the job queue; and the approval queue of creative content.

``generate_image`` / ``generate_video`` run a generation in the caller (a playbook step) and
return its ``GeneratedMedia``; ``queue_image_generation`` / ``queue_video_generation`` hand it to
a django-q2 worker and return the ``GenerationJob`` whose progress the Creative Center polls.
How a job runs (claims, slots, holds, idempotency, clip plans, its one cost event) is in the
``media.jobs`` package.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from bakedbot.errors import FieldErrors, InvalidInput
from bakedbot.notices import notice_post, notice_resolve
from bakedbot.selectors import organisation_exists
from bakedbot.validation import clean_choice, clean_text, is_ascii_digits
from costs.budgets import place_budget_hold, release_budget_hold
from costs.money import micros_to_decimal
from costs.pricing import IMAGE, VIDEO
from media import jobs
from media.jobs import GeneratedMedia
from media.models import CreativeContent, GenerationJob, MediaAsset
from media.providers.calls import ProviderCallStore
from media.validation import GenerationRequest, prepare_generation

__all__ = [
    "CONTENT_PLATFORMS",
    "GeneratedMedia",
    "ReviewedContent",
    "SubmittedContent",
    "approve_creative_content",
    "generate_image",
    "generate_video",
    "purge_provider_calls",
    "queue_generation",
    "queue_image_generation",
    "queue_video_generation",
    "recover_stale_generation_jobs",
    "reject_creative_content",
    "retry_generation_job",
    "run_generation_job",
    "submit_content_for_approval",
]

TITLE_MAX_CHARS = 200
CAPTION_MAX_CHARS = 5000
COMMENT_MAX_CHARS = 2000
MAX_MEDIA_PER_CONTENT = 20


# --- generating in the caller ------------------------------------------------------------------


def _inline_job_id(request: GenerationRequest) -> str | None:
    """A playbook step delivered twice asks for the same job (and so the same provider calls)."""
    if not request.playbook_run_id:
        return None
    material = "|".join(
        [request.tenant_id, request.playbook_run_id, request.cache_key, str(request.use_cache)]
    )
    return "job_" + hashlib.sha256(material.encode()).hexdigest()[:24]


def _generate(request: GenerationRequest) -> GeneratedMedia:
    job_id = _inline_job_id(request)
    job = GenerationJob.objects.filter(pk=job_id).first() if job_id else None
    if job is not None:
        return jobs.run_inline(job)
    cached = jobs.cache_lookup(request.tenant_id, request.cache_key) if request.use_cache else None
    if cached is not None:
        job = jobs.job_create(request, inline=True, job_id=job_id)
        result = jobs.job_answer_from_cache(job, cached)
        return result if result is not None else jobs.run_inline(job)
    # Hold first: a refused hold (BudgetExceeded) leaves nothing behind.
    hold = _place_hold(request, note="")
    try:
        job = jobs.job_create(request, inline=True, job_id=job_id, hold=hold)
    except BaseException:
        release_budget_hold(hold=hold)
        raise
    return jobs.run_inline(job)


def _place_hold(request: GenerationRequest, *, note: str):
    return place_budget_hold(
        tenant_id=request.tenant_id,
        estimated_cost=request.estimate.cost,
        reason=f"{request.kind} {request.provider}{note}",
        ttl=jobs.hold_ttl(len(request.clip_plan) or 1),
    )


# ``generate_*`` and ``queue_*_generation`` keep the original system's typed signatures and pass
# them on as ``**locals()`` (their first statement, so it holds exactly the arguments) to
# ``prepare_generation``, which takes the same names: one place checks every request.


def generate_image(
    tenant_id: str,
    user_id: str | None,
    *,
    provider: str,
    prompt: str,
    aspect_ratio: str,
    preset_id: str | None = None,
    playbook_run_id: str | None = None,
    content_id: str | None = None,
    use_cache: bool = True,
    simulate: bool | None = None,
    image_size: str | None = None,
) -> GeneratedMedia:
    """Generate one image now and return it with its tracking event.

    Validates (prompt 1-4,000 characters after trimming; an aspect ratio the provider makes),
    answers from the duplicate-prompt cache when it can (``use_cache=False`` opts out; recorded
    as a cache hit at $0 with the amount saved), places a budget hold of the estimate, calls the
    provider, records one cost event (``track_media_generation``), stores the PNG with Django's
    storage API and settles the hold to the recorded cost. ``simulate``: None follows the
    provider's settings (simulated without an API key), True forces simulate mode, False refuses
    to simulate.

    Raises ``InvalidInput`` (naming the fields), ``PresetNotFound`` (404),
    ``BudgetExceeded`` (naming the budget and by how much), ``GenerationBusy`` or the
    provider's ``ProviderError``; on failure the hold is released and the failure recorded.
    """
    return _generate(prepare_generation(kind=IMAGE, **locals()))


def generate_video(
    tenant_id: str,
    user_id: str | None,
    *,
    provider: str,
    prompt: str,
    duration_seconds: int,
    aspect_ratio: str,
    preset_id: str | None = None,
    playbook_run_id: str | None = None,
    content_id: str | None = None,
    use_cache: bool = True,
    simulate: bool | None = None,
    resolution: str | None = None,
) -> GeneratedMedia:
    """Generate one video of ``duration_seconds`` (1-300) now; like ``generate_image``.

    A duration that is not one clip length is made as the price book's clip plan (each clip its
    own idempotent provider call), joined into one MP4 and trimmed to exactly the duration.
    """
    return _generate(prepare_generation(kind=VIDEO, **locals()))


# --- the queue ---------------------------------------------------------------------------------


def queue_generation(request: GenerationRequest) -> GenerationJob:
    """Queue a checked request. A cache hit finishes at once (no worker needed); otherwise the
    estimate is held first (``BudgetExceeded`` leaves nothing behind) and the job is queued."""
    cached = jobs.cache_lookup(request.tenant_id, request.cache_key) if request.use_cache else None
    if cached is not None:
        job = jobs.job_create(request, inline=False)
        jobs.job_answer_from_cache(job, cached)
        job.refresh_from_db()
        return job
    hold = _place_hold(request, note=" (queued)")
    try:
        with transaction.atomic():
            job = jobs.job_create(request, inline=False, hold=hold)
            jobs.job_enqueue(job.pk)
    except BaseException:
        release_budget_hold(hold=hold)
        raise
    jobs.ensure_media_schedules()
    return job


def queue_image_generation(
    tenant_id: str,
    user_id: str | None,
    *,
    provider: str,
    prompt: str,
    aspect_ratio: str,
    preset_id: str | None = None,
    playbook_run_id: str | None = None,
    content_id: str | None = None,
    use_cache: bool = True,
    simulate: bool | None = None,
    image_size: str | None = None,
) -> GenerationJob:
    """``generate_image``'s checks and arguments, run by a queue worker."""
    return queue_generation(prepare_generation(kind=IMAGE, **locals()))


def queue_video_generation(
    tenant_id: str,
    user_id: str | None,
    *,
    provider: str,
    prompt: str,
    duration_seconds: int,
    aspect_ratio: str,
    preset_id: str | None = None,
    playbook_run_id: str | None = None,
    content_id: str | None = None,
    use_cache: bool = True,
    simulate: bool | None = None,
    resolution: str | None = None,
) -> GenerationJob:
    """``generate_video``'s checks and arguments, run by a queue worker."""
    return queue_generation(prepare_generation(kind=VIDEO, **locals()))


def run_generation_job(job_id: str) -> str:
    """Run a queued job (the django-q2 task). Returns the job's status afterwards."""
    jobs.run_job(job_id)
    return GenerationJob.objects.filter(pk=job_id).values_list("status", flat=True).first() or ""


def retry_generation_job(tenant_id: str, job_id: str) -> GenerationJob:
    """Queue a failed job again (or one whose worker died), holding its estimate again.

    ``GenerationJob.DoesNotExist`` for an unknown or another tenant's job; ``InvalidInput``
    (``status``) when the job is neither failed (in a way a retry can fix) nor stalled;
    ``BudgetExceeded`` when the budget refuses it now.
    """
    job = GenerationJob.objects.get(pk=job_id, tenant_id=tenant_id)
    stalled = (
        job.status == GenerationJob.Status.RUNNING
        and job.lease_expires_at is not None
        and job.lease_expires_at < timezone.now()
    )
    if job.status != GenerationJob.Status.FAILED and not stalled:
        raise InvalidInput(
            status=f"Only a failed or stalled job can be retried; this one is {job.status}."
        )
    if job.status == GenerationJob.Status.FAILED and not job.retryable:
        raise InvalidInput(status=f"This job failed for a reason a retry cannot fix: {job.error}")
    if job.hold_id:
        # A stalled job's own hold: let the new one take its place rather than count twice.
        release_budget_hold(hold=job.hold_id)
    hold = place_budget_hold(
        tenant_id=tenant_id,
        estimated_cost=micros_to_decimal(job.estimate_micros),
        reason=f"{job.kind} {job.provider} {job.pk} (retry)",
        ttl=jobs.hold_ttl(max(job.clips_total - job.clips_done, 1)),
    )
    with transaction.atomic():
        updated = GenerationJob.objects.filter(
            pk=job.pk, status=job.status, lease_token=job.lease_token
        ).update(
            status=GenerationJob.Status.QUEUED,
            status_note="Queued again",
            error="",
            retryable=False,
            retries=0,
            lease_token="",
            lease_expires_at=None,
            hold_id=hold.id,
            hold_expires_at=hold.expires_at,
            finished_at=None,
            updated_at=timezone.now(),
        )
        if updated:
            jobs.job_enqueue(job.pk)
    if not updated:
        release_budget_hold(hold=hold)
        raise InvalidInput(status="The job changed meanwhile; reload and try again.")
    job.refresh_from_db()
    return job


def recover_stale_generation_jobs() -> int:
    """Re-queue jobs whose worker died and re-send lost tasks (a django-q2 schedule runs it)."""
    return jobs.recover_stale_jobs()


def purge_provider_calls() -> int:
    """Drop the providers' idempotency records older than a week (a daily schedule runs it):
    the service keeps the media itself, so only a retry could still want them."""
    return ProviderCallStore().purge(older_than=jobs.PROVIDER_CALLS_KEPT)


# --- creative content and approvals ------------------------------------------------------------

# The platforms content is made for (those the playbooks write captions for).
CONTENT_PLATFORMS: tuple[tuple[str, str], ...] = (
    ("instagram", "Instagram"),
    ("facebook", "Facebook"),
    ("twitter", "X / Twitter"),
    ("tiktok", "TikTok"),
)


@dataclass(frozen=True)
class SubmittedContent:
    """Content put in the approval queue."""

    id: str
    status: str


@dataclass(frozen=True)
class ReviewedContent:
    """Content after an owner's decision."""

    id: str
    tenant_id: str
    title: str
    status: str
    review_comment: str
    reviewed_by: AbstractBaseUser | None
    reviewed_at: datetime


# Who submits or reviews: a user, a user id (an int or its digits), or None (a scheduled playbook).
UserRef = AbstractBaseUser | int | str | None


def _user_of(user: UserRef) -> AbstractBaseUser | None:
    """The user row, or None (also for an id that is no user)."""
    if user is None or user == "":
        return None
    if hasattr(user, "pk"):
        return user
    text = str(user)
    return get_user_model().objects.filter(pk=int(text)).first() if is_ascii_digits(text) else None


def approval_notice_key(content_id: str) -> str:
    """The bell's key for content waiting for approval: one notice per person, resolved when the
    content is reviewed. A playbook's notify step about the content posts under the same key."""
    return f"approval:{content_id}"


def submit_content_for_approval(
    *,
    tenant_id: str,
    title: str,
    caption: str,
    platform: str,
    media_ids: Iterable[str],
    playbook_run_id: str | None = None,
    submitted_by: UserRef = None,
) -> SubmittedContent:
    """Put media and a caption in the approval queue, pending.

    ``platform`` is one of ``CONTENT_PLATFORMS``; ``media_ids`` must be the tenant's ready media
    (another tenant's id is an unknown id). ``submitted_by`` is a user, a user id, or None (a
    scheduled playbook). Raises ``InvalidInput`` naming the fields; nothing is written then.
    """
    errors = FieldErrors()
    clean_title = errors.clean(
        "title", clean_text, title, max_length=TITLE_MAX_CHARS, required=True
    )
    clean_caption = errors.clean("caption", clean_text, caption, max_length=CAPTION_MAX_CHARS)
    platforms = [key for key, _label in CONTENT_PLATFORMS]
    clean_platform = errors.clean(
        "platform", clean_choice, platform, choices=platforms, label="Platform"
    )
    ids = list(dict.fromkeys(str(media_id) for media_id in media_ids or []))
    if not ids:
        errors.add("media_ids", "Choose at least one image or video.")
    elif len(ids) > MAX_MEDIA_PER_CONTENT:
        errors.add("media_ids", f"At most {MAX_MEDIA_PER_CONTENT} items.")
    media = list(
        MediaAsset.objects.filter(tenant_id=tenant_id, pk__in=ids, status=MediaAsset.Status.READY)
    )
    if ids and len(media) != len(ids):
        missing = sorted(set(ids) - {asset.pk for asset in media})
        errors.add("media_ids", f"Unknown or unfinished media: {', '.join(missing)}.")
    if not organisation_exists(tenant_id):
        errors.add("tenant", f"No organisation {tenant_id!r}.")
    errors.raise_if_any()
    with transaction.atomic():
        content = CreativeContent.objects.create(
            tenant_id=tenant_id,
            title=clean_title,
            caption=clean_caption,
            platform=clean_platform,
            source=(
                CreativeContent.Source.PLAYBOOK if playbook_run_id else CreativeContent.Source.USER
            ),
            submitted_by=_user_of(submitted_by),
            playbook_run_id=playbook_run_id or "",
        )
        content.media.set(media)
        notice_post(
            organisation_id=tenant_id,
            key=approval_notice_key(content.pk),
            kind="approval",
            title=f"Waiting for your approval: {clean_title}",
            body=f"For {clean_platform}",
            link=reverse("media:creative") + "#approvals",
        )
    return SubmittedContent(id=content.pk, status=content.status)


def _review(
    tenant_id: str | None,
    content_id: str,
    *,
    decision: str,
    reviewed_by: UserRef,
    comment: str,
) -> ReviewedContent:
    errors = FieldErrors()
    text = errors.clean("comment", clean_text, comment, max_length=COMMENT_MAX_CHARS) or ""
    if decision == CreativeContent.Status.REJECTED and not text and "comment" not in errors:
        errors.add(
            "comment", "Say why it is rejected: the comment goes back to whoever submitted it."
        )
    items = CreativeContent.objects.all()
    if tenant_id is not None:
        items = items.filter(tenant_id=tenant_id)
    content = items.get(pk=content_id)
    if content.status != CreativeContent.Status.PENDING:
        errors.add("status", f"This content was already {content.status}.")
    errors.raise_if_any()
    return _record_review(content, decision=decision, comment=text, reviewer=_user_of(reviewed_by))


def _record_review(
    content: CreativeContent,
    *,
    decision: str,
    comment: str,
    reviewer: AbstractBaseUser | None,
) -> ReviewedContent:
    """Write a checked decision, unless someone reviewed the content since it was checked."""
    reviewed_at = timezone.now()
    updated = CreativeContent.objects.filter(
        pk=content.pk, status=CreativeContent.Status.PENDING
    ).update(status=decision, review_comment=comment, reviewed_by=reviewer, reviewed_at=reviewed_at)
    if not updated:
        raise InvalidInput(status="Someone reviewed this content a moment ago.")
    # Handled: the "waiting for your approval" notice leaves every owner's bell.
    notice_resolve(organisation_id=content.tenant_id, key=approval_notice_key(content.pk))
    return ReviewedContent(
        id=content.pk,
        tenant_id=content.tenant_id,
        title=content.title,
        status=str(decision),
        review_comment=comment,
        reviewed_by=reviewer,
        reviewed_at=reviewed_at,
    )


MAX_BULK_REVIEW = 100


def review_creative_contents(
    *,
    tenant_id: str | None,
    content_ids: Iterable[str],
    decision: str,
    comments: Mapping[str, str],
    reviewed_by: UserRef,
) -> list[ReviewedContent]:
    """Approve (``decision="approved"``) or reject (``"rejected"``) several pending items at
    once; ``comments`` maps an item's id to its comment, required for each rejection. Every item
    is checked first: one without a reason, unknown (another tenant's ids are unknown) or already
    reviewed refuses the whole batch with ``InvalidInput`` naming it (``comment-<id>``,
    ``selected``), and nothing is written."""
    ids = list(dict.fromkeys(str(content_id) for content_id in content_ids))
    errors = FieldErrors()
    if decision not in (CreativeContent.Status.APPROVED, CreativeContent.Status.REJECTED):
        errors.add("decision", "Choose approve or reject.")
    if not ids:
        errors.add("selected", "Tick the content to review first.")
    elif len(ids) > MAX_BULK_REVIEW:
        errors.add("selected", f"At most {MAX_BULK_REVIEW} items at once.")
    errors.raise_if_any()
    items = CreativeContent.objects.filter(pk__in=ids)
    if tenant_id is not None:
        items = items.filter(tenant_id=tenant_id)
    found = {item.pk: item for item in items}
    missing = [content_id for content_id in ids if content_id not in found]
    if missing:
        raise CreativeContent.DoesNotExist(f"No content {', '.join(missing)}")
    texts: dict[str, str] = {}
    for content_id in ids:
        field = f"comment-{content_id}"
        text = errors.clean(
            field, clean_text, comments.get(content_id, ""), max_length=COMMENT_MAX_CHARS
        )
        texts[content_id] = text or ""
        title = found[content_id].title
        if found[content_id].status != CreativeContent.Status.PENDING:
            errors.add(field, f"“{title}” was already {found[content_id].status}.")
        elif decision == CreativeContent.Status.REJECTED and not text and field not in errors:
            errors.add(
                field,
                f"Say why “{title}” is rejected: the comment goes back to whoever submitted it.",
            )
    errors.raise_if_any()
    reviewer = _user_of(reviewed_by)
    with transaction.atomic():
        return [
            _record_review(
                found[content_id], decision=decision, comment=texts[content_id], reviewer=reviewer
            )
            for content_id in ids
        ]


def approve_creative_content(
    *, tenant_id: str | None, content_id: str, reviewed_by: UserRef, comment: str = ""
) -> ReviewedContent:
    """pending -> approved. ``tenant_id`` None looks across tenants (super admins).
    ``CreativeContent.DoesNotExist`` for an unknown or another tenant's id; ``InvalidInput`` for
    content already reviewed or a comment that is too long."""
    return _review(
        tenant_id,
        content_id,
        decision=CreativeContent.Status.APPROVED,
        reviewed_by=reviewed_by,
        comment=comment,
    )


def reject_creative_content(
    *, tenant_id: str | None, content_id: str, reviewed_by: UserRef, comment: str
) -> ReviewedContent:
    """pending -> rejected, with a comment (required) saying why; like
    ``approve_creative_content``."""
    return _review(
        tenant_id,
        content_id,
        decision=CreativeContent.Status.REJECTED,
        reviewed_by=reviewed_by,
        comment=comment,
    )
