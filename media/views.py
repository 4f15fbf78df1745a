"""``/dashboard/creative``: the Creative Center. Generate images and videos (live estimate and
budget beside the form), watch queued jobs, browse and download the tenant's media, and review
content awaiting approval. Every action works as a plain form post; with HTMX it swaps only its
own panel of ``media/creative.html``.

Who may do what: members and owners of a tenant generate, retry, download and submit content;
owners (and super admins) approve and reject. Super admins see every tenant's pending content
and act for a tenant with ``?tenant=``.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from bakedbot.errors import InvalidInput
from bakedbot.polling import next_poll_delay
from bakedbot.selectors import list_organisations
from bakedbot.tenancy import (
    can_manage_tenant,
    is_super_admin,
    tenant_member_required,
    tenant_or_super_admin_required,
    tenant_url,
)
from costs.budgets import BudgetExceeded
from costs.pricing import IMAGE, VIDEO
from costs.repository import CostStoreUnavailable
from media import selectors, services
from media.models import CreativeContent, GenerationJob, MediaAsset
from media.validation import SQUARE_VIDEO_NOTE, form_number
from presets.recommendations import style_recommendations
from presets.selectors import get_preset_picker

TEMPLATE = "media/creative.html"
# Sent when a job finishes: the gallery and the estimate panel (its budget box) reload on it.
GALLERY_CHANGED = "media-gallery-changed"
# The submit form offers exactly the platforms the service accepts.
PLATFORMS = services.CONTENT_PLATFORMS
# The longest address the picker's search goes back to the page by: gunicorn refuses a request
# line over 4,094 bytes by default.
ADDRESS_MAX = 4000


# --- the generation form -----------------------------------------------------------------------


def _form_values(data: QueryDict, *, strict: bool) -> dict[str, Any]:
    """The form's values. ``strict`` (a submission) keeps a bad choice so that it is reported;
    otherwise (the form re-drawn after a change) a choice the provider lacks is replaced by its
    first (its default; "" when it offers none)."""
    kind = data.get("kind", IMAGE)
    kind = kind if kind in (IMAGE, VIDEO) else IMAGE
    providers = selectors.generation_providers(kind)
    provider = data.get("provider", "")
    if provider not in {p.key for p in providers} and not (strict and provider):
        provider = next((p.key for p in providers if p.available), providers[0].key)
    info = next((p for p in providers if p.key == provider), None)
    chosen = {
        "aspect_ratio": data.get("aspect_ratio", ""),
        "image_size": data.get("image_size", ""),
        "resolution": data.get("resolution", ""),
    }
    if info is not None and not strict:
        offers = {
            "aspect_ratio": info.aspect_ratios,
            "image_size": info.image_sizes,
            "resolution": info.resolutions,
        }
        for name, value in chosen.items():
            if value not in offers[name]:
                chosen[name] = offers[name][0] if offers[name] else ""
    # The form sends a hidden "off" before the checkbox, so an unchecked box is told apart from
    # a request that does not mention it (which keeps the cache on).
    cache_values = data.getlist("use_cache")
    return {
        "kind": kind,
        "provider": provider,
        "provider_info": info,
        "providers": providers,
        "base_prompt": data.get("base_prompt", ""),
        **chosen,
        "duration_seconds": data.get("duration_seconds", "8" if kind == VIDEO else ""),
        "preset_id": data.get("preset_id", ""),
        # The preset picker's search box (a library too large to list whole).
        "preset_q": data.get("preset_q", ""),
        "use_cache": "on" in cache_values if cache_values else True,
    }


def _cache_window(seconds: int) -> str:
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return ""


def _dimensions(values: dict[str, Any]) -> dict[str, Any]:
    """What the form chose for its kind beyond the prompt and ratio: a video's duration and
    resolution, an image's size (None when the form sends none: the provider's default)."""
    if values["kind"] == VIDEO:
        return {
            "duration_seconds": form_number(str(values["duration_seconds"])),
            "resolution": values["resolution"] or None,
        }
    return {"image_size": values["image_size"] or None}


def _composer(request: HttpRequest, values: dict[str, Any], **extra: Any) -> dict[str, Any]:
    tenant = request.tenant
    estimate = selectors.estimate_generation(
        tenant.pk,
        kind=values["kind"],
        provider=values["provider"],
        aspect_ratio=values["aspect_ratio"],
        preset_id=values["preset_id"] or None,
        use_cache=values["use_cache"],
        **_dimensions(values),
    )
    return {
        "tenant": tenant,
        "form": values,
        "form_errors": {},
        "estimate": estimate,
        "preset_picker": get_preset_picker(
            tenant.pk, selected_id=values["preset_id"], search=values["preset_q"]
        ),
        "style_recommendations": style_recommendations(tenant_id=tenant.pk),
        "cache_window": _cache_window(settings.MEDIA_CACHE_TTL_SECONDS),
        "square_video_note": SQUARE_VIDEO_NOTE,
        **extra,
    }


def _jobs_context(request: HttpRequest) -> dict[str, Any]:
    """The jobs panel; its next poll backs off while the jobs shown stay the same."""
    views = selectors.get_generation_jobs(request.tenant.pk)
    fingerprint = selectors.jobs_fingerprint(views)
    return {
        "tenant": request.tenant,
        "jobs": views,
        "jobs_active": any(view.active for view in views),
        "jobs_fingerprint": fingerprint,
        "poll_delay": next_poll_delay(request, fingerprint),
    }


def _gallery_context(request: HttpRequest) -> dict[str, Any]:
    return {
        "tenant": request.tenant,
        "gallery": selectors.get_media_gallery(request.tenant.pk, page=request.GET.get("page", 1)),
        "platforms": PLATFORMS,
    }


def _scope(request: HttpRequest) -> str | None:
    """Whose media and content a request may act on: every tenant's for super admins (None),
    else the user's own tenant's."""
    return None if is_super_admin(request.user) else request.tenant.pk


def _approval_filters(request: HttpRequest) -> selectors.ApprovalFilters:
    """The queue's filters from the query string; an unknown value is ignored (everything)."""
    query = request.GET
    platforms = {key for key, _label in services.CONTENT_PLATFORMS}
    organisation = query.get("organisation", "")[:40] if request.tenant is None else ""
    return selectors.ApprovalFilters(
        organisation=organisation,
        platform=query.get("platform", "") if query.get("platform") in platforms else "",
        source=query.get("source", "") if query.get("source") in CreativeContent.Source else "",
    )


