"""The presets pages: gallery, create/edit dialog with live preview, delete, publish, the
"published by others" browser with copy, and the compose fragment other apps call.

Who may do what (``request.tenant`` is the acting organisation):
- members and owners browse, create, edit and copy presets, and use the preview and compose
  fragments;
- only owners (and super admins acting for the tenant) delete and publish or withdraw presets.
Another tenant's preset id answers 404; built-ins are refused with a message.
"""

import re

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from bakedbot.errors import InvalidInput
from bakedbot.tenancy import (
    can_manage_tenant,
    tenant_member_required,
    tenant_owner_required,
    tenant_url,
)
from bakedbot.validation import clean_text, clean_whole_number
from presets.domain import (
    ASPECT_RATIOS,
    CATEGORIES,
    FONT_SIZES,
    FONT_WEIGHTS,
    SEARCH_MAX,
    TAG_MAX,
    PresetNotFound,
    compose_prompt,
    picker_search_name,
)
from presets.selectors import (
    get_preset_picker,
    get_preset_tags,
    get_published_preset,
    get_published_presets,
    get_style_preset,
    get_style_presets_page,
    preset_input_from_data,
    preview_style_preset,
)
from presets.services import (
    BUILTIN_IMMUTABLE,
    copy_style_preset,
    create_style_preset,
    delete_style_preset,
    set_style_preset_public,
    update_style_preset,
)
from presets.validation import DEFAULTS

TEXT_FIELDS = (
    "name",
    "description",
    "style_prompt",
    "negative_prompt",
    "primary_color",
    "secondary_color",
    "accent_color",
    "font_family",
    "font_size",
    "font_weight",
    "tags",
)
COLOUR_FIELDS = (
    ("primary_color", "Primary"),
    ("secondary_color", "Secondary"),
    ("accent_color", "Accent"),
)
FONT_SUGGESTIONS = (
    "Inter",
    "Helvetica",
    "Montserrat",
    "Nunito",
    "Lora",
    "Georgia",
    "Playfair Display",
    "Bebas Neue",
    "Courier New",
)


def _finish(request: HttpRequest, level: int, message: str) -> HttpResponse:
    """Back to the gallery with a message: a full page for a form, a client redirect for HTMX."""
    messages.add_message(request, level, message)
    gallery_url = tenant_url(request, "presets:gallery")
    if request.htmx:
        return HttpResponseClientRedirect(gallery_url)
    return redirect(gallery_url)


def _toast(level: str, message: str) -> str:
    return render_to_string("presets/_toast.html", {"level": level, "message": message})


def _form_input(params) -> dict:
    """The dialog's fields as service input (only those sent, so a preview may be partial)."""
    data = {field: params[field] for field in TEXT_FIELDS if field in params}
    data["aspect_ratios"] = params.getlist("aspect_ratios")
    return data


def _form_values(data: dict) -> dict:
    """What the dialog's fields show: tags as one comma-separated text."""
    values = dict(data)
    if not isinstance(values.get("tags", ""), str):
        values["tags"] = ", ".join(values["tags"])
    return values


def _dialog(request, *, preset=None, values: dict, errors=None, status: int = 200):
    context = {
        "tenant": request.tenant,
        "preset": preset,
        "values": _form_values(values),
        "errors": errors or {},
        "draft": preview_style_preset(values, base=preset),
        "aspect_ratios": ASPECT_RATIOS,
        "colour_fields": COLOUR_FIELDS,
        "font_sizes": FONT_SIZES,
        "font_weights": FONT_WEIGHTS,
        "font_suggestions": FONT_SUGGESTIONS,
        "as_modal": bool(request.htmx),
    }
    template = "presets/form.html#dialog" if request.htmx else "presets/form.html"
    return render(request, template, context, status=status)