def _approvals_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    scope = None if request.tenant is None else request.tenant.pk
    return {
        "tenant": request.tenant,
        "approvals": selectors.get_approval_queue(scope, _approval_filters(request)),
        "can_review": can_manage_tenant(request),
        "content_platforms": services.CONTENT_PLATFORMS,
        "content_sources": CreativeContent.Source.choices,
        "review_organisations": list_organisations() if request.tenant is None else [],
        **extra,
    }


def _page_context(request: HttpRequest, values: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The whole page for a tenant: the generation form with ``values``, jobs, gallery, queue."""
    return {
        **_composer(request, values, **extra),
        **_jobs_context(request),
        **_gallery_context(request),
        **_approvals_context(request),
    }


@require_GET
@tenant_or_super_admin_required
def creative_center(request: HttpRequest) -> HttpResponse:
    if request.htmx and request.htmx.target == "approvals":
        # The queue's filters: the queue alone.
        return render(request, f"{TEMPLATE}#approvals", _approvals_context(request))
    if request.tenant is None:
        context = {
            **_approvals_context(request),
            "tenants": list_organisations(),
        }
        return render(request, TEMPLATE, context)
    context = _page_context(request, _form_values(request.GET, strict=False))
    if request.htmx and request.htmx.target == "composer":
        return render(request, f"{TEMPLATE}#composer", context)
    return render(request, TEMPLATE, context)


@require_POST
@tenant_member_required
def creative_preset_search(request: HttpRequest) -> HttpResponse:
    """The preset picker's Search button without JavaScript: the generation form comes back
    with the presets matching its search box and everything typed kept, as a GET of the page
    (a reload repeats nothing). Nothing is generated. The form's "Show the chosen provider's
    options" button (without JavaScript too) comes back the same way, at the form."""
    values = _form_values(request.POST, strict=False)
    url = tenant_url(
        request,
        "media:creative",
        kind=values["kind"],
        provider=values["provider"],
        base_prompt=values["base_prompt"],
        aspect_ratio=values["aspect_ratio"],
        image_size=values["image_size"],
        resolution=values["resolution"],
        duration_seconds=values["duration_seconds"] if values["kind"] == VIDEO else "",
        preset_id=values["preset_id"],
        preset_q=values["preset_q"],
        use_cache="on" if values["use_cache"] else "off",
    )
    if len(url) <= ADDRESS_MAX:
        anchor = "picker-preset_id" if request.POST.get("preset_search") else "composer"
        return redirect(f"{url}#{anchor}")
    # Too long for an address (a long prompt, say): the page itself, still with nothing written.
    context = _page_context(request, values)
    refused = context["preset_picker"].search_error
    return render(request, TEMPLATE, context, status=400 if refused else 200)


@require_GET
@tenant_member_required
def creative_estimate(request: HttpRequest) -> HttpResponse:
    values = _form_values(request.GET, strict=False)
    return render(request, f"{TEMPLATE}#estimate-panel", _composer(request, values))


@require_POST
@tenant_member_required
def creative_generate(request: HttpRequest) -> HttpResponse:
    values = _form_values(request.POST, strict=True)
    arguments: dict[str, Any] = {
        "provider": values["provider"],
        "prompt": values["base_prompt"],
        "aspect_ratio": values["aspect_ratio"],
        "preset_id": values["preset_id"] or None,
        "use_cache": values["use_cache"],
        **_dimensions(values),
    }
    errors: dict[str, str] = {}
    blocked = ""
    status = 400
    try:
        if values["kind"] == VIDEO:
            job = services.queue_video_generation(
                request.tenant.pk, str(request.user.pk), **arguments
            )
        else:
            job = services.queue_image_generation(
                request.tenant.pk, str(request.user.pk), **arguments
            )
    except InvalidInput as exc:
        errors = exc.errors
    except BudgetExceeded as exc:
        blocked = str(exc)
    except CostStoreUnavailable as exc:
        # No hold could be placed, so nothing was queued: the person tries again later.
        blocked, status = exc.message, 503
    if errors or blocked:
        if not request.htmx:
            context = _page_context(request, values, form_errors=errors, blocked=blocked)
            return render(request, TEMPLATE, context, status=status)
        context = _composer(request, values, form_errors=errors, blocked=blocked)
        response = render(request, f"{TEMPLATE}#composer", context)
        return reswap(retarget(response, "#composer"), "outerHTML")
    message = (
        "Answered from the duplicate-prompt cache: nothing was charged."
        if job.cache_hit
        else f"{job.get_kind_display()} queued."
    )
    if not request.htmx:
        messages.success(request, message)
        return redirect(tenant_url(request, "media:creative"))
    response = render(
        request, f"{TEMPLATE}#jobs-panel", {**_jobs_context(request), "toast": message}
    )
    return trigger_client_event(response, GALLERY_CHANGED) if job.cache_hit else response


# --- jobs and the gallery ----------------------------------------------------------------------


@require_GET
@tenant_member_required
def creative_jobs(request: HttpRequest) -> HttpResponse:
    context = _jobs_context(request)
    response = render(request, f"{TEMPLATE}#jobs-panel", context)
    since = request.GET.get("since", "")
    finished = any(not view.active for view in context["jobs"])
    if request.htmx and since and since != context["jobs_fingerprint"] and finished:
        trigger_client_event(response, GALLERY_CHANGED)
    return response


@require_POST
@tenant_member_required
def creative_job_retry(request: HttpRequest, job_id: str) -> HttpResponse:
    refused = ""
    try:
        services.retry_generation_job(request.tenant.pk, job_id)
    except GenerationJob.DoesNotExist:
        raise Http404("No such job") from None
    except InvalidInput as exc:
        refused = exc.message
    except BudgetExceeded as exc:
        refused = str(exc)
    if refused:
        if not request.htmx:
            messages.error(request, refused)
            return redirect(tenant_url(request, "media:creative"))
        return render(
            request, f"{TEMPLATE}#jobs-panel", {**_jobs_context(request), "toast_error": refused}
        )
    if not request.htmx:
        messages.success(request, "Queued again.")
        return redirect(tenant_url(request, "media:creative"))
    return render(
        request, f"{TEMPLATE}#jobs-panel", {**_jobs_context(request), "toast": "Queued again."}
    )


@require_GET
@tenant_member_required
def creative_gallery(request: HttpRequest) -> HttpResponse:
    """The gallery fragment for HTMX; opened at its own address, a page of its own."""
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, f"{TEMPLATE}#gallery", _gallery_context(request))
    return render(request, "media/gallery.html", _gallery_context(request))


def _serve(request: HttpRequest, asset_id: str, *, thumbnail: bool) -> FileResponse:
    try:
        asset = selectors.get_media_asset(_scope(request), asset_id)
    except MediaAsset.DoesNotExist:
        raise Http404("No such media") from None
    stored = asset.thumbnail if thumbnail else asset.file
    if not stored:
        raise Http404("This media has no file")
    try:
        handle = stored.storage.open(stored.name, "rb")
    except FileNotFoundError:
        raise Http404("The file is gone") from None
    name = PurePosixPath(stored.name).name
    content_type = (asset.thumbnail_mime_type if thumbnail else asset.mime_type) or (
        mimetypes.guess_type(name)[0] or "application/octet-stream"
    )
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=request.GET.get("download") == "1",
        filename=name,
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
@tenant_or_super_admin_required
def asset_file(request: HttpRequest, asset_id: str) -> FileResponse:
    return _serve(request, asset_id, thumbnail=False)


@require_GET
@tenant_or_super_admin_required
def asset_thumbnail(request: HttpRequest, asset_id: str) -> FileResponse:
    return _serve(request, asset_id, thumbnail=True)


# --- approvals ---------------------------------------------------------------------------------


@require_POST
@tenant_member_required
def asset_submit(request: HttpRequest, asset_id: str) -> HttpResponse:
    try:
        asset = selectors.get_media_asset(request.tenant.pk, asset_id)
    except MediaAsset.DoesNotExist:
        raise Http404("No such media") from None
    values = {name: request.POST.get(name, "") for name in ("title", "caption", "platform")}
    try:
        services.submit_content_for_approval(
            tenant_id=request.tenant.pk,
            **values,
            media_ids=[asset.pk],
            submitted_by=request.user,
        )
    except InvalidInput as exc:
        context = {
            "tenant": request.tenant,
            "item": selectors.AssetView(asset),
            "submit_values": values,
            "submit_errors": exc.errors,
            "submit_open": True,
            "platforms": PLATFORMS,
        }
        if not request.htmx:
            messages.error(request, f"Not submitted: {'; '.join(exc.errors.values())}")
            return redirect(tenant_url(request, "media:creative"))
        response = render(request, f"{TEMPLATE}#submit-form", context)
        return reswap(retarget(response, f"#submit-{asset.pk}"), "outerHTML")
    response = _queue_answer(
        request, message=f"“{values['title'].strip()}” is waiting for approval."
    )
    return reswap(retarget(response, "#approvals"), "outerHTML") if request.htmx else response