def _search(request: HttpRequest) -> tuple[str, dict[str, str]]:
    """The ``q`` search text and its field errors. Bounded: a pattern of thousands of characters
    is no name anyone typed, and the database refuses it as too complex."""
    query = request.GET.get("q", "")
    try:
        return clean_text(query, max_length=SEARCH_MAX, label="Search"), {}
    except ValueError as exc:
        return query.strip(), {"q": str(exc)}


def _page_number(value: str) -> int:
    """A gallery page number; anything that is not one is the first page (as Django's
    Paginator.get_page does)."""
    try:
        return clean_whole_number(value or "1", minimum=1, maximum=1_000_000)
    except ValueError:
        return 1


def _results_page(request, template: str, target: str, context: dict) -> HttpResponse:
    """The page, or its results fragment for HTMX filtering; a refused search answers the page
    with 400 (the fragment, which htmx swaps, carries the error too)."""
    if request.htmx and request.htmx.target == target:
        return render(request, f"{template}#results", context)
    return render(request, template, context, status=400 if context["errors"] else 200)


@require_GET
@tenant_member_required
def gallery(request):
    category = request.GET.get("category", "")
    query, errors = _search(request)
    tag = request.GET.get("tag", "").strip().lower()
    try:
        clean_text(tag, max_length=TAG_MAX, label="Tag")
    except ValueError as exc:
        # No preset has such a tag: say so rather than search for it.
        errors["tag"] = str(exc)
        tag = tag[:TAG_MAX]
    filters = {
        "q": query,
        "tag": tag,
        "category": category if category in CATEGORIES else "",
    }
    presets = (
        None
        if errors
        else get_style_presets_page(
            request.tenant.pk,
            category=filters["category"],
            tag=filters["tag"],
            search=filters["q"],
            page=_page_number(request.GET.get("page", "")),
        )
    )
    context = {
        "tenant": request.tenant,
        "presets": presets.presets if presets else [],
        "page": presets,
        "filters": filters,
        "errors": errors,
        "search_max": SEARCH_MAX,
        "tags": get_preset_tags(request.tenant.pk),
        "can_manage": can_manage_tenant(request),
        "tab": "library",
    }
    return _results_page(request, "presets/gallery.html", "preset-results", context)


@require_http_methods(["GET", "POST"])
@tenant_member_required
def create(request):
    if request.method == "POST":
        data = _form_input(request.POST)
        try:
            preset = create_style_preset(tenant_id=request.tenant.pk, data=data)
        except InvalidInput as exc:
            return _dialog(request, values=data, errors=exc.errors, status=422)
        return _finish(request, messages.SUCCESS, f"Preset “{preset.name}” created.")
    return _dialog(request, values=dict(DEFAULTS, name="", style_prompt="", aspect_ratios=["1:1"]))


@require_http_methods(["GET", "POST"])
@tenant_member_required
def edit(request, preset_id: str):
    preset = get_style_preset(request.tenant.pk, preset_id)
    if preset.is_builtin:
        return _finish(request, messages.ERROR, BUILTIN_IMMUTABLE)
    if request.method == "POST":
        data = _form_input(request.POST)
        try:
            saved = update_style_preset(
                tenant_id=request.tenant.pk, preset_id=preset_id, updates=data
            )
        except InvalidInput as exc:
            return _dialog(request, preset=preset, values=data, errors=exc.errors, status=422)
        return _finish(request, messages.SUCCESS, f"Preset “{saved.name}” saved.")
    return _dialog(request, preset=preset, values=preset_input_from_data(preset))


@require_POST
@tenant_owner_required
def delete(request, preset_id: str):
    preset = get_style_preset(request.tenant.pk, preset_id)
    try:
        delete_style_preset(tenant_id=request.tenant.pk, preset_id=preset_id)
    except InvalidInput as exc:
        return _finish(request, messages.ERROR, exc.message)
    if request.htmx:
        return HttpResponse(_toast("success", f"Preset “{preset.name}” deleted."))
    return _finish(request, messages.SUCCESS, f"Preset “{preset.name}” deleted.")