def _queue_answer(request: HttpRequest, *, message: str) -> HttpResponse:
    """After a change to the queue: back to it with ``message``, or (HTMX) the queue itself."""
    if not request.htmx:
        messages.success(request, message)
        return redirect(tenant_url(request, "media:creative") + "#approvals")
    return render(request, f"{TEMPLATE}#approvals", _approvals_context(request, toast=message))


def _reviewed(
    request: HttpRequest,
    review: Callable[[], list[services.ReviewedContent]],
    *,
    comments: dict[str, str],
    error_field: str | None = None,
    selected: list[str] | None = None,
) -> HttpResponse:
    """Run a review and answer it. A refusal comes back by the queue's fields: the service's own,
    or all of it under ``error_field``."""
    if not can_manage_tenant(request):
        raise PermissionDenied("Only an owner can approve or reject content")
    try:
        reviewed = review()
    except CreativeContent.DoesNotExist:
        raise Http404("No such content") from None
    except InvalidInput as exc:
        refusal = "; ".join(exc.errors.values())
        if not request.htmx:
            messages.error(request, refusal)
            return redirect(tenant_url(request, "media:creative") + "#approvals")
        context = _approvals_context(
            request,
            review_errors={error_field: refusal} if error_field else exc.errors,
            review_comments=comments,
            review_selected=selected or [],
        )
        return render(request, f"{TEMPLATE}#approvals", context)
    if len(reviewed) == 1:
        message = f"“{reviewed[0].title}” {reviewed[0].status}."
    else:
        message = f"{len(reviewed)} items {reviewed[0].status}."
    return _queue_answer(request, message=message)


@require_POST
@tenant_or_super_admin_required
def content_review(request: HttpRequest) -> HttpResponse:
    """The queue's one form: a single item's Approve / Reject button (``approve`` / ``reject``
    carry its id), or the ticked items (``selected``) with ``decision``. Each rejection needs
    its own reason (``comment-<id>``); a refused batch writes nothing."""
    post = request.POST
    decisions = {
        "approve": CreativeContent.Status.APPROVED,
        "reject": CreativeContent.Status.REJECTED,
    }
    single = next((action for action in decisions if post.get(action)), None)
    if single is not None:
        decision, ids = decisions[single], [post[single]]
    else:
        decision, ids = decisions.get(post.get("decision", ""), ""), post.getlist("selected")
    comments = {content_id: post.get(f"comment-{content_id}", "") for content_id in ids[:200]}
    return _reviewed(
        request,
        lambda: services.review_creative_contents(
            tenant_id=_scope(request),
            content_ids=ids,
            decision=decision,
            comments=comments,
            reviewed_by=request.user,
        ),
        comments=comments,
        selected=ids,
    )


def _review_one(request: HttpRequest, content_id: str, *, approve: bool) -> HttpResponse:
    """The single-item addresses (``comment`` is the reason), answered as the queue's form is."""
    comment = request.POST.get("comment", "")
    review = services.approve_creative_content if approve else services.reject_creative_content
    return _reviewed(
        request,
        lambda: [
            review(
                tenant_id=_scope(request),
                content_id=content_id,
                reviewed_by=request.user,
                comment=comment,
            )
        ],
        comments={content_id: comment},
        error_field=f"comment-{content_id}",
    )


@require_POST
@tenant_or_super_admin_required
def content_approve(request: HttpRequest, content_id: str) -> HttpResponse:
    return _review_one(request, content_id, approve=True)


@require_POST
@tenant_or_super_admin_required
def content_reject(request: HttpRequest, content_id: str) -> HttpResponse:
    return _review_one(request, content_id, approve=False)