@require_POST
@tenant_owner_required
def publish(request, preset_id: str):
    preset = get_style_preset(request.tenant.pk, preset_id)
    public = request.POST.get("public")
    if public not in ("1", "0"):
        return HttpResponseBadRequest("public: send 1 to publish or 0 to withdraw.")
    try:
        saved = set_style_preset_public(
            tenant_id=request.tenant.pk, preset_id=preset_id, public=public == "1"
        )
    except InvalidInput as exc:
        return _finish(request, messages.ERROR, exc.message)
    message = (
        f"“{preset.name}” is published: other organisations can copy it."
        if public == "1"
        else f"“{preset.name}” is no longer published."
    )
    if request.htmx:
        context = {"preset": saved, "can_manage": True, "tenant": request.tenant}
        card = render_to_string("presets/_card.html", context, request=request)
        return HttpResponse(card + _toast("success", message))
    return _finish(request, messages.SUCCESS, message)


@require_POST
@tenant_member_required
def copy(request, preset_id: str):
    try:
        source = get_style_preset(request.tenant.pk, preset_id)
    except PresetNotFound:
        source = get_published_preset(request.tenant.pk, preset_id)
    try:
        copy_style_preset(tenant_id=request.tenant.pk, source_id=preset_id)
    except InvalidInput as exc:
        return _finish(request, messages.ERROR, exc.message)
    return _finish(request, messages.SUCCESS, f"Copied “{source.name}” into your library.")


@require_GET
@tenant_member_required
def published(request):
    query, errors = _search(request)
    context = {
        "tenant": request.tenant,
        "entries": [] if errors else get_published_presets(request.tenant.pk, search=query),
        "filters": {"q": query},
        "errors": errors,
        "search_max": SEARCH_MAX,
        "tab": "published",
    }
    return _results_page(request, "presets/published.html", "published-results", context)


@require_GET
@tenant_member_required
def preview(request):
    draft = preview_style_preset(_form_input(request.GET))
    return render(request, "presets/_preview.html", {"preset": draft, "large": True})


@require_GET
@tenant_member_required
def compose(request):
    base_prompt = request.GET.get("base_prompt", "")
    preset_id = request.GET.get("preset_id", "").strip()
    aspect_ratio = request.GET.get("aspect_ratio", "").strip() or None
    if aspect_ratio is not None and aspect_ratio not in ASPECT_RATIOS:
        return HttpResponseBadRequest(f"aspect_ratio must be one of {', '.join(ASPECT_RATIOS)}.")
    preset = get_style_preset(request.tenant.pk, preset_id) if preset_id else None
    context = {
        "tenant": request.tenant,
        "preset": preset,
        "base_prompt": base_prompt,
        "composed": compose_prompt(base_prompt, preset, aspect_ratio=aspect_ratio),
    }
    if request.htmx:
        return render(request, "presets/compose.html#composed", context)
    return render(request, "presets/compose.html", context)


PICKER_FIELD = re.compile(r"[A-Za-z0-9_-]{1,60}")


@require_GET
@tenant_member_required
def picker(request):
    """The picker's custom presets matching its search box (``picker_field``'s search name,
    ``preset_q`` for ``preset_id``): the options fragment HTMX swaps in as the person types, the
    checked one kept. Without JavaScript the host page searches itself (the picker's Search
    button)."""
    field_name = request.GET.get("picker_field", "")
    if not PICKER_FIELD.fullmatch(field_name):
        return HttpResponseBadRequest("picker_field: letters, digits, - and _ only.")
    context = {
        "picker": get_preset_picker(
            request.tenant.pk,
            selected_id=request.GET.get(field_name, "")[:64],
            field_name=field_name,
            search=request.GET.get(picker_search_name(field_name), ""),
        )
    }
    return render(request, "presets/_picker.html#custom-options", context)
